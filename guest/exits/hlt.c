/*
 * HLT: with interrupts disabled nothing can wake the guest, so it is stopped. With IF=1 the
 * guest waits until its PIC has an interrupt to deliver (typed console input): Umbra polls the
 * console meanwhile, then completes the HLT and the run loop injects the interrupt.
 */
#include "guest/exits/exits.h"
#include "guest/console/console.h"
#include "guest/guest.h"
#include "guest/interrupts.h"
#include "arch/cpu.h"
#include "arch/rflags.h"

void exit_hlt(struct guest *g, struct vm_exit *e)
{
	if (!(g->vcpu.rflags & RFLAGS_IF)) {
		guest_stop(g, GUEST_STOP_HALTED, "halted with interrupts disabled");
		return;
	}
	for (;;) {
		guest_update_irq_lines(g);
		if (vpic_pending(&g->pic) >= 0)
			break;
		if (!console_poll()) {
			guest_stop(g, GUEST_STOP_POWEROFF, "power off from the console");
			return;
		}
		if (g->reset_requested || g->stop != GUEST_RUNNING)
			return;
		cpu_relax();
	}
	vcpu_skip_instruction(&g->vcpu, e);
}
