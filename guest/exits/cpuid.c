/* CPUID: the host's answer, filtered by the guest's CPUID policy (cpuid_policy.c). */
#include "guest/exits/exits.h"
#include "guest/exits/cpuid_policy.h"
#include "guest/guest.h"
#include "arch/cpu_info.h"
#include "arch/cpuid.h"

void exit_cpuid(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	uint32_t leaf = v->gpr[GPR_RAX], subleaf = v->gpr[GPR_RCX];
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (!cpuid_is_hypervisor_leaf(leaf))
		r = cpuid(leaf, subleaf);
	/* XSAVE only where Umbra enabled it for itself (boot/main.c cpu_init). */
	if (!cpu_has(g->host_cpu->leaf1_ecx, CPUID_1_ECX_XSAVE)) {
		if (leaf == CPUID_LEAF_FEATURES)
			r.ecx &= ~CPUID_1_ECX_XSAVE;
		else if (leaf == CPUID_LEAF_XSAVE)
			r = (struct cpuid_regs){ 0, 0, 0, 0 };
	}
	cpuid_policy_apply(leaf, subleaf, v->cr4, &r);
	v->gpr[GPR_RAX] = r.eax;
	v->gpr[GPR_RBX] = r.ebx;
	v->gpr[GPR_RCX] = r.ecx;
	v->gpr[GPR_RDX] = r.edx;
	vcpu_skip_instruction(v, e);
}
