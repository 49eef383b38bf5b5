/* A guest that computes for a while without a single exit: Umbra must still get control back
 * (its tick exits), which the guest reads from Umbra's counter port afterwards. */
#include "guest.h"
#include "x86.h"

#include "guest/umbra_abi.h"
#include "guest/vm_exit.h"

static uint64_t umbra_counter(uint32_t index);

/* Exits Umbra took for itself: its tick (SVM, or VMX without a preemption timer) and the VMX
 * preemption timer. */
static uint64_t umbra_own_exits(void)
{
	return umbra_counter(UMBRA_CTR_EXITS_BY_KIND + EXIT_EXTERNAL_INTERRUPT) +
	       umbra_counter(UMBRA_CTR_EXITS_BY_KIND + EXIT_PREEMPT);
}

static uint64_t umbra_counter(uint32_t index)
{
	uint64_t lo, hi;

	outl(UMBRA_COUNTER_INDEX_PORT, index);
	lo = inl(UMBRA_COUNTER_LOW_PORT);
	hi = inl(UMBRA_COUNTER_HIGH_PORT);
	return lo | hi << 32;
}

void guest_main(void)
{
	uint64_t before = umbra_own_exits();
	uint64_t after;
	volatile uint32_t sink = 0;

	/* About 0.3 s of guest time at the emulators' pace, with no instruction that exits. */
	for (uint32_t i = 0; i < 6000000; i++)
		sink += i;
	after = umbra_own_exits();
	gprintf("tick exits while spinning: %u\n", (unsigned)(after - before));
	CHECK(after > before, "Umbra got control back while the guest spun without exiting");
}
