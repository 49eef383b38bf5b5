/* What the guest sees of CPUID: the host's answers reduced to the features that work in the
 * guest, the hypervisor bit set, and Umbra's own leaves at 0x40000000. */
#ifndef UMBRA_GUEST_EXITS_CPUID_POLICY_H
#define UMBRA_GUEST_EXITS_CPUID_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/cpu.h"

#define CPUID_HV_BASE		0x40000000	/* hypervisor leaves (Intel SDM Vol. 2A notes leaves 4000_0000h-4FFF_FFFFh are reserved for this) */
#define CPUID_HV_INTERFACE	0x40000001
#define CPUID_HV_MAX		CPUID_HV_INTERFACE
#define UMBRA_CPUID_SIGNATURE	"UmbraUmbraUm"
#define UMBRA_INTERFACE_VERSION	1

/* What the guest's answer depends on besides the host's. */
struct cpuid_env {
	uint64_t cr4;		/* the guest's CR4: CPUID.1:ECX.OSXSAVE mirrors its OSXSAVE */
	bool rdtscp_faults;	/* RDTSCP and RDPID raise #UD in this guest (struct vcpu) */
	bool no_xsave;		/* Umbra left CR4.OSXSAVE clear for itself: no XSAVE at all */
	uint32_t max_leaf;	/* the host's highest basic leaf (leaf 0 EAX) */
	uint64_t tsc_hz;	/* the guest's TSC rate: the host's, as Umbra measured it; 0 unknown */
};

/* Computes the guest's answer for (leaf, subleaf) from the host's answer in *r. */
void cpuid_policy_apply(uint32_t leaf, uint32_t subleaf, const struct cpuid_env *env,
			struct cpuid_regs *r);
struct vcpu;
/* The guest's answer for (leaf, subleaf): the host's through the policy (exits/cpuid.c). */
struct cpuid_regs guest_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t subleaf);

/* True when the leaf is Umbra's own (no host query needed). */
static inline int cpuid_is_hypervisor_leaf(uint32_t leaf)
{
	return (leaf & 0xffff0000) == CPUID_HV_BASE;
}

#endif
