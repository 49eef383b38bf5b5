/* CPUID policy: hide what Umbra does not virtualize, announce the hypervisor. */
#include "guest/exits/cpuid_policy.h"
#include "guest/exits/xcr0_policy.h"
#include "arch/cpuid.h"
#include "arch/cr.h"
#include "lib/string.h"

/* Bits hidden from the guest, with the reason. */
#define HIDE_1_ECX (CPUID_1_ECX_VMX		/* no nested virtualization */ \
		    | CPUID_1_ECX_SMX		/* no GETSEC/TXT */ \
		    | (1u << 3)			/* MONITOR/MWAIT: not intercepted */ \
		    | CPUID_1_ECX_PCID		/* the shadow MMU does not tag guest contexts */ \
		    | (1u << 21)		/* x2APIC: no virtual APIC */ \
		    | (1u << 24))		/* TSC deadline: no virtual APIC */
#define HIDE_1_EDX (CPUID_1_EDX_APIC)		/* no virtual local APIC yet */
#define HIDE_7_EBX ((1u << 10)			/* INVPCID: PCID is hidden */ \
		    | CPUID_7_EBX_MPX		/* its XCR0 state is not offered (xcr0_policy.h) */ \
		    | (1u << 2))		/* SGX */
#define HIDE_7_ECX ((1u << 3) | (1u << 4)	/* PKU, OSPKE: protection keys not shadowed */ \
		    | (1u << 16))		/* LA57: no 5-level paging */
#define HIDE_EXT1_ECX (CPUID_80000001_ECX_SVM)	/* no nested virtualization */

/* Leaf 0DH: subleaf 0 offers only the XCR0 components Umbra allows (xcr0_policy.h), and the
 * subleaf of each other component (i >= 2) reads as on a CPU without it (SDM Vol. 2A CPUID,
 * leaf 0DH). ECX of subleaf 0, the size for every supported component, stays the host's: it
 * may exceed what the offered ones need, which is safe for a buffer size. */
static void cpuid_policy_xsave(uint32_t subleaf, struct cpuid_regs *r)
{
	uint64_t offered = xcr0_guest_supported(((uint64_t)r->edx << 32) | r->eax);

	if (subleaf == 0) {
		r->eax = (uint32_t)offered;
		r->edx = (uint32_t)(offered >> 32);
	} else if (subleaf >= 2 && subleaf < 63 && !(XCR0_GUEST_ALLOWED & (1ull << subleaf))) {
		r->eax = r->ebx = r->ecx = r->edx = 0;
	}
}

void cpuid_policy_apply(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4, struct cpuid_regs *r)
{
	switch (leaf) {
	case CPUID_LEAF_FEATURES:
		r->ecx &= ~(HIDE_1_ECX | CPUID_1_ECX_OSXSAVE);
		r->ecx |= CPUID_1_ECX_HYPERVISOR;
		/* OSXSAVE mirrors CR4.OSXSAVE (SDM Vol. 2A CPUID), the guest's, not Umbra's. */
		if (guest_cr4 & CR4_OSXSAVE)
			r->ecx |= CPUID_1_ECX_OSXSAVE;
		r->edx &= ~HIDE_1_EDX;
		/* EBX[31:24] is the initial APIC ID; one vCPU, ID 0. */
		r->ebx &= 0x00ffffff;
		break;
	case CPUID_LEAF_EXT_FEATURES:
		if (subleaf == 0) {
			r->ebx &= ~HIDE_7_EBX;
			r->ecx &= ~HIDE_7_ECX;
		}
		break;
	case CPUID_LEAF_XSAVE:
		cpuid_policy_xsave(subleaf, r);
		break;
	case 0x0000000a:	/* architectural performance monitoring: not virtualized */
	case CPUID_LEAF_SVM:	/* SVM features of a hidden SVM */
		r->eax = r->ebx = r->ecx = r->edx = 0;
		break;
	case CPUID_LEAF_EXT_SIGNATURE:
		r->ecx &= ~HIDE_EXT1_ECX;
		break;
	case CPUID_HV_BASE:
		r->eax = CPUID_HV_MAX;
		memcpy(&r->ebx, UMBRA_CPUID_SIGNATURE + 0, 4);
		memcpy(&r->ecx, UMBRA_CPUID_SIGNATURE + 4, 4);
		memcpy(&r->edx, UMBRA_CPUID_SIGNATURE + 8, 4);
		break;
	case CPUID_HV_INTERFACE:
		r->eax = UMBRA_INTERFACE_VERSION;
		r->ebx = r->ecx = r->edx = 0;
		break;
	default:
		/* Other hypervisor-range leaves are empty. */
		if (cpuid_is_hypervisor_leaf(leaf))
			r->eax = r->ebx = r->ecx = r->edx = 0;
		break;
	}
}
