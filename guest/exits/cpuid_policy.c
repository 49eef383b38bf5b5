/*
 * CPUID policy: the guest sees a feature only when it works in the guest. Feature registers
 * are filtered through lists of what is kept (a bit a newer CPU adds stays hidden until it is
 * known to work); leaves that describe hardware Umbra does not virtualize read as zero.
 *
 * A feature works when its instructions run natively in the guest on both backends and every
 * MSR it brings is modelled by the MSR policy (msr_policy.c) or goes to the hardware. Bit
 * numbers: Intel SDM Vol. 2A "CPUID" (tables 3-8, 3-10, 3-11); AMD APM Vol. 3 appendix E.
 */
#include "guest/exits/cpuid_policy.h"
#include "guest/exits/xcr0_policy.h"
#include "arch/cpuid.h"
#include "arch/cr.h"
#include "lib/string.h"

#define BIT(n)	(1u << (n))

/* Leaf 1 ECX. Hidden: DTES64 and DS-CPL (BTS and PEBS are unavailable), MONITOR (SVM runs
 * MWAIT natively), VMX, SMX, EIST and TM2 (power MSRs), CNXT-ID, SDBG, xTPR (no APIC), PDCM
 * (no perfmon), PCID (the shadow MMU does not tag contexts), DCA, x2APIC, TSC deadline. */
#define KEEP_1_ECX (BIT(0)	/* SSE3 */ \
		  | BIT(1)	/* PCLMULQDQ */ \
		  | BIT(9)	/* SSSE3 */ \
		  | BIT(12)	/* FMA */ \
		  | BIT(13)	/* CMPXCHG16B */ \
		  | BIT(19)	/* SSE4.1 */ \
		  | BIT(20)	/* SSE4.2 */ \
		  | BIT(22)	/* MOVBE */ \
		  | BIT(23)	/* POPCNT */ \
		  | BIT(25)	/* AES */ \
		  | BIT(26)	/* XSAVE; OSXSAVE (27) mirrors the guest's CR4 */ \
		  | BIT(28)	/* AVX */ \
		  | BIT(29)	/* F16C */ \
		  | BIT(30))	/* RDRAND */

/* Leaf 1 EDX. Hidden: APIC (no virtual local APIC yet), MTRR (no MTRR MSRs), PSN, ACPI and TM
 * (thermal MSRs), PBE. MCE/MCA and DS come with the MSRs msr_policy.c models. */
#define KEEP_1_EDX (BIT(0) | BIT(1) | BIT(2) | BIT(3)	/* FPU, VME, DE, PSE */ \
		  | BIT(4) | BIT(5) | BIT(6) | BIT(7)	/* TSC, MSR, PAE, MCE */ \
		  | BIT(8)	/* CX8 */ \
		  | BIT(11)	/* SEP: SYSENTER MSRs go to the hardware */ \
		  | BIT(13) | BIT(14) | BIT(15)		/* PGE, MCA, CMOV */ \
		  | BIT(16) | BIT(17)			/* PAT, PSE-36 */ \
		  | BIT(19)	/* CLFSH */ \
		  | BIT(21)	/* DS: IA32_DS_AREA */ \
		  | BIT(23) | BIT(24) | BIT(25) | BIT(26)	/* MMX, FXSR, SSE, SSE2 */ \
		  | BIT(27) | BIT(28))			/* SS, HTT */

/* Leaf 7 subleaf 0 EBX. Hidden: TSC_ADJUST (not modelled), SGX, INVPCID (PCID is hidden),
 * RDT-M and RDT-A (QoS MSRs), MPX (its XCR0 state is not offered), PT (IA32_RTIT_*). */
#define KEEP_7_EBX (BIT(0)	/* FSGSBASE */ \
		  | BIT(3) | BIT(4) | BIT(5)		/* BMI1, HLE, AVX2 */ \
		  | BIT(6)	/* FDP_EXCPTN_ONLY */ \
		  | BIT(7) | BIT(8) | BIT(9)		/* SMEP, BMI2, ERMS */ \
		  | BIT(11)	/* RTM */ \
		  | BIT(13)	/* FPU CS and DS deprecated */ \
		  | BIT(16) | BIT(17)			/* AVX512F, AVX512DQ */ \
		  | BIT(18) | BIT(19) | BIT(20)		/* RDSEED, ADX, SMAP */ \
		  | BIT(21)	/* AVX512_IFMA */ \
		  | BIT(23) | BIT(24)			/* CLFLUSHOPT, CLWB */ \
		  | BIT(26) | BIT(27) | BIT(28)		/* AVX512PF, AVX512ER, AVX512CD */ \
		  | BIT(29)	/* SHA */ \
		  | BIT(30) | BIT(31))			/* AVX512BW, AVX512VL */

/* Leaf 7 subleaf 0 ECX. Hidden: PKU and OSPKE (protection keys are not shadowed), WAITPKG
 * (VMX "enable user wait and pause" is off, so UMWAIT #UDs; IA32_UMWAIT_CONTROL is not
 * modelled), CET (its MSRs and XSS state), TME, LA57, Key Locker, bus-lock detection,
 * ENQCMD, SGX_LC, PKS. RDPID follows the backend (cpuid_policy_apply). */
#define KEEP_7_ECX (BIT(0)	/* PREFETCHWT1 */ \
		  | BIT(1)	/* AVX512_VBMI */ \
		  | BIT(2)	/* UMIP: CR4.UMIP reaches the hardware */ \
		  | BIT(6)	/* AVX512_VBMI2 */ \
		  | BIT(8) | BIT(9) | BIT(10)		/* GFNI, VAES, VPCLMULQDQ */ \
		  | BIT(11) | BIT(12)			/* AVX512_VNNI, AVX512_BITALG */ \
		  | BIT(14)	/* AVX512_VPOPCNTDQ */ \
		  | CPUID_7_ECX_RDPID \
		  | BIT(25)	/* CLDEMOTE */ \
		  | BIT(27) | BIT(28))			/* MOVDIRI, MOVDIR64B */

/* Leaf 7 subleaf 0 EDX. Hidden: UINTR, SRBDS_CTRL, TSX_FORCE_ABORT, PCONFIG, arch LBR,
 * CET_IBT, and IBRS/IBPB, STIBP, L1D_FLUSH, ARCH_CAPABILITIES, CORE_CAPABILITIES, SSBD: their
 * MSRs (SPEC_CTRL, PRED_CMD, FLUSH_CMD, ...) are neither passed through nor modelled. */
#define KEEP_7_EDX (BIT(2) | BIT(3)	/* AVX512_4VNNIW, AVX512_4FMAPS */ \
		  | BIT(4)	/* FSRM */ \
		  | BIT(8)	/* AVX512_VP2INTERSECT */ \
		  | BIT(10)	/* MD_CLEAR: what VERW does natively */ \
		  | BIT(11)	/* RTM_ALWAYS_ABORT */ \
		  | BIT(14) | BIT(15) | BIT(16)		/* SERIALIZE, hybrid, TSXLDTRK */ \
		  | BIT(22) | BIT(23)			/* AMX_BF16, AVX512_FP16 */ \
		  | BIT(24) | BIT(25))			/* AMX_TILE, AMX_INT8 */

/* Leaf 7 subleaf 1 EAX. Hidden: LASS, arch perfmon extensions, FRED, LKGS, WRMSRNS (Umbra's
 * decoder does not know it), HRESET, LAM, MSRLIST. */
#define KEEP_7_1_EAX (BIT(0) | BIT(1) | BIT(2)	/* SHA512, SM3, SM4 */ \
		    | BIT(3)	/* RAO-INT */ \
		    | BIT(4) | BIT(5)			/* AVX-VNNI, AVX512_BF16 */ \
		    | BIT(7)	/* CMPCCXADD */ \
		    | BIT(10) | BIT(11) | BIT(12)	/* fast zero-length MOVSB, STOSB, CMPSB */ \
		    | BIT(21)	/* AMX_FP16 */ \
		    | BIT(23))	/* AVX-IFMA */

/* Leaf 7 subleaf 1 EDX. Hidden: USER_MSR, UIRET_UIF, CET_SSS, APX (not offered in XCR0). */
#define KEEP_7_1_EDX (BIT(4) | BIT(5)		/* AVX-VNNI-INT8, AVX-NE-CONVERT */ \
		    | BIT(8)	/* AMX-COMPLEX */ \
		    | BIT(10)	/* AVX-VNNI-INT16 */ \
		    | BIT(14)	/* PREFETCHI */ \
		    | BIT(19))	/* AVX10 */

/* Leaf 0DH subleaf 1 EAX. Hidden: XSAVES (VMX "enable XSAVES/XRSTORS" is off, and IA32_XSS
 * is not modelled) and XFD (IA32_XFD is not modelled). */
#define KEEP_D1_EAX (BIT(0) | BIT(1) | BIT(2))	/* XSAVEOPT, XSAVEC, XGETBV with ECX=1 */

/* Leaf 8000_0001h ECX. Hidden: SVM, extended APIC space, LOCK MOV CR0 as CR8, OSVW, IBS,
 * SKINIT, WDT, LWP, TCE, NodeId, the extended counters (core, NB, LLC), data breakpoint
 * extensions, PerfTsc, MONITORX, address mask extension: each brings MSRs or intercepts
 * Umbra does not have. */
#define KEEP_EXT1_ECX (BIT(0)	/* LAHF/SAHF in 64-bit mode */ \
		     | BIT(1)	/* CmpLegacy */ \
		     | BIT(5) | BIT(6)		/* ABM (LZCNT), SSE4A */ \
		     | BIT(7) | BIT(8)		/* misaligned SSE, PREFETCHW */ \
		     | BIT(11)	/* XOP */ \
		     | BIT(16)	/* FMA4 */ \
		     | BIT(21) | BIT(22))	/* TBM, topology extensions */

/* Leaf 8000_0001h EDX. Hidden: APIC, MTRR, MP, FFXSR (EFER.FFXSR cannot be set). RDTSCP
 * follows the backend (cpuid_policy_apply). */
#define KEEP_EXT1_EDX (BIT(0) | BIT(1) | BIT(2) | BIT(3)	/* FPU, VME, DE, PSE */ \
		     | BIT(4) | BIT(5) | BIT(6) | BIT(7)	/* TSC, MSR, PAE, MCE */ \
		     | BIT(8)	/* CX8 */ \
		     | BIT(11)	/* SYSCALL: its MSRs go to the hardware */ \
		     | BIT(13) | BIT(14) | BIT(15)	/* PGE, MCA, CMOV */ \
		     | BIT(16) | BIT(17)		/* PAT, PSE-36 */ \
		     | BIT(20)	/* NX */ \
		     | BIT(22) | BIT(23) | BIT(24)	/* MMXExt, MMX, FXSR */ \
		     | BIT(26)	/* 1 GiB pages: the shadow MMU splits them */ \
		     | CPUID_80000001_EDX_RDTSCP \
		     | BIT(29)	/* LM */ \
		     | BIT(30) | BIT(31))		/* 3DNow! extensions, 3DNow! */

/* Leaf 8000_0007h EDX: only the invariant TSC; the rest are power-management MSRs. */
#define KEEP_EXT7_EDX BIT(8)

/* Leaf 8000_0008h EBX. Hidden: InstRetCntMsr, RDPRU, MCOMMIT, PPIN and the IBPB, IBRS, STIBP,
 * SSBD and VIRT_SSBD controls (no SPEC_CTRL, PRED_CMD or VIRT_SPEC_CTRL). */
#define KEEP_EXT8_EBX (BIT(0)	/* CLZERO */ \
		     | BIT(2)	/* XSAVE always saves the x87 error pointers */ \
		     | BIT(9))	/* WBNOINVD */

/* Leaf 8000_0021h EAX: statements about the processor's behaviour only. */
#define KEEP_EXT21_EAX (BIT(0)	/* no nested data breakpoints */ \
		      | BIT(2)	/* LFENCE always serializing */ \
		      | BIT(6))	/* a null selector clears the base */

/* Leaves that describe hardware the guest does not get: they read as zero. */
static const uint32_t zero_leaves[] = {
	CPUID_LEAF_MONITOR,	/* MONITOR/MWAIT is hidden */
	CPUID_LEAF_POWER,	/* thermal and power management MSRs */
	0x00000009,		/* direct cache access */
	CPUID_LEAF_PERFMON,	/* architectural performance monitoring */
	0x0000000f, 0x00000010,	/* RDT monitoring and allocation */
	0x00000012,		/* SGX */
	0x00000014,		/* processor trace */
	0x00000019,		/* Key Locker */
	0x0000001b,		/* PCONFIG */
	0x0000001c,		/* architectural LBRs */
	0x00000020,		/* HRESET */
	0x00000023,		/* architectural perfmon extensions */
	CPUID_LEAF_SVM,		/* SVM features of a hidden SVM */
	0x8000001b,		/* IBS */
	0x8000001c,		/* LWP */
	0x8000001f,		/* SME and SEV */
	0x80000020,		/* platform QoS */
	0x80000022,		/* performance monitoring v2 */
};

static void zero(struct cpuid_regs *r)
{
	r->eax = r->ebx = r->ecx = r->edx = 0;
}

static bool zero_leaf(uint32_t leaf)
{
	for (unsigned i = 0; i < sizeof(zero_leaves) / sizeof(zero_leaves[0]); i++)
		if (zero_leaves[i] == leaf)
			return true;
	return false;
}

/* RDTSCP and RDPID (both read TSC_AUX): bit when the backend makes them #UD, to hide it. */
static uint32_t rdtscp_hidden(const struct cpuid_env *env, uint32_t bit)
{
	return env->rdtscp_faults ? bit : 0;
}

static void policy_features(const struct cpuid_env *env, struct cpuid_regs *r)
{
	r->ecx &= KEEP_1_ECX;
	if (env->no_xsave)
		r->ecx &= ~CPUID_1_ECX_XSAVE;
	r->ecx |= CPUID_1_ECX_HYPERVISOR;
	/* OSXSAVE mirrors CR4.OSXSAVE (SDM Vol. 2A CPUID), the guest's, not Umbra's. */
	if ((env->cr4 & CR4_OSXSAVE) && (r->ecx & CPUID_1_ECX_XSAVE))
		r->ecx |= CPUID_1_ECX_OSXSAVE;
	r->edx &= KEEP_1_EDX;
	/* EBX[31:24] is the initial APIC ID; one vCPU, ID 0. */
	r->ebx &= 0x00ffffff;
}

/* Leaf 7: subleaf 0 and 1 filtered, subleaf 2 and above (the SPEC_CTRL controls) hidden;
 * EAX of subleaf 0, the highest subleaf, stays. */
static void policy_ext_features(uint32_t subleaf, const struct cpuid_env *env,
				struct cpuid_regs *r)
{
	if (subleaf == 0) {
		r->ebx &= KEEP_7_EBX;
		r->ecx &= KEEP_7_ECX & ~rdtscp_hidden(env, CPUID_7_ECX_RDPID);
		r->edx &= KEEP_7_EDX;
	} else if (subleaf == 1) {
		r->eax &= KEEP_7_1_EAX;
		r->ebx = r->ecx = 0;
		r->edx &= KEEP_7_1_EDX;
	} else {
		zero(r);
	}
}

/* Leaf 0DH: subleaf 0 offers only the XCR0 components Umbra allows (xcr0_policy.h), subleaf 1
 * no IA32_XSS components, and the subleaf of every other component (i >= 2) reads as on a
 * CPU without it (SDM Vol. 2A CPUID, leaf 0DH). ECX of subleaf 0, the size for every
 * supported component, stays the host's: it may exceed what the offered ones need, which is
 * safe for a buffer size. */
static void policy_xsave(uint32_t subleaf, struct cpuid_regs *r)
{
	uint64_t offered = xcr0_guest_supported(((uint64_t)r->edx << 32) | r->eax);

	if (subleaf == 0) {
		r->eax = (uint32_t)offered;
		r->edx = (uint32_t)(offered >> 32);
	} else if (subleaf == 1) {
		r->eax &= KEEP_D1_EAX;
		r->ecx = r->edx = 0;
	} else if (subleaf < 63 && !(XCR0_GUEST_ALLOWED & (1ull << subleaf))) {
		zero(r);
	}
}

/*
 * Leaves 15H and 16H describe the TSC's rate (SDM Vol. 2A CPUID: TSC = ECX * EBX / EAX, the
 * crystal's Hz times a ratio; 16H EAX/EBX the base and maximum frequency in MHz, which kernels
 * take for the TSC's when 15H says nothing). The guest's TSC runs at the host's rate, which is
 * not what the CPU model says under an emulator (Bochs's TSC counts instructions; its model
 * claims 3.5 GHz), so both leaves report the rate Umbra measured: a kernel that trusts them
 * keeps time with the virtual PIT and RTC. EAX = 1 and ECX * EBX = tsc_hz, to within EBX Hz
 * when the rate does not fit ECX.
 */
static void policy_tsc_rate(uint32_t leaf, const struct cpuid_env *env, struct cpuid_regs *r)
{
	uint64_t ratio = env->tsc_hz / UINT32_MAX + 1;
	uint32_t mhz = (uint32_t)((env->tsc_hz + 500000) / 1000000);

	if (!env->tsc_hz || leaf > env->max_leaf)
		return;		/* above the host's last leaf, the CPU's own answer stays */
	if (leaf == CPUID_LEAF_TSC) {
		r->eax = 1;
		r->ebx = (uint32_t)ratio;
		r->ecx = (uint32_t)(env->tsc_hz / ratio);
	} else {
		r->eax = r->ebx = mhz > 0xffff ? 0xffff : (mhz ? mhz : 1);
	}
}

static void policy_hypervisor(uint32_t leaf, struct cpuid_regs *r)
{
	zero(r);
	if (leaf == CPUID_HV_BASE) {
		r->eax = CPUID_HV_MAX;
		memcpy(&r->ebx, UMBRA_CPUID_SIGNATURE + 0, 4);
		memcpy(&r->ecx, UMBRA_CPUID_SIGNATURE + 4, 4);
		memcpy(&r->edx, UMBRA_CPUID_SIGNATURE + 8, 4);
	} else if (leaf == CPUID_HV_INTERFACE) {
		r->eax = UMBRA_INTERFACE_VERSION;
	}
	/* Other hypervisor-range leaves are empty. */
}

void cpuid_policy_apply(uint32_t leaf, uint32_t subleaf, const struct cpuid_env *env,
			struct cpuid_regs *r)
{
	if (zero_leaf(leaf)) {
		zero(r);
		return;
	}
	if (cpuid_is_hypervisor_leaf(leaf)) {
		policy_hypervisor(leaf, r);
		return;
	}
	switch (leaf) {
	case CPUID_LEAF_FEATURES:
		policy_features(env, r);
		break;
	case CPUID_LEAF_EXT_FEATURES:
		policy_ext_features(subleaf, env, r);
		break;
	case CPUID_LEAF_XSAVE:
		if (env->no_xsave)
			zero(r);
		else
			policy_xsave(subleaf, r);
		break;
	case CPUID_LEAF_TSC:
	case CPUID_LEAF_FREQ:
		policy_tsc_rate(leaf, env, r);
		break;
	case CPUID_LEAF_EXT_SIGNATURE:
		r->ecx &= KEEP_EXT1_ECX;
		r->edx &= KEEP_EXT1_EDX & ~rdtscp_hidden(env, CPUID_80000001_EDX_RDTSCP);
		break;
	case CPUID_LEAF_EXT_POWER:
		r->eax = r->ebx = r->ecx = 0;
		r->edx &= KEEP_EXT7_EDX;
		break;
	case CPUID_LEAF_ADDR_SIZES:
		/* EAX[15:8], the linear-address width: 48 while LA57 is hidden. */
		if (((r->eax >> 8) & 0xff) > 48)
			r->eax = (r->eax & ~0xff00u) | (48u << 8);
		r->ebx &= KEEP_EXT8_EBX;
		r->edx = 0;		/* INVLPGB and RDPRU limits: both are hidden */
		break;
	case CPUID_LEAF_EXT_FEATURES2:
		r->eax &= KEEP_EXT21_EAX;
		r->ebx = r->ecx = r->edx = 0;
		break;
	}
}
