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

typedef void (*exit_handler)(struct guest *g, struct vm_exit *e);

struct exit_entry {
	exit_handler handler;
	bool needs_length;	/* the handler completes the instruction: insn_len must be known */
};

#define EXIT_TABLE_ENTRY(kind, name, fn, length) [kind] = { fn, length },
static const struct exit_entry exit_table[EXIT_KIND_COUNT] = { EXIT_KINDS(EXIT_TABLE_ENTRY) };
#undef EXIT_TABLE_ENTRY

static void guest_dispatch(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	unsigned kind = e->kind;
	uint64_t rip;

	if (kind >= EXIT_KIND_COUNT) {
		exit_unknown(g, e);
		return;
	}
	v->stats.by_reason[kind]++;
	if (exit_table[kind].needs_length && !guest_complete_insn_len(g, e))
		return;
	rip = v->rip;
	exit_table[kind].handler(g, e);
	if (v->rip != rip)
		guest_wrap_rip(g, rip);
}

void guest_run(struct guest *g)
{
	struct vcpu *v = &g->vcpu;
	struct vm_exit exit;

	while (g->stop == GUEST_RUNNING) {
		/* The shadow MMU may have dropped the root or entries since the last exit. */
		if (!g->mmu.root_valid)
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
		guest_dispatch(g, &exit);
		/* Umbra's own exits (its tick) and the guest's port I/O are when the console is
		 * looked at: often enough for a prompt answer, rarely enough to cost nothing. */
		if ((exit.kind == EXIT_EXTERNAL_INTERRUPT || exit.kind == EXIT_PREEMPT ||
		     exit.kind == EXIT_IO || exit.kind == EXIT_HLT) && !console_poll())
			guest_stop(g, GUEST_STOP_POWEROFF, "power off from the console");
		if (g->stop != GUEST_RUNNING)
			g->last_exit = exit;
	}
	guest_report_stop(g);
}
