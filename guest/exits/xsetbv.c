/*
 * XSETBV: the guest loads XCR0. Umbra executes XSETBV on the host with the guest's value, so
 * every check the instruction makes must pass first (xcr0_policy.c): a value the processor
 * refuses would be a #GP in Umbra itself, and a value the guest may not have (CPL 3, a hidden
 * component) would reach the hardware.
 */
#include "guest/exits/exits.h"
#include "guest/exits/xcr0_policy.h"
#include "guest/guest.h"
#include "arch/cpu.h"
#include "arch/cpu_info.h"
#include "arch/cpuid.h"
#include "arch/cr.h"
#include "arch/rflags.h"
#include "arch/trap.h"

/* The guest's CPL: 0 with CR0.PE clear, 3 in virtual-8086 mode, otherwise SS.DPL (SDM Vol. 3A
 * 5.5; the VMCS keeps the CPL there, SDM Vol. 3C 24.4.1, and so does the VMCB's SS next to its
 * CPL field, APM Vol. 2 15.5.1). Real processors fault at CPL > 0 before the exit (SDM Vol. 3C
 * 25.1.1), but Bochs exits first, so Umbra checks too. */
static unsigned guest_cpl(struct guest *g)
{
	struct segment ss;

	if (!(g->vcpu.cr0 & CR0_PE))
		return 0;
	if (g->vcpu.rflags & RFLAGS_VM)
		return 3;
	g->vcpu.ops->get_segment(&g->vcpu, SEG_SS, &ss);
	return ss.dpl;
}

/* The XCR0 components the guest's CPUID offers (cpuid_policy.c shows the same mask). */
static uint64_t guest_xcr0_supported(const struct guest *g)
{
	struct cpuid_regs d;

	if (!cpu_has(g->host_cpu->leaf1_ecx, CPUID_1_ECX_XSAVE) ||
	    g->host_cpu->max_leaf < CPUID_LEAF_XSAVE)
		return 0;
	d = cpuid(CPUID_LEAF_XSAVE, 0);
	return xcr0_guest_supported(((uint64_t)d.edx << 32) | d.eax);
}

void exit_xsetbv(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	struct xsetbv_request r = {
		.cpl = guest_cpl(g),
		.xsave = cpu_has(g->host_cpu->leaf1_ecx, CPUID_1_ECX_XSAVE),
		.osxsave = v->cr4 & CR4_OSXSAVE,
		.xcr = (uint32_t)v->gpr[GPR_RCX],
		.value = (v->gpr[GPR_RDX] << 32) | (uint32_t)v->gpr[GPR_RAX],
		.supported = guest_xcr0_supported(g),
	};

	switch (xsetbv_check(&r)) {
	case XSETBV_UD:
		vcpu_queue_exception(v, EXC_UD, false, 0);
		return;
	case XSETBV_GP:
		vcpu_queue_exception(v, EXC_GP, true, 0);
		return;
	case XSETBV_LOAD:
		break;
	}
	/* Umbra itself uses no extended state (-mgeneral-regs-only), so the guest's XCR0 stays in
	 * the real register across exits. */
	xcr_write(XCR_XFEATURE_ENABLED_MASK, r.value);
	v->xcr0 = r.value;
	vcpu_skip_instruction(v, e);
}
