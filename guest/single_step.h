/*
 * Single steps over the instructions Umbra completes for the guest (CPUID, port I/O, MSR and
 * CR accesses, emulated page-table writes, INVLPG, XSETBV, HLT, RDPMC, ...). The processor
 * raises a single-step #DB after an instruction that starts with RFLAGS.TF set (SDM Vol. 3B
 * 17.3.1.4; AMD APM Vol. 2 13.1.4): an exit takes the instruction's place, so Umbra raises
 * it when it completes the instruction, and the backend delivers it (VMX: BS in the pending
 * debug exceptions; SVM: #DB with DR6.BS).
 */
#ifndef UMBRA_GUEST_SINGLE_STEP_H
#define UMBRA_GUEST_SINGLE_STEP_H

#include <stdbool.h>
#include <stdint.h>

struct guest;

/* What the rule needs of the instruction's start, taken before the exit's handler runs. */
struct step_start {
	bool tf;		/* RFLAGS.TF when the instruction started */
	uint64_t rip;
	bool event_pending;	/* an event was queued already (one the exit interrupted) */
};

struct step_start guest_step_begin(struct guest *g);
/* After the handler: marks the single-step trap due when the handler completed the
 * instruction, or one REP iteration of it, that started with TF set. */
void guest_step_end(struct guest *g, const struct step_start *s);

/* The most iterations of a REP string instruction one exit may complete: one while TF is set,
 * since the trap follows each iteration, otherwise limit. */
unsigned int guest_rep_iterations(const struct guest *g, unsigned int limit);

#endif
