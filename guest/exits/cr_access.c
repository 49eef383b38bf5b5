/*
 * Control-register accesses (MOV CRn, CLTS, LMSW, SMSW), with the checks the MOV-to-CR
 * reference in SDM Vol. 2B ("MOV - Move to/from Control Registers", protected-mode exceptions)
 * and SDM Vol. 3A 2.5 define. All guest CR accesses exit, so the guest's values live in vcpu.
 */
#include "guest/exits/exits.h"
#include "guest/guest.h"
#include "guest/gva.h"
#include "guest/insn.h"
#include "guest/mode.h"
#include "arch/cpu.h"
#include "arch/cpu_info.h"
#include "arch/cpuid.h"
#include "arch/cr.h"
#include "arch/msr.h"
#include "arch/trap.h"

/* CR0 bits that exist (SDM Vol. 3A 2.5): the rest of bits 31:0 are reserved and ignored. */
#define CR0_DEFINED (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | \
		     CR0_NW | CR0_CD | CR0_PG)
#define CR0_LMSW_BITS (CR0_PE | CR0_MP | CR0_EM | CR0_TS)	/* LMSW loads bits 3:0 only */

static void inject_gp(struct vcpu *v)
{
	vcpu_queue_exception(v, EXC_GP, true, 0);
}

/* CR4 bits this guest may set: the architectural ones and those CPUID shows it. VMXE, SMXE,
 * PCIDE, PKE and LA57 are absent because CPUID hides those features. */
static uint64_t cr4_allowed(const struct guest *g)
{
	const struct cpu_info *ci = g->host_cpu;
	uint64_t allowed = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE |
			   CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT;

	if (cpu_has(ci->leaf1_ecx, CPUID_1_ECX_XSAVE))
		allowed |= CR4_OSXSAVE;
	if (cpu_has(ci->leaf7_ebx, CPUID_7_EBX_SMEP))
		allowed |= CR4_SMEP;
	if (cpu_has(ci->leaf7_ebx, CPUID_7_EBX_SMAP))
		allowed |= CR4_SMAP;
	if (cpu_has(ci->leaf7_ebx, 1u << 0))	/* FSGSBASE */
		allowed |= CR4_FSGSBASE;
	if (cpu_has(ci->leaf7_ecx, 1u << 2))	/* UMIP */
		allowed |= CR4_UMIP;
	return allowed;
}

static bool guest_in_64bit_mode(struct guest *g)
{
	return guest_x86_mode(g) == X86_MODE_64;
}

/* MOV to CR0: returns false when the value faults (#GP(0)). */
static bool cr0_write(struct guest *g, uint64_t value)
{
	struct vcpu *v = &g->vcpu;

	if (value >> 32)
		return false;	/* bits 63:32 set: #GP (only reachable in 64-bit mode) */
	value = (value & CR0_DEFINED) | CR0_ET;		/* ET is hardwired to 1 */
	if ((value & CR0_PG) && !(value & CR0_PE))
		return false;
	if ((value & CR0_NW) && !(value & CR0_CD))
		return false;
	if ((value & CR0_PG) && !(v->cr0 & CR0_PG) && (v->efer & EFER_LME) && !(v->cr4 & CR4_PAE))
		return false;	/* SDM 10.8.5: IA-32e mode needs PAE first */
	if (!(value & CR0_PG) && (v->cr0 & CR0_PG) && guest_in_64bit_mode(g))
		return false;	/* leaving long mode must happen in compatibility mode */
	/* SDM 4.4.1: a MOV to CR0 that changes CD, NW or PG and leaves PAE paging in use loads
	 * the PDPTEs; a reserved bit in one makes the MOV fault and change nothing. */
	if (guest_pae_paging(value, v->cr4, v->efer) &&
	    ((value ^ v->cr0) & (CR0_CD | CR0_NW | CR0_PG)) &&
	    !guest_load_pdptes(g, v->cr3, v->pdptes))
		return false;
	guest_set_cr0(g, value);
	return true;
}

static bool cr4_write(struct guest *g, uint64_t value)
{
	struct vcpu *v = &g->vcpu;

	if (value & ~cr4_allowed(g))
		return false;
	if ((v->efer & EFER_LMA) && !(value & CR4_PAE))
		return false;	/* PAE cannot be cleared in IA-32e mode */
	/* SDM 4.4.1: so does a MOV to CR4 that changes PAE, PGE, PSE or SMEP. */
	if (guest_pae_paging(v->cr0, value, v->efer) &&
	    ((value ^ v->cr4) & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)) &&
	    !guest_load_pdptes(g, v->cr3, v->pdptes))
		return false;
	guest_set_cr4(g, value);
	return true;
}

static bool cr3_write(struct guest *g, uint64_t value)
{
	if (g->vcpu.efer & EFER_LMA) {
		/* Bits above MAXPHYADDR are reserved (SDM Vol. 3A 4.5). */
		if (value >> g->host_cpu->maxphyaddr)
			return false;
	} else {
		value &= 0xffffffffULL;
	}
	/* SDM 4.4.1: in PAE mode every MOV to CR3 loads the PDPTEs. */
	if (guest_pae_paging(g->vcpu.cr0, g->vcpu.cr4, g->vcpu.efer) &&
	    !guest_load_pdptes(g, value, g->vcpu.pdptes))
		return false;
	guest_set_cr3(g, value);
	return true;
}

/* Executes MOV to CRn; returns false when it faults. */
static bool cr_write(struct guest *g, unsigned cr, uint64_t value)
{
	switch (cr) {
	case 0:
		return cr0_write(g, value);
	case 3:
		return cr3_write(g, value);
	case 4:
		return cr4_write(g, value);
	case 8:
		if (value & ~0xfULL)
			return false;	/* CR8 bits 63:4 are reserved */
		g->vcpu.cr8 = value;
		return true;
	}
	return false;
}

static uint64_t cr_read(struct guest *g, unsigned cr)
{
	struct vcpu *v = &g->vcpu;

	switch (cr) {
	case 0:
		return v->cr0;
	case 2:
		return v->cr2;
	case 3:
		return v->cr3;
	case 4:
		return v->cr4;
	case 8:
		return v->cr8;
	}
	return 0;
}

/* Fills the CR access the backend could not describe by decoding the instruction. */
static bool cr_decode(struct guest *g, struct vm_exit *e, struct x86_insn *insn)
{
	if (!guest_decode_at_rip(g, insn))
		return false;
	e->insn_len = insn->len;
	if (insn->opcode_map == X86_MAP_0F && (insn->opcode == 0x20 || insn->opcode == 0x22)) {
		e->cr.type = insn->opcode == 0x22 ? CR_MOV_TO : CR_MOV_FROM;
		e->cr.cr = insn->reg;
		e->cr.gpr = insn->rm;
		return true;
	}
	if (insn->opcode_map == X86_MAP_0F && insn->opcode == 0x06) {
		e->cr.type = CR_CLTS;
		return true;
	}
	if (insn->opcode_map == X86_MAP_0F && insn->opcode == 0x01 && insn->has_modrm &&
	    ((insn->reg & 7) == 6 || (insn->reg & 7) == 4)) {
		e->cr.type = (insn->reg & 7) == 6 ? CR_LMSW : CR_SMSW;
		e->cr.gpr = insn->mod == 3 ? insn->rm : -1;
		return true;
	}
	guest_stop(g, GUEST_STOP_FATAL, "control-register exit on an unexpected instruction "
		   "(map %u opcode %02x) at rip %llx", insn->opcode_map, insn->opcode,
		   (unsigned long long)g->vcpu.rip);
	return false;
}

/* The segment of insn's memory operand: its override, else SS for an rSP or rBP base, else DS
 * (SDM Vol. 1 3.7.4). */
static int operand_segment(const struct x86_insn *insn)
{
	if (insn->segment >= 0)
		return insn->segment;
	return insn->base == GPR_RSP || insn->base == GPR_RBP ? SEG_SS : SEG_DS;
}

/* The linear address of a memory operand of insn (LMSW source, SMSW destination). */
static uint64_t operand_linear(struct guest *g, const struct x86_insn *insn)
{
	struct vcpu *v = &g->vcpu;
	int seg = operand_segment(insn);
	uint64_t ea = x86_effective_address(insn, v->gpr, v->rip + insn->len);
	struct segment s;

	if (guest_in_64bit_mode(g) && seg != SEG_FS && seg != SEG_GS)
		return ea;
	v->ops->get_segment(v, seg, &s);
	return s.base + ea;
}

/* LMSW's source or SMSW's destination in memory: one 16-bit access by the instruction, checked
 * at its CPL like any other (guest/gva.h). */
static bool msw_memory(struct guest *g, const struct x86_insn *insn, uint16_t *value, bool write)
{
	uint64_t linear = operand_linear(g, insn);
	struct emu_who who = guest_emu_who(g);
	struct x86_fault f;
	enum emu_mem_status st;

	who.via_ss = operand_segment(insn) == SEG_SS;
	st = write ? guest_emu_write(g, &who, linear, value, 2, &f)
		   : guest_emu_read(g, &who, linear, value, 2, &f);
	if (st == EMU_MEM_FAULT)
		guest_queue_fault(g, &f);
	else if (st != EMU_MEM_OK)
		guest_stop(g, GUEST_STOP_FATAL, "LMSW/SMSW operand at %llx is not accessible",
			   (unsigned long long)linear);
	return st == EMU_MEM_OK;
}

static void cr_write_gpr(struct guest *g, int gpr, uint64_t value)
{
	g->vcpu.gpr[gpr] = guest_in_64bit_mode(g) ? value : (uint32_t)value;
}

void exit_cr_access(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	struct x86_insn insn = { .len = 0 };
	uint16_t msw = e->cr.lmsw_value;
	uint64_t value;

	if ((e->cr.gpr < 0 || !e->insn_len) && !cr_decode(g, e, &insn))
		return;
	switch (e->cr.type) {
	case CR_MOV_TO:
		value = v->gpr[e->cr.gpr];
		if (!guest_in_64bit_mode(g))
			value = (uint32_t)value;
		if (!cr_write(g, e->cr.cr, value)) {
			inject_gp(v);
			return;
		}
		break;
	case CR_MOV_FROM:
		if (e->cr.cr != 0 && e->cr.cr != 2 && e->cr.cr != 3 && e->cr.cr != 4 && e->cr.cr != 8) {
			vcpu_queue_exception(v, EXC_UD, false, 0);
			return;
		}
		cr_write_gpr(g, e->cr.gpr, cr_read(g, e->cr.cr));
		break;
	case CR_CLTS:
		guest_set_cr0(g, v->cr0 & ~CR0_TS);
		break;
	case CR_LMSW:
		if (!e->cr.lmsw_known && e->cr.gpr < 0 && !msw_memory(g, &insn, &msw, false))
			return;
		if (!e->cr.lmsw_known && e->cr.gpr >= 0)
			msw = v->gpr[e->cr.gpr] & 0xffff;
		/* LMSW cannot clear PE (SDM Vol. 2A LMSW). */
		value = (v->cr0 & ~(uint64_t)CR0_LMSW_BITS) | (msw & CR0_LMSW_BITS) | (v->cr0 & CR0_PE);
		guest_set_cr0(g, value);
		break;
	case CR_SMSW:
		msw = v->cr0 & 0xffff;
		if (e->cr.gpr >= 0 && insn.len && insn.operand_size == 2)
			/* SMSW r16 writes only the low 16 bits of the register (SDM Vol. 2B SMSW). */
			v->gpr[e->cr.gpr] = (v->gpr[e->cr.gpr] & ~0xffffULL) | msw;
		else if (e->cr.gpr >= 0)
			cr_write_gpr(g, e->cr.gpr, v->cr0 & 0xffffffffULL);
		else if (!msw_memory(g, &insn, &msw, true))
			return;
		break;
	}
	if (g->stop == GUEST_RUNNING)
		vcpu_skip_instruction(v, e);
}
