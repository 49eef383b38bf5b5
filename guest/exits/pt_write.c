/*
 * Emulation of guest writes to its own page tables. Shadowed guest tables are mapped read-only,
 * so a write to one faults; Umbra executes the instruction itself (guest/x86/x86_emulate.c) with
 * memory reached through the guest's own translation, and every byte it stores is reported to
 * the shadow MMU in the same exit, so the store and the shadow update are one critical section
 * (shadow-mmu.md 7). An instruction the emulator does not handle falls back: the frame is
 * unshadowed (counted, reported once).
 */
#include "guest/exits/pt_write.h"
#include "guest/guest.h"
#include "guest/gva.h"
#include "guest/insn.h"
#include "guest/mode.h"
#include "guest/x86/x86_emulate.h"
#include "arch/cpu_info.h"
#include "arch/rflags.h"
#include "arch/cr.h"
#include "arch/trap.h"
#include "lib/printk.h"
#include "mm/page.h"
#include "mm/walk.h"

#define REP_ITERATIONS_PER_EXIT	512	/* bounds the time one exit takes; the guest re-enters */

struct pt_emu_ctx {
	struct guest *g;
	uint32_t user;		/* WALK_USER when the guest runs at CPL 3 */
	bool failed;		/* an access left guest RAM: stop the guest */
	uint64_t failed_at;
};

/* Whether the guest runs at CPL 3 (SS.DPL is the CPL, SDM Vol. 3A 5.5). */
static bool guest_user_mode(struct guest *g)
{
	struct segment ss;

	g->vcpu.ops->get_segment(&g->vcpu, SEG_SS, &ss);
	return ss.dpl == 3;
}

static void pf_fault(struct x86_fault *f, uint32_t pfec, uint64_t linear)
{
	*f = (struct x86_fault){ .vector = EXC_PF, .has_error_code = true, .error_code = pfec,
				 .cr2 = linear };
}

static bool emu_read(void *ctx, uint64_t linear, void *buf, unsigned len, struct x86_fault *f)
{
	struct pt_emu_ctx *c = ctx;
	uint32_t pfec = 0;
	enum gva_status st = guest_read_linear(c->g, linear, buf, len, c->user, &pfec);

	if (st == GVA_PAGE_FAULT)
		pf_fault(f, pfec, linear);
	else if (st != GVA_OK) {
		c->failed = true;
		c->failed_at = linear;
		pf_fault(f, 0, linear);
	}
	return st == GVA_OK;
}

/* Translates the first byte (and the last, when the store crosses a page) with write access,
 * so a fault is raised before anything is written; then writes and tells the MMU. */
static bool emu_write(void *ctx, uint64_t linear, const void *buf, unsigned len, struct x86_fault *f)
{
	struct pt_emu_ctx *c = ctx;
	struct guest *g = c->g;
	struct paging_state ps = guest_paging_state(g);
	uint32_t access = WALK_WRITE | c->user | ((g->vcpu.rflags & RFLAGS_AC) ? WALK_RFLAGS_AC : 0);
	uint64_t last = linear + len - 1, gpa_first, gpa_last = 0;
	bool crosses = (linear ^ last) >> PAGE_SHIFT;
	uint32_t pfec = 0;
	int r;

	if (!(g->vcpu.cr0 & CR0_PG)) {
		gpa_first = linear & 0xffffffffULL;
		gpa_last = last & 0xffffffffULL;
		r = 0;
	} else {
		r = mmu_translate(&g->mmu, &ps, linear, access, &gpa_first, &pfec);
		if (r == 1) {
			pf_fault(f, pfec, linear);
			return false;
		}
		if (r == 0 && crosses) {
			r = mmu_translate(&g->mmu, &ps, last & ~(PAGE_SIZE - 1), access, &gpa_last, &pfec);
			if (r == 1) {
				pf_fault(f, pfec, last & ~(PAGE_SIZE - 1));
				return false;
			}
		}
	}
	if (r != 0 || guest_write_linear(g, linear, buf, len, c->user, &pfec) != GVA_OK) {
		c->failed = true;
		c->failed_at = linear;
		pf_fault(f, 0, linear);
		return false;
	}
	if (crosses) {
		unsigned first_part = PAGE_SIZE - (linear & (PAGE_SIZE - 1));

		mmu_guest_wrote(&g->mmu, gpa_first, first_part);
		mmu_guest_wrote(&g->mmu, gpa_last & ~(PAGE_SIZE - 1), len - first_part);
	} else {
		mmu_guest_wrote(&g->mmu, gpa_first, len);
	}
	return true;
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
	struct pt_emu_ctx ctx = { .g = g, .user = guest_user_mode(g) ? WALK_USER : 0 };
	struct x86_emu_ops ops = { emu_read, emu_write, &ctx };
	uint8_t bytes[X86_MAX_INSN_LEN] = { 0 };
	struct x86_emu_cpu cpu;
	struct x86_insn in;
	struct x86_fault f;
	enum x86_emu_status st;
	size_t n = guest_fetch_insn(g, bytes);

	if (!n) {
		guest_stop(g, GUEST_STOP_FATAL, "cannot read the instruction at rip %llx",
			   (unsigned long long)v->rip);
		return;
	}
	for (int s = SEG_ES; s <= SEG_GS; s++) {
		struct segment seg;

		v->ops->get_segment(v, s, &seg);
		cpu.seg_base[s] = seg.base;	/* enum seg_reg and x86_segment number alike */
	}
	for (int r = 0; r < GPR_COUNT; r++)
		cpu.gpr[r] = v->gpr[r];
	cpu.rip = v->rip;
	cpu.rflags = v->rflags;
	cpu.mode = guest_x86_mode(g);
	cpu.la57 = false;	/* 5-level paging is hidden from guests */
	/* The guest runs on the host's processor: emulated results must match its own. */
	cpu.vendor = cpu_is_amd(g->host_cpu) ? X86_VENDOR_AMD : X86_VENDOR_INTEL;
	st = x86_emulate(&cpu, bytes, n, &ops, REP_ITERATIONS_PER_EXIT, &f, &in);
	if (ctx.failed) {
		guest_stop(g, GUEST_STOP_FATAL, "emulated page-table access at %llx left guest RAM",
			   (unsigned long long)ctx.failed_at);
		return;
	}
	switch (st) {
	case X86_EMU_OK:
	case X86_EMU_FAULT:
		/* A fault keeps what hardware keeps: REP progress made before it. */
		for (int r = 0; r < GPR_COUNT; r++)
			v->gpr[r] = cpu.gpr[r];
		v->rip = cpu.rip;
		v->rflags = cpu.rflags;
		if (st == X86_EMU_OK) {
			g->fallback_rip = ~0ULL;
		} else if (f.vector == EXC_PF) {
			vcpu_queue_page_fault(v, f.error_code, f.cr2);
		} else {
			vcpu_queue_exception(v, f.vector, f.has_error_code, f.error_code);
		}
		return;
	case X86_EMU_UNSUPPORTED:
		guest_emulation_fallback(g, bytes, gpa, "not an emulated instruction");
		return;
	case X86_EMU_UNDECODABLE:
		guest_emulation_fallback(g, bytes, gpa, "undecodable");
		return;
	}
}
