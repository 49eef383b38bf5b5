/*
 * The guest's run loop and exit dispatch. The dispatch table comes from guest/exit_kinds.h; the
 * handlers are in guest/exits/ and keep the contract written in guest/exits/exits.h. An exit
 * kind out of range stops the guest with a full report.
 */
#include "guest/run.h"
#include "guest/console/console.h"
#include "guest/exits/exits.h"
#include "guest/guest.h"
#include "guest/insn.h"
#include "guest/interrupts.h"
#include "guest/mode.h"
#include "guest/report.h"
#include "guest/single_step.h"
#include "arch/cpu.h"

typedef void (*exit_handler)(struct guest *g, struct vm_exit *e);

struct exit_entry {
	exit_handler handler;
	bool needs_length;	/* the handler completes the instruction: insn_len must be known */
};

#define EXIT_TABLE_ENTRY(kind, name, fn, length) [kind] = { fn, length },
static const struct exit_entry exit_table[EXIT_KIND_COUNT] = { EXIT_KINDS(EXIT_TABLE_ENTRY) };
#undef EXIT_TABLE_ENTRY

/*
 * Whether the handler of kind completes an instruction. Those exits are taken instead of
 * executing an instruction, never while an event is being delivered: the exits that can
 * interrupt a delivery are exceptions the delivery raises, EPT violations and
 * misconfigurations, APIC accesses and task switches through a task gate (SDM Vol. 3C
 * 27.2.4), and on SVM exception intercepts, nested page faults and task switches (APM Vol. 2
 * 15.7.2). Should one come with a delivery under way all the same, completing the instruction
 * would run it before the event it follows: the guest is stopped with a report instead.
 */
static bool exit_completes_insn(enum exit_kind kind)
{
	return exit_table[kind].needs_length || kind == EXIT_CR_ACCESS;
}

static void guest_dispatch(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	unsigned kind = e->kind;
	struct step_start step;

	if (kind >= EXIT_KIND_COUNT) {
		exit_unknown(g, e);
		return;
	}
	v->stats.by_reason[kind]++;
	if (e->during_delivery && exit_completes_insn(kind)) {
		guest_stop(g, GUEST_STOP_FATAL, "%s exit during the delivery of an event",
			   exit_kind_name(kind));
		return;
	}
	if (exit_table[kind].needs_length && !guest_complete_insn_len(g, e))
		return;
	step = guest_step_begin(g);
	exit_table[kind].handler(g, e);
	if (v->rip != step.rip)
		guest_wrap_rip(g, step.rip);
	guest_step_end(g, &step);
}

/* How often, in TSC ticks, the console is looked at whatever the guest's exits are: about
 * Umbra's tick period (1.5 ms at 3 GHz), a few million instructions under the emulators. */
#define CONSOLE_POLL_TSC_TICKS	(1ULL << 22)

/*
 * Whether the console is due after an exit of this kind. Umbra's own exits (its tick) and the
 * guest's port I/O and HLT are when it is looked at: often enough for a prompt answer, rarely
 * enough to cost nothing. A guest can also exit only in other ways, and without end: an
 * exception whose delivery raises it again, a CPUID loop. The VMX preemption timer restarts at
 * each entry and never expires then, and the PIT tick may be masked, so any exit also polls
 * once CONSOLE_POLL_TSC_TICKS have passed since the last look.
 */
static bool guest_console_due(enum exit_kind kind)
{
	static uint64_t last_poll;
	uint64_t now = rdtsc();

	if (kind != EXIT_EXTERNAL_INTERRUPT && kind != EXIT_PREEMPT && kind != EXIT_IO &&
	    kind != EXIT_HLT && now - last_poll < CONSOLE_POLL_TSC_TICKS)
		return false;
	last_poll = now;
	return true;
}

/*
 * TDP, right after an exit: a CR3 the guest loaded in PAE mode, on a processor that did not give
 * Umbra the PDPTEs it loaded (SVM), has them read from the new CR3 before any handler walks the
 * guest's tables. A PDPT that now has a reserved bit keeps the old values (the processor
 * checks the entries it uses itself).
 */
static void guest_tdp_after_exit(struct guest *g)
{
	struct vcpu *v = &g->vcpu;

	if (!v->pdptes_stale)
		return;
	v->pdptes_stale = false;
	if (guest_pae_paging(v->cr0, v->cr4, v->efer))
		guest_load_pdptes(g, v->cr3, v->pdptes);
}

/* TDP, before an entry: dropped TDP entries flush the guest-physical translations. */
static void guest_tdp_before_entry(struct guest *g)
{
	struct vcpu *v = &g->vcpu;

	if (g->tdp.need_flush) {
		v->ops->tdp_flush(v);
		g->tdp.need_flush = false;
	}
}

void guest_run(struct guest *g)
{
	struct vcpu *v = &g->vcpu;
	struct vm_exit exit;

	while (g->stop == GUEST_RUNNING) {
		/* The shadow MMU may have dropped the root or entries since the last exit. */
		if (guest_tdp(g))
			guest_tdp_before_entry(g);
		else if (!g->mmu.root_valid)
			guest_reload_root(g);
		else if (g->mmu.need_flush) {
			v->ops->flush_tlb(v);
			g->mmu.need_flush = false;
		}
		if (g->stop != GUEST_RUNNING)
			break;
		guest_deliver_interrupts(g);
		v->ops->run(v, &exit);
		v->stats.exits++;
		if (guest_tdp(g))
			guest_tdp_after_exit(g);
		guest_dispatch(g, &exit);
		if (guest_console_due(exit.kind) && !console_poll())
			guest_stop(g, GUEST_STOP_POWEROFF, "power off from the console");
		if (g->stop != GUEST_RUNNING)
			g->last_exit = exit;
	}
	guest_report_stop(g);
}
