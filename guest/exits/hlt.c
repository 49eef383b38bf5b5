/*
 * HLT: with interrupts disabled nothing can wake the guest, so it is stopped. With IF=1 the
 * guest waits until its PIC has an interrupt to deliver (a timer that comes due, typed console
 * input): Umbra polls the console meanwhile, then completes the HLT and the run loop injects the
 * interrupt. While the next virtual timer is more than one of Umbra's ticks away the host CPU
 * halts until that tick, so an idle guest does not keep the host busy.
 */
#include "guest/exits/exits.h"
#include "guest/clock.h"
#include "guest/console/console.h"
#include "guest/guest.h"
#include "guest/interrupts.h"
#include "arch/cpu.h"
#include "arch/irq.h"
#include "arch/rflags.h"

#define HOST_TICK_NS	(1000000000ULL / UMBRA_TICK_HZ)

/* One wait of the host while nothing is pending: until its own tick, or a short pause when a
 * virtual timer is due before that. */
static void hlt_wait(struct guest *g)
{
	uint64_t next = guest_next_timer(g), now = guest_now_ns(g);

	if (next == GUEST_NO_TIMER || (next > now && next - now > HOST_TICK_NS))
		irq_wait();
	else
		cpu_relax();
}

void exit_hlt(struct guest *g, struct vm_exit *e)
{
	if (!(g->vcpu.rflags & RFLAGS_IF)) {
		guest_stop(g, GUEST_STOP_HALTED, "halted with interrupts disabled");
		return;
	}
	for (;;) {
		guest_update_irq_lines(g);
		if (guest_interrupt_pending(g))
			break;
		if (!console_poll()) {
			guest_stop(g, GUEST_STOP_POWEROFF, "power off from the console");
			return;
		}
		if (g->reset_requested || g->stop != GUEST_RUNNING)
			return;
		hlt_wait(g);
	}
	vcpu_skip_instruction(&g->vcpu, e);
}
