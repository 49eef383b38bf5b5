/* CPUID: the host's answer, filtered by the guest's CPUID policy (cpuid_policy.c). */
#include "guest/exits/exits.h"
#include "guest/exits/cpuid_policy.h"
#include "guest/guest.h"
#include "arch/cpu_info.h"
#include "arch/cpuid.h"
#include "arch/tsc.h"

struct cpuid_regs guest_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_env env = {
		.cr4 = v->cr4, .rdtscp_faults = v->rdtscp_faults,
		/* XSAVE only where Umbra enabled it for itself (boot/main.c cpu_init). */
		.no_xsave = !cpu_has(v->guest->host_cpu->leaf1_ecx, CPUID_1_ECX_XSAVE),
		.max_leaf = v->guest->host_cpu->max_leaf,
		.tsc_hz = tsc_hz(),
	};
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (!cpuid_is_hypervisor_leaf(leaf))
		r = cpuid(leaf, subleaf);
	cpuid_policy_apply(leaf, subleaf, &env, &r);
	return r;
}

void exit_cpuid(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	struct cpuid_regs r = guest_cpuid(v, v->gpr[GPR_RAX], v->gpr[GPR_RCX]);

	v->gpr[GPR_RAX] = r.eax;
	v->gpr[GPR_RBX] = r.ebx;
	v->gpr[GPR_RCX] = r.ecx;
	v->gpr[GPR_RDX] = r.edx;
	vcpu_skip_instruction(v, e);
}
