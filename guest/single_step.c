/* The single-step trap after the instructions Umbra completes for the guest (single_step.h). */
#include "guest/single_step.h"
#include "guest/guest.h"
#include "arch/rflags.h"

struct step_start guest_step_begin(struct guest *g)
{
	const struct vcpu *v = &g->vcpu;

	g->rep_iteration_done = false;
	return (struct step_start){
		.tf = v->rflags & RFLAGS_TF, .rip = v->rip,
		.event_pending = v->pending_event.pending,
	};
}

/*
 * SDM Vol. 3B 17.3.1.4: the trap follows an instruction that started with TF set; the POPF
 * or IRET that sets TF is not trapped, and TF cleared by the instruction still traps, so TF
 * is taken from the start. An instruction that faults completes nothing and has no trap (the
 * fault is delivered with TF still set in the frame). A REP string instruction traps after
 * each iteration, with RIP still on it until the last (SDM Vol. 2B "REP": pending events are
 * serviced between iterations). The MOV SS / POP SS shadow defers a single step to the end of
 * the next instruction (SDM Vol. 3A 6.8.3), which is this one when it exited: the trap then
 * covers both, once. Neither a reset nor a stop is an instruction boundary.
 */
void guest_step_end(struct guest *g, const struct step_start *s)
{
	struct vcpu *v = &g->vcpu;
	bool completed = v->rip != s->rip || g->rep_iteration_done;

	if (!s->tf || !completed || s->event_pending || v->pending_event.pending ||
	    g->stop != GUEST_RUNNING || g->reset_requested)
		return;
	v->single_step_trap = true;
}

unsigned int guest_rep_iterations(const struct guest *g, unsigned int limit)
{
	return (g->vcpu.rflags & RFLAGS_TF) ? 1 : limit;
}
