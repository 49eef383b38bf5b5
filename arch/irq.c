/* The host tick: PIT channel 0 on IRQ 0, remapped to vector 32. Umbra runs with interrupts off;
 * a tick arrives as a VM exit while the guest runs, and is completed here. */
#include <stdbool.h>

#include "arch/irq.h"
#include "arch/pic.h"
#include "arch/pit.h"
#include "arch/trap.h"

static volatile uint64_t ticks;
static bool tick_enabled;

void irq_handle(unsigned irq)
{
	if (irq == IRQ_TIMER)
		ticks++;
}

void irq_init(void)
{
	pic_init(IRQ_VECTOR_BASE);
	pit_start_periodic(UMBRA_TICK_HZ);
}

void irq_enable_tick(void)
{
	pic_unmask(IRQ_TIMER);
	tick_enabled = true;
}

void irq_wait(void)
{
	if (!tick_enabled)
		irq_enable_tick();
	/* STI's shadow covers HLT (SDM Vol. 3A 6.8.3): an interrupt arriving between the two
	 * still ends the HLT instead of being taken before it. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

uint64_t irq_ticks(void)
{
	return ticks;
}

void irq_complete_acknowledged(uint8_t vector)
{
	if (vector >= IRQ_VECTOR_BASE && vector < IRQ_VECTOR_BASE + IRQ_COUNT &&
	    pic_eoi(vector - IRQ_VECTOR_BASE))
		irq_handle(vector - IRQ_VECTOR_BASE);
}

void irq_take_pending(void)
{
	/* One instruction with IF=1 lets the pending interrupt in (SDM Vol. 3A 6.8.3: STI's
	 * shadow covers the next instruction, so the NOP is where it is taken). */
	__asm__ volatile("sti; nop; cli" ::: "memory");
}
