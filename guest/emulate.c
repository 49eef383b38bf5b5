/*
 * Emulation of guest writes to its own page tables. Shadowed guest tables are mapped read-only,
 * so a write to one faults; Umbra performs the write itself and then tells the shadow MMU which
 * bytes changed. Supported: MOV r/m,r (88, 89), MOV r/m,imm (C6 /0, C7 /0), XCHG r/m,r (86, 87)
 * and MOVNTI (0F C3). Anything else is reported and stops the guest rather than being skipped.
 */
#include "guest/emulate.h"
#include "guest/guest.h"
#include "guest/gva.h"
#include "guest/insn.h"
#include "guest/mode.h"
#include "lib/printk.h"
#include "mm/page.h"
#include "mm/walk.h"

#define RFLAGS_AC	(1u << 18)

/* The value of register operand reg of size bytes; without REX, byte registers 4-7 are
 * AH, CH, DH, BH (SDM Vol. 2A 3.1.1.1). */
static uint64_t reg_read(const struct vcpu *v, const struct x86_insn *in, unsigned reg, unsigned size)
{
	if (size == 1 && !in->rex && reg >= 4 && reg < 8)
		return (v->gpr[reg - 4] >> 8) & 0xff;
	return v->gpr[reg] & (size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1);
}

/* Writes a register operand: 32-bit results zero-extend, 8- and 16-bit ones merge (SDM Vol. 1
 * 3.4.1.1). */
static void reg_write(struct vcpu *v, const struct x86_insn *in, unsigned reg, unsigned size,
		      uint64_t value)
{
	if (size == 1 && !in->rex && reg >= 4 && reg < 8) {
		v->gpr[reg - 4] = (v->gpr[reg - 4] & ~0xff00ULL) | ((value & 0xff) << 8);
		return;
	}
	if (size == 4)
		v->gpr[reg] = (uint32_t)value;
	else if (size == 8)
		v->gpr[reg] = value;
	else
		v->gpr[reg] = (v->gpr[reg] & ~((1ULL << (8 * size)) - 1)) | (value & ((1ULL << (8 * size)) - 1));
}

/* The linear address of the memory operand (segment base added outside 64-bit mode, and for
 * FS/GS in 64-bit mode). */
static uint64_t operand_linear(struct guest *g, const struct x86_insn *in)
{
	struct vcpu *v = &g->vcpu;
	bool long_mode = guest_x86_mode(g) == X86_MODE_64;
	int seg = in->segment >= 0 ? in->segment :
		  (in->base == GPR_RSP || in->base == GPR_RBP) ? SEG_SS : SEG_DS;
	uint64_t ea = x86_effective_address(in, v->gpr, v->rip + in->len);
	struct segment s;

	if (long_mode && seg != SEG_FS && seg != SEG_GS)
		return ea;
	v->ops->get_segment(v, seg, &s);
	return long_mode ? s.base + ea : (uint32_t)(s.base + ea);
}

/* Whether the guest runs at CPL 3 (SS.DPL is the CPL, SDM Vol. 3A 5.5). */
static bool guest_user_mode(struct guest *g)
{
	struct segment ss;

	g->vcpu.ops->get_segment(&g->vcpu, SEG_SS, &ss);
	return ss.dpl == 3;
}

/* Performs the memory write of size bytes at linear, then lets the MMU see it. Returns false
 * when the write faulted (the fault is queued) or failed (the guest is stopped). */
static bool emulated_store(struct guest *g, uint64_t linear, uint64_t value, unsigned size)
{
	struct paging_state ps = guest_paging_state(g);
	uint32_t access = WALK_WRITE | (guest_user_mode(g) ? WALK_USER : 0);
	uint64_t gpa_first, gpa_last = 0;
	uint32_t pfec = 0;
	int r;

	if (g->vcpu.rflags & RFLAGS_AC)
		access |= WALK_RFLAGS_AC;
	r = mmu_translate(&g->mmu, &ps, linear, access, &gpa_first, &pfec);
	if (r == 0 && ((linear ^ (linear + size - 1)) >> 12))
		r = mmu_translate(&g->mmu, &ps, linear + size - 1, access, &gpa_last, &pfec);
	if (r == 1) {
		vcpu_queue_page_fault(&g->vcpu, pfec, linear);
		return false;
	}
	if (r != 0 || guest_write_linear(g, linear, &value, size, access & ~WALK_WRITE, &pfec) != GVA_OK) {
		guest_stop(g, GUEST_STOP_FATAL, "emulated page-table write at %llx failed",
			   (unsigned long long)linear);
		return false;
	}
	mmu_guest_wrote(&g->mmu, gpa_first, gpa_last ? (unsigned)(PAGE_SIZE - (gpa_first & 0xfff)) : size);
	if (gpa_last)
		mmu_guest_wrote(&g->mmu, gpa_last & ~0xfffULL, (unsigned)((gpa_last & 0xfff) + 1));
	return true;
}

static bool emulated_load(struct guest *g, uint64_t linear, uint64_t *value, unsigned size)
{
	uint32_t pfec = 0;
	enum gva_status st;

	*value = 0;
	st = guest_read_linear(g, linear, value, size, guest_user_mode(g) ? WALK_USER : 0, &pfec);
	if (st == GVA_PAGE_FAULT)
		vcpu_queue_page_fault(&g->vcpu, pfec, linear);
	else if (st != GVA_OK)
		guest_stop(g, GUEST_STOP_FATAL, "emulated page-table access at %llx failed",
			   (unsigned long long)linear);
	return st == GVA_OK;
}

/*
 * The fallback for a page-table write Umbra does not emulate: the frame is unshadowed, so the
 * guest's write goes straight to memory, and the tables are shadowed again when next used.
 * If the same instruction faults on the same frame right away (the frame is a table on its own
 * write's translation path), there is no safe way on, and the guest is stopped with a report.
 */
static void guest_emulation_fallback(struct guest *g, const struct x86_insn *in, uint64_t gpa)
{
	struct vcpu *v = &g->vcpu;

	if (g->fallback_rip == v->rip && g->fallback_gfn == gpa >> 12) {
		guest_stop(g, GUEST_STOP_FATAL, "cannot emulate the instruction (map %u opcode %02x) "
			   "at rip %llx that writes its own page table at %llx", in->opcode_map,
			   in->opcode, (unsigned long long)v->rip, (unsigned long long)gpa);
		return;
	}
	if (!g->emulation_fallbacks++)
		pr_warn("umbra: guest: page-table write by an instruction Umbra does not emulate "
			"(map %u opcode %02x at rip %llx): unshadowing the frame (reported once)\n",
			in->opcode_map, in->opcode, (unsigned long long)v->rip);
	g->fallback_rip = v->rip;
	g->fallback_gfn = gpa >> 12;
	mmu_unshadow_gfn(&g->mmu, gpa >> 12);
}

void guest_emulate_pt_write(struct guest *g, uint64_t gpa)
{
	struct vcpu *v = &g->vcpu;
	struct x86_insn in;
	uint64_t linear, value, old;
	unsigned size;

	if (!guest_decode_at_rip(g, &in))
		return;
	size = in.operand_size;
	if (!in.has_modrm || in.mod == 3 || in.opcode_map > 1)
		goto unsupported;
	linear = operand_linear(g, &in);
	if (in.opcode_map == 0 && (in.opcode == 0x88 || in.opcode == 0x89)) {
		value = reg_read(v, &in, in.reg, size);
	} else if (in.opcode_map == 0 && (in.opcode == 0xc6 || in.opcode == 0xc7) && (in.reg & 7) == 0) {
		/* An immediate of a 64-bit MOV is 32 bits, sign-extended (SDM Vol. 2B MOV). */
		value = x86_sext(in.imm, in.imm_size);
	} else if (in.opcode_map == 1 && in.opcode == 0xc3) {
		value = reg_read(v, &in, in.reg, size);	/* MOVNTI */
	} else if (in.opcode_map == 0 && (in.opcode == 0x86 || in.opcode == 0x87)) {
		/* XCHG with memory is always locked; one vCPU makes load-then-store atomic. */
		if (!emulated_load(g, linear, &old, size))
			return;
		value = reg_read(v, &in, in.reg, size);
		if (!emulated_store(g, linear, value, size))
			return;
		reg_write(v, &in, in.reg, size, old);
		v->rip += in.len;
		g->fallback_rip = ~0ULL;
		return;
	} else {
		goto unsupported;
	}
	if (size < 8)
		value &= (1ULL << (8 * size)) - 1;
	if (emulated_store(g, linear, value, size)) {
		v->rip += in.len;
		g->fallback_rip = ~0ULL;
	}
	return;

unsupported:
	guest_emulation_fallback(g, &in, gpa);
}
