/*
 * Intercepted exceptions other than #PF, and the triple fault that ends a guest.
 *
 * #DB and #AC are intercepted although Umbra only gives them back: a guest can make their
 * delivery raise them again (an #AC handler on a misaligned CPL3 stack, CVE-2015-5307; a debug
 * breakpoint on the #DB handler or its stack, CVE-2015-8104), and without the intercept the
 * processor would loop inside that delivery without ever reaching an instruction boundary where
 * Umbra's timer could stop it. With it, every round is an exit, so Umbra keeps its console.
 */
#include "guest/exits/exits.h"
#include "guest/guest.h"
#include "arch/trap.h"

/* The exception goes back to the guest unchanged. */
void exit_exception(struct guest *g, struct vm_exit *e)
{
	vcpu_queue_exception(&g->vcpu, e->exception.vector, e->exception.has_error_code,
			     e->exception.error_code);
}

/*
 * #DB. The backend has already put into the guest's DR6 and DR7 what delivering the exception
 * would have (SDM Vol. 3C 28.1: a #DB that exits leaves them alone; APM Vol. 2 15.12: the VMCB
 * holds them updated), so the exception only has to be delivered. INT1 is a trap: its #DB
 * returns after the instruction (SDM Vol. 2A "INT n/INTO/INT3/INT1").
 */
void exit_debug(struct guest *g, struct vm_exit *e)
{
	if (e->exception.int1) {
		if (!e->insn_len) {
			guest_stop(g, GUEST_STOP_FATAL, "INT1 exit without an instruction length");
			return;
		}
		vcpu_skip_instruction(&g->vcpu, e);
	}
	vcpu_queue_exception(&g->vcpu, EXC_DB, false, 0);
}

/* #AC always pushes an error code of 0 (SDM Vol. 3A 6.15 "Interrupt 17"). */
void exit_alignment_check(struct guest *g, struct vm_exit *e)
{
	(void)e;
	vcpu_queue_exception(&g->vcpu, EXC_AC, true, 0);
}

void exit_triple_fault(struct guest *g, struct vm_exit *e)
{
	(void)e;
	guest_stop(g, GUEST_STOP_TRIPLE_FAULT, "triple fault");
}
