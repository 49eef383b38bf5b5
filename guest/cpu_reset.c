/* The guest's processor state at reset, beyond the registers the backend loads. */
#include "guest/cpu_reset.h"
#include "guest/apic_wiring.h"
#include "guest/exits/cpuid_policy.h"
#include "guest/exits/msr_access.h"
#include "guest/guest.h"
#include "guest/mode.h"
#include "arch/cpu_info.h"
#include "arch/cpuid.h"
#include "arch/xsave.h"
#include "lib/string.h"

/* A leaf of the guest's CPUID, or zeros beyond the highest one (which would otherwise repeat
 * the highest leaf's data, SDM Vol. 2A CPUID). */
static struct cpuid_regs guest_leaf(const struct guest *g, uint32_t leaf, uint32_t max)
{
	struct cpuid_regs none = { 0, 0, 0, 0 };

	return leaf <= max ? guest_cpuid(&g->vcpu, leaf, 0) : none;
}

/* What the guest's CPUID shows that decides which MSRs exist. */
static struct msr_features guest_msr_features(const struct guest *g)
{
	const struct cpu_info *ci = g->host_cpu;
	struct cpuid_regs l1 = guest_leaf(g, CPUID_LEAF_FEATURES, ci->max_leaf);
	uint32_t linear = (guest_leaf(g, CPUID_LEAF_ADDR_SIZES, ci->max_ext_leaf).eax >> 8) & 0xff;

	return (struct msr_features){
		.intel = !strcmp(ci->vendor, "GenuineIntel"),
		.amd = cpu_is_amd(ci),
		.leaf1_ecx = l1.ecx,
		.leaf1_edx = l1.edx,
		.leaf7_ecx = guest_leaf(g, CPUID_LEAF_EXT_FEATURES, ci->max_leaf).ecx,
		.ext1_edx = guest_leaf(g, CPUID_LEAF_EXT_SIGNATURE, ci->max_ext_leaf).edx,
		.linear_bits = linear ? (uint8_t)linear : 48,
	};
}

void guest_cpu_reset(struct guest *g)
{
	struct msr_features cpu;

	guest_apic_reset(g);	/* first: CPUID's APIC bit follows IA32_APIC_BASE[11] */
	cpu = guest_msr_features(g);
	msr_access_reset(g, &cpu);
	/* The real XCR0 is the guest's from its first XSETBV on (exits/xsetbv.c); a reset must
	 * not leave the previous run's value behind its back. Its reset value passes every
	 * XSETBV check (SDM Vol. 1 13.3). */
	if (cpu_has(g->host_cpu->leaf1_ecx, CPUID_1_ECX_XSAVE))
		xcr_write(XCR_XFEATURE_ENABLED_MASK, g->vcpu.xcr0);
	/* With shadow paging the first entry builds the root; with TDP nothing would write the
	 * real control registers from the reset state before it. */
	if (guest_tdp(g))
		guest_reload_root(g);
}
