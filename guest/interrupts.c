/* The guest's interrupt lines: from its devices through the virtual PIC to the vCPU. */
#include "guest/interrupts.h"
#include "guest/clock.h"
#include "guest/guest.h"
#include "arch/rflags.h"

/* The shortest slice Umbra gives the guest before a timer's deadline: a guest that programs
 * a period shorter than this gets its interrupts coalesced rather than no time to run. */
#define GUEST_MIN_SLICE_NS	20000

/* An edge-triggered line (the PIT's OUT 0 on IRQ 0) pulses: the 8259A latches the rise. */
static void pulse_line(struct vpic *pic, unsigned irq)
{
	vpic_set_line(pic, irq, true);
	vpic_set_line(pic, irq, false);
}

void guest_update_irq_lines(struct guest *g)
{
	if (vpit_take_irq(&g->pit, guest_now_ns(g)))
		pulse_line(&g->pic, GUEST_PIT_IRQ);
	vpic_set_line(&g->pic, GUEST_KBD_IRQ, i8042_kbd_irq(&g->kbd));
	vpic_set_line(&g->pic, GUEST_UART_IRQ, vuart_irq_level(&g->uart));
	vpic_set_line(&g->pic, GUEST_AUX_IRQ, i8042_aux_irq(&g->kbd));
}

uint64_t guest_next_timer(const struct guest *g)
{
	uint64_t pit = vpit_next_irq(&g->pit);

	return pit == VPIT_NEVER ? GUEST_NO_TIMER : pit;
}

/* A backend with its own timer returns to Umbra by the next timer's deadline. */
static void guest_arm_timer(struct guest *g)
{
	uint64_t next = guest_next_timer(g), soonest;

	if (next == GUEST_NO_TIMER) {
		g->vcpu.deadline_tsc = 0;
		return;
	}
	soonest = guest_now_ns(g) + GUEST_MIN_SLICE_NS;
	g->vcpu.deadline_tsc = guest_host_tsc_at(g, next > soonest ? next : soonest);
}

void guest_deliver_interrupts(struct guest *g)
{
	struct vcpu *v = &g->vcpu;
	int vector;

	guest_update_irq_lines(g);
	guest_arm_timer(g);
	/* A single-step trap of the instruction just completed comes before an interrupt (SDM
	 * Vol. 3A 6.9, traps on the previous instruction before maskable interrupts); the next
	 * exit, at the latest Umbra's own tick, looks again. */
	if (vpic_pending(&g->pic) < 0 || v->pending_event.pending || v->single_step_trap)
		return;
	if ((v->rflags & RFLAGS_IF) && !v->ops->interrupt_shadow(v)) {
		vector = vpic_acknowledge(&g->pic);
		v->pending_event = (struct event){ .pending = true, .type = EVENT_EXT_INTERRUPT,
						   .vector = (uint8_t)vector };
	} else if (!g->interrupt_window) {
		v->ops->set_interrupt_window(v, true);
		g->interrupt_window = true;
	}
}
