/* What the guest sees of CPUID: the host's answers with virtualization and unvirtualized features
 * hidden, the hypervisor bit set, and Umbra's own leaves at 0x40000000. */
#ifndef UMBRA_GUEST_EXITS_CPUID_POLICY_H
#define UMBRA_GUEST_EXITS_CPUID_POLICY_H

#include <stdint.h>

#include "arch/cpu.h"

#define CPUID_HV_BASE		0x40000000	/* hypervisor leaves (Intel SDM Vol. 2A notes leaves 4000_0000h-4FFF_FFFFh are reserved for this) */
#define CPUID_HV_INTERFACE	0x40000001
#define CPUID_HV_MAX		CPUID_HV_INTERFACE
#define UMBRA_CPUID_SIGNATURE	"UmbraUmbraUm"
#define UMBRA_INTERFACE_VERSION	1

/* Computes the guest's answer for (leaf, subleaf) from the host's answer in *r; guest_cr4 feeds
 * the bits that mirror CR4 (OSXSAVE). */
void cpuid_policy_apply(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4, struct cpuid_regs *r);
/* True when the leaf is Umbra's own (no host query needed). */
static inline int cpuid_is_hypervisor_leaf(uint32_t leaf)
{
	return (leaf & 0xffff0000) == CPUID_HV_BASE;
}

#endif
