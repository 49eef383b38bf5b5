/*
 * Emulation of guest writes to its own page tables. Shadowed guest tables are mapped read-only,
 * so a write to one faults; Umbra executes the instruction itself (guest/x86/x86_emulate.c) with
 * memory reached through the guest's own translation, and every byte it stores is reported to
 * the shadow MMU in the same exit, so the store and the shadow update are one critical section
 * (shadow-mmu.md 7). An instruction the emulator does not handle falls back: the frame is
 * unshadowed (counted, reported once).
 */
#include "guest/exits/pt_write.h"
#include "guest/emu_cpu.h"
#include "guest/guest.h"
#include "guest/mode.h"
#include "guest/gva.h"
#include "guest/single_step.h"
#include "guest/x86/x86_emulate.h"
#include "arch/trap.h"
#include "lib/printk.h"
#include "mm/page.h"

#define REP_ITERATIONS_PER_EXIT	512	/* bounds the time one exit takes; the guest re-enters */

struct pt_emu_ctx {
	struct guest *g;
	struct emu_who who;	/* the instruction's CPL, EFLAGS.AC, CR0.AM, mode */
	struct emu_mem_ops ops;	/* the one emulated-access path (guest/gva.h) */
	bool failed;		/* an access left guest RAM: stop the guest */
	uint64_t failed_at;
};

/* An access outside guest RAM is Umbra's to report, not a guest fault. */
static bool emu_done(struct pt_emu_ctx *c, enum emu_mem_status st, uint64_t linear,
		     struct x86_fault *f)
{
	if (st == EMU_MEM_NOT_RAM) {
		c->failed = true;
		c->failed_at = linear;
		*f = (struct x86_fault){ .vector = EXC_PF, .has_error_code = true, .cr2 = linear };
	}
	return st == EMU_MEM_OK;
}

static bool emu_read(void *ctx, uint64_t linear, void *buf, unsigned len, struct x86_fault *f)
{
	struct pt_emu_ctx *c = ctx;

	return emu_done(c, emu_mem_read(&c->ops, &c->who, linear, buf, len, f), linear, f);
}

/* Both pages of a crossing store are checked before a byte is written, and every byte written
 * is reported to the shadow MMU in this exit (emu_mem_write). */
static bool emu_write(void *ctx, uint64_t linear, const void *buf, unsigned len, struct x86_fault *f)
{
	struct pt_emu_ctx *c = ctx;

	return emu_done(c, emu_mem_write(&c->ops, &c->who, linear, buf, len, f), linear, f);
}

/*
 * The fallback for a page-table write Umbra does not emulate: the frame is unshadowed, so the
 * guest's write goes straight to memory, and the tables are shadowed again when next used.
 * If the same instruction faults on the same frame right away (the frame is a table on its own
 * write's translation path), there is no safe way on, and the guest is stopped with a report.
 */
static void guest_emulation_fallback(struct guest *g, const uint8_t *bytes, uint64_t gpa,
				     const char *why)
{
	struct vcpu *v = &g->vcpu;

	if (g->fallback_rip == v->rip && g->fallback_gfn == gpa >> PAGE_SHIFT) {
		guest_stop(g, GUEST_STOP_FATAL, "cannot emulate the instruction at rip %llx "
			   "(%02x %02x %02x, %s) that writes its own page table at %llx",
			   (unsigned long long)v->rip, bytes[0], bytes[1], bytes[2], why,
			   (unsigned long long)gpa);
		return;
	}
	if (!g->emulation_fallbacks++)
		pr_warn("umbra: guest: page-table write by an instruction Umbra does not emulate "
			"(%02x %02x %02x at rip %llx, %s): unshadowing the frame (reported once)\n",
			bytes[0], bytes[1], bytes[2], (unsigned long long)v->rip, why);
	g->fallback_rip = v->rip;
	g->fallback_gfn = gpa >> PAGE_SHIFT;
	mmu_unshadow_gfn(&g->mmu, gpa >> PAGE_SHIFT);
}

void guest_emulate_pt_write(struct guest *g, uint64_t gpa)
{
	struct vcpu *v = &g->vcpu;
	struct pt_emu_ctx ctx = { .g = g, .who = guest_emu_who(g), .ops = guest_emu_ops(g) };
	struct x86_emu_ops ops = { emu_read, emu_write, &ctx };
	struct guest_emulation e = { 0 };
	struct x86_fault f;
	enum x86_emu_status st;
	struct paging_state ps;

	switch (guest_emulation_start(g, &e)) {
	case GUEST_EMULATION_READY:
		break;
	case GUEST_EMULATION_FETCH_FAULTED:
		return;		/* the guest may not fetch its own instruction */
	case GUEST_EMULATION_NO_BYTES:
		guest_stop(g, GUEST_STOP_FATAL, "cannot read the instruction at rip %llx",
			   (unsigned long long)v->rip);
		return;
	}
	/* CR2 names the guest's last faulting address: a store to its PTE is a demand fill,
	 * which the shadow MMU keeps in sync (mm/unsync_state.h). */
	ps = guest_paging_state(g);
	mmu_pt_write_begin(&g->mmu, &ps, v->cr2);
	st = x86_emulate(&e.cpu, e.bytes, e.len, &ops,
			 guest_rep_iterations(g, REP_ITERATIONS_PER_EXIT), &f, &e.insn);
	mmu_pt_write_end(&g->mmu);
	if (ctx.failed) {
		guest_stop(g, GUEST_STOP_FATAL, "emulated page-table access at %llx left guest RAM",
			   (unsigned long long)ctx.failed_at);
		return;
	}
	switch (st) {
	case X86_EMU_OK:
	case X86_EMU_FAULT:
		/* REP iterations remain: RIP stays on the instruction (single_step.h). */
		g->rep_iteration_done = st == X86_EMU_OK && e.cpu.rip == v->rip;
		/* A fault keeps what hardware keeps: REP progress made before it. */
		guest_x86_cpu_store(g, &e.cpu);
		if (st == X86_EMU_OK) {
			g->fallback_rip = ~0ULL;
		} else if (f.vector == EXC_PF) {
			vcpu_queue_page_fault(v, f.error_code, f.cr2);
		} else {
			vcpu_queue_exception(v, f.vector, f.has_error_code, f.error_code);
		}
		return;
	case X86_EMU_UNSUPPORTED:
		guest_emulation_fallback(g, e.bytes, gpa, "not an emulated instruction");
		return;
	case X86_EMU_UNDECODABLE:
		/* The rest of the instruction may be on a page the guest may not fetch. */
		if (!guest_emulation_fetch_fault(g, &e))
			guest_emulation_fallback(g, e.bytes, gpa, "undecodable");
		return;
	}
}
