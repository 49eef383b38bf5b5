/*
 * hostile_cpuid: every feature the guest's CPUID shows must work, so each feature that comes
 * with an MSR is checked against it: shown means the MSR answers, hidden means #GP(0) (Intel
 * SDM Vol. 4 gives each MSR the CPUID bit that makes it exist). A kernel trusts CPUID and
 * touches these MSRs without a fault handler.
 */
#include "guest.h"

static struct cpuid_regs leaf1, leaf6, leaf7, leaf_d1, perfmon, ext1, ext8;

static struct cpuid_regs leaf_if(uint32_t leaf, uint32_t subleaf, uint32_t max)
{
	struct cpuid_regs none = { 0, 0, 0, 0 };

	return leaf <= max ? cpuid(leaf, subleaf) : none;
}

static void read_cpuid(void)
{
	uint32_t max = cpuid(CPUID_LEAF_VENDOR, 0).eax, max_ext = cpuid(CPUID_LEAF_EXT_MAX, 0).eax;

	leaf1 = cpuid(CPUID_LEAF_FEATURES, 0);
	leaf6 = leaf_if(CPUID_LEAF_POWER, 0, max);
	leaf7 = leaf_if(CPUID_LEAF_EXT_FEATURES, 0, max);
	perfmon = leaf_if(CPUID_LEAF_PERFMON, 0, max);
	leaf_d1 = leaf_if(CPUID_LEAF_XSAVE, 1, max);
	ext1 = leaf_if(CPUID_LEAF_EXT_SIGNATURE, 0, max_ext);
	ext8 = leaf_if(CPUID_LEAF_ADDR_SIZES, 0, max_ext);
	gprintf("cpuid: 1 %08x %08x, 6 %08x %08x, 7 %08x %08x %08x, 0dh.1 %08x, 0ah %08x, "
		"80000001h %08x %08x, 80000008h.ebx %08x\n", leaf1.ecx, leaf1.edx, leaf6.eax,
		leaf6.ecx, leaf7.ebx, leaf7.ecx, leaf7.edx, leaf_d1.eax, perfmon.eax, ext1.ecx,
		ext1.edx, ext8.ebx);
}

enum access { READ, WRITE_1 };

/* The feature's MSR answers when it is shown, and raises #GP(0) when it is not. */
static void check_feature(const char *name, bool shown, uint32_t msr, enum access how)
{
	uint64_t v;
	struct fault f = how == READ ? rdmsr_safe(msr, &v) : wrmsr_safe(msr, 1);
	const char *op = how == READ ? "RDMSR" : "WRMSR";

	if (shown)
		CHECK_NO_FAULT(f, "%s: %s 0x%x works, as CPUID shows %s", name, op, msr, name);
	else
		CHECK_FAULT(f, EXC_GP, 0, "%s: %s 0x%x raises #GP(0), as CPUID hides %s", name, op,
			    msr, name);
}

void guest_main(void)
{
	read_cpuid();
	check_feature("SPEC_CTRL", (leaf7.edx & (CPUID_7_EDX_IBRS_IBPB | CPUID_7_EDX_STIBP |
						 CPUID_7_EDX_SSBD)) ||
		      (ext8.ebx & (CPUID_80000008_EBX_IBRS | CPUID_80000008_EBX_STIBP |
				   CPUID_80000008_EBX_SSBD)), MSR_IA32_SPEC_CTRL, READ);
	check_feature("IBPB", (leaf7.edx & CPUID_7_EDX_IBRS_IBPB) ||
		      (ext8.ebx & CPUID_80000008_EBX_IBPB), MSR_IA32_PRED_CMD, WRITE_1);
	check_feature("ARCH_CAPABILITIES", leaf7.edx & CPUID_7_EDX_ARCH_CAPABILITIES,
		      MSR_IA32_ARCH_CAPABILITIES, READ);
	check_feature("CORE_CAPABILITIES", leaf7.edx & CPUID_7_EDX_CORE_CAPABILITIES,
		      MSR_IA32_CORE_CAPABILITIES, READ);
	check_feature("L1D_FLUSH", leaf7.edx & CPUID_7_EDX_L1D_FLUSH, MSR_IA32_FLUSH_CMD, WRITE_1);
	check_feature("WAITPKG", leaf7.ecx & CPUID_7_ECX_WAITPKG, MSR_IA32_UMWAIT_CONTROL, READ);
	check_feature("XSAVES", leaf_d1.eax & CPUID_D1_EAX_XSAVES, MSR_IA32_XSS, READ);
	check_feature("XFD", leaf_d1.eax & CPUID_D1_EAX_XFD, MSR_IA32_XFD, READ);
	check_feature("MTRR", leaf1.edx & CPUID_1_EDX_MTRR, MSR_IA32_MTRRCAP, READ);
	check_feature("MTRR", leaf1.edx & CPUID_1_EDX_MTRR, MSR_IA32_MTRR_DEF_TYPE, READ);
	check_feature("MPX", leaf7.ebx & CPUID_7_EBX_MPX, MSR_IA32_BNDCFGS, READ);
	check_feature("PT", leaf7.ebx & CPUID_7_EBX_PT, MSR_IA32_RTIT_CTL, READ);
	check_feature("RDT-M", leaf7.ebx & CPUID_7_EBX_RDT_M, 0xc8d, READ);	/* IA32_QM_EVTSEL */
	check_feature("RDT-A", leaf7.ebx & CPUID_7_EBX_RDT_A, 0xc8f, READ);	/* IA32_PQR_ASSOC */
	check_feature("CET", (leaf7.ecx & CPUID_7_ECX_CET_SS) || (leaf7.edx & CPUID_7_EDX_CET_IBT),
		      MSR_IA32_U_CET, READ);
	check_feature("EIST", leaf1.ecx & CPUID_1_ECX_EIST, MSR_IA32_PERF_STATUS, READ);
	check_feature("ACPI", leaf1.edx & CPUID_1_EDX_ACPI, MSR_IA32_THERM_STATUS, READ);
	check_feature("DCA", leaf1.ecx & CPUID_1_ECX_DCA, 0x1f8, READ);	/* IA32_PLATFORM_DCA_CAP */
	check_feature("HWP", leaf6.eax & CPUID_6_EAX_HWP, MSR_IA32_PM_ENABLE, READ);
	check_feature("APERFMPERF", leaf6.ecx & CPUID_6_ECX_APERFMPERF, MSR_IA32_MPERF, READ);
	check_feature("perfmon", perfmon.eax & 0xff, 0x186, READ);	/* IA32_PERFEVTSEL0 */
	check_feature("PerfCtrExtCore", ext1.ecx & CPUID_80000001_ECX_PERFCTR_CORE,
		      MSR_AMD_PERF_CTL_EXT0, READ);
	check_feature("OSVW", ext1.ecx & CPUID_80000001_ECX_OSVW, MSR_AMD_OSVW_ID_LENGTH, READ);
	check_feature("VIRT_SSBD", ext8.ebx & CPUID_80000008_EBX_VIRT_SSBD, MSR_AMD_VIRT_SPEC_CTRL,
		      READ);
	guest_finish_after_console_check();
}
