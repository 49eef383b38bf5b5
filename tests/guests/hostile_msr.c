/*
 * hostile_msr: the MSRs a kernel reads at boot exist exactly when the guest's CPUID says they
 * do, hold what the manuals say, refuse reserved bits with #GP(0); RDTSCP and RDPID return the
 * guest's own TSC_AUX. WRMSR of the MSRs that go straight to the hardware (FS/GS bases,
 * SYSENTER, LSTAR) is checked by the processor in the guest: a non-canonical value faults in
 * the guest and the next VM entry still succeeds.
 */
#include "guest.h"
#include "lib/string.h"

#define NONCANONICAL	0x0000800000000000ull	/* bit 47 set, bits 63:48 clear */

/* The harness says "wrmsr-unchecked" on the command line for an emulated CPU whose WRMSR does
 * not check canonical addresses (QEMU's TCG): there the guest only checks that Umbra survives. */
#define UNCHECKED_WORD	"wrmsr-unchecked"

static struct cpuid_regs leaf1, leaf7, ext1;
static bool intel, amd, cpu_checks_canonical = true;

static bool cmdline_has(const char *word)
{
	const char *s = (const char *)boot_info->cmdline;
	size_t n = strlen(word);

	if (!(boot_info->flags & MB1_INFO_CMDLINE))
		return false;
	for (; *s; s++)
		if (!strncmp(s, word, n) && (s[n] == ' ' || s[n] == '\0'))
			return true;
	return false;
}

static void read_cpuid(void)
{
	struct cpuid_regs v = cpuid(CPUID_LEAF_VENDOR, 0);
	uint32_t max_ext = cpuid(CPUID_LEAF_EXT_MAX, 0).eax;

	intel = v.ebx == 0x756e6547 && v.edx == 0x49656e69 && v.ecx == 0x6c65746e;	/* GenuineIntel */
	amd = v.ebx == 0x68747541 && v.edx == 0x69746e65 && v.ecx == 0x444d4163;	/* AuthenticAMD */
	leaf1 = cpuid(CPUID_LEAF_FEATURES, 0);
	if (v.eax >= CPUID_LEAF_EXT_FEATURES)
		leaf7 = cpuid(CPUID_LEAF_EXT_FEATURES, 0);
	if (max_ext >= CPUID_LEAF_EXT_SIGNATURE)
		ext1 = cpuid(CPUID_LEAF_EXT_SIGNATURE, 0);
	gprintf("cpuid: %s, 1: ecx %08x edx %08x, 7: ebx %08x ecx %08x edx %08x, "
		"80000001: ecx %08x edx %08x\n", intel ? "Intel" : amd ? "AMD" : "other",
		leaf1.ecx, leaf1.edx, leaf7.ebx, leaf7.ecx, leaf7.edx, ext1.ecx, ext1.edx);
}

static uint64_t msr_or(uint32_t msr, uint64_t dflt)
{
	uint64_t v = dflt;

	rdmsr_safe(msr, &v);
	return v;
}

/* The MSR exists exactly when its feature is shown: a read works, or faults #GP(0). */
static bool check_exists(uint32_t msr, bool shown, const char *name, const char *feature)
{
	uint64_t v;

	if (shown)
		return CHECK_NO_FAULT(rdmsr_safe(msr, &v), "%s (0x%x) reads, as %s is shown", name,
				      msr, feature);
	CHECK_FAULT(rdmsr_safe(msr, &v), EXC_GP, 0, "%s (0x%x) raises #GP(0), as %s is not shown",
		    name, msr, feature);
	return false;
}

/* A write of value must be accepted and read back as expect. */
static void check_write(uint32_t msr, uint64_t value, uint64_t expect, const char *name)
{
	if (CHECK_NO_FAULT(wrmsr_safe(msr, value), "WRMSR %s 0x%llx", name,
			   (unsigned long long)value))
		CHECK_EQ(msr_or(msr, ~0ull), expect, "%s reads back 0x%llx", name,
			 (unsigned long long)expect);
}

static void check_write_gp(uint32_t msr, uint64_t value, const char *name, const char *why)
{
	uint64_t before = msr_or(msr, ~0ull);

	CHECK_FAULT(wrmsr_safe(msr, value), EXC_GP, 0, "WRMSR %s 0x%llx (%s) raises #GP(0)", name,
		    (unsigned long long)value, why);
	CHECK_EQ(msr_or(msr, ~0ull), before, "%s unchanged by the faulting write", name);
}

static void do_rdtscp(void *p)
{
	uint32_t lo, hi, aux;

	__asm__ volatile(".byte 0x0f, 0x01, 0xf9" : "=a"(lo), "=d"(hi), "=c"(aux));	/* RDTSCP */
	(void)lo;
	(void)hi;
	*(uint32_t *)p = aux;
}

static void do_rdpid(void *p)
{
	uint32_t v;

	__asm__ volatile(".byte 0xf3, 0x0f, 0xc7, 0xf8" : "=a"(v));	/* RDPID EAX */
	*(uint32_t *)p = v;
}

/* IA32_TSC_AUX: what RDTSCP puts in ECX and RDPID returns (SDM Vol. 2B RDTSCP, RDPID). */
static void check_tsc_aux(void)
{
	bool rdtscp = ext1.edx & CPUID_80000001_EDX_RDTSCP, rdpid = leaf7.ecx & CPUID_7_ECX_RDPID;
	uint32_t aux = 0;

	if (!check_exists(MSR_TSC_AUX, rdtscp || rdpid, "IA32_TSC_AUX", "RDTSCP or RDPID")) {
		if (!rdtscp)
			CHECK_FAULT(try_call(do_rdtscp, &aux), EXC_UD, 0,
				    "RDTSCP raises #UD, as CPUID hides it");
		return;
	}
	CHECK_EQ(msr_or(MSR_TSC_AUX, ~0ull), 0, "IA32_TSC_AUX reads 0 after reset");
	if (rdtscp && CHECK_NO_FAULT(try_call(do_rdtscp, &aux), "RDTSCP runs"))
		CHECK_EQ(aux, 0, "RDTSCP returns TSC_AUX 0 after reset");
	check_write(MSR_TSC_AUX, 0x12345678, 0x12345678, "IA32_TSC_AUX");
	if (rdtscp && CHECK_NO_FAULT(try_call(do_rdtscp, &aux), "RDTSCP runs"))
		CHECK_EQ(aux, 0x12345678, "RDTSCP returns the guest's TSC_AUX in ECX");
	if (rdpid && CHECK_NO_FAULT(try_call(do_rdpid, &aux), "RDPID runs"))
		CHECK_EQ(aux, 0x12345678, "RDPID returns the guest's TSC_AUX");
	/* Bits 63:32 are reserved on Intel (SDM Vol. 4); AMD keeps bits 31:0 only (APM Vol. 3
	 * RDTSCP). */
	if (intel)
		check_write_gp(MSR_TSC_AUX, 1ull << 32, "IA32_TSC_AUX", "bit 32 reserved");
	else
		check_write(MSR_TSC_AUX, (1ull << 32) | 5, 5, "IA32_TSC_AUX");
	check_write(MSR_TSC_AUX, 0, 0, "IA32_TSC_AUX");
}

static void check_misc_enable(void)
{
	uint64_t v;

	if (!check_exists(MSR_IA32_MISC_ENABLE, intel, "IA32_MISC_ENABLE", "an Intel CPU"))
		return;
	v = msr_or(MSR_IA32_MISC_ENABLE, 0);
	gprintf("misc_enable: 0x%llx\n", (unsigned long long)v);
	CHECK_EQ(!!(v & MISC_ENABLE_MONITOR), !!(leaf1.ecx & CPUID_1_ECX_MONITOR),
		 "IA32_MISC_ENABLE.MONITOR[18] matches CPUID.1:ECX.MONITOR");
	CHECK_EQ(v & MISC_ENABLE_LIMIT_CPUID, 0, "IA32_MISC_ENABLE.LIMIT_CPUID[22] is clear");
	CHECK_EQ(v & MISC_ENABLE_XD_DISABLE, 0, "IA32_MISC_ENABLE.XD_DISABLE[34] is clear");
	if (cpuid(0, 0).eax >= CPUID_LEAF_PERFMON)
		CHECK_EQ(!!(v & MISC_ENABLE_PMU_AVAILABLE),
			 (cpuid(CPUID_LEAF_PERFMON, 0).eax & 0xff) != 0,
			 "IA32_MISC_ENABLE.PMU[7] matches CPUID.0AH version");
	check_write(MSR_IA32_MISC_ENABLE, v, v, "IA32_MISC_ENABLE (its own value)");
	check_write(MSR_IA32_MISC_ENABLE, v & ~MISC_ENABLE_FAST_STRINGS,
		    v & ~MISC_ENABLE_FAST_STRINGS, "IA32_MISC_ENABLE without fast strings");
	check_write(MSR_IA32_MISC_ENABLE, v, v, "IA32_MISC_ENABLE");
	check_write_gp(MSR_IA32_MISC_ENABLE, v | (1ull << 63), "IA32_MISC_ENABLE",
		       "bit 63 reserved");
}

static void check_machine_check(void)
{
	bool mca = leaf1.edx & CPUID_1_EDX_MCA;
	uint64_t cap, v;
	unsigned int banks;

	if (check_exists(MSR_IA32_MCG_CAP, mca, "IA32_MCG_CAP", "MCA")) {
		cap = msr_or(MSR_IA32_MCG_CAP, 0);
		banks = cap & MCG_CAP_COUNT;
		gprintf("mcg_cap: 0x%llx, %u banks\n", (unsigned long long)cap, banks);
		check_write_gp(MSR_IA32_MCG_CAP, cap, "IA32_MCG_CAP", "read-only");
		CHECK_FAULT(rdmsr_safe(MSR_IA32_MC0_CTL + 4 * banks, &v), EXC_GP, 0,
			    "bank %u (one past MCG_CAP.Count) does not exist", banks);
		if (!(cap & MCG_CAP_CTL_P))
			CHECK_FAULT(rdmsr_safe(MSR_IA32_MCG_CAP + 2, &v), EXC_GP, 0,
				    "IA32_MCG_CTL does not exist without MCG_CAP.MCG_CTL_P");
	}
	if (check_exists(MSR_IA32_MCG_STATUS, mca, "IA32_MCG_STATUS", "MCA")) {
		CHECK_EQ(msr_or(MSR_IA32_MCG_STATUS, ~0ull), 0, "IA32_MCG_STATUS reads 0");
		check_write(MSR_IA32_MCG_STATUS, MCG_STATUS_MCIP, MCG_STATUS_MCIP,
			    "IA32_MCG_STATUS");
		check_write(MSR_IA32_MCG_STATUS, 0, 0, "IA32_MCG_STATUS");
		check_write_gp(MSR_IA32_MCG_STATUS, 1ull << 4, "IA32_MCG_STATUS", "bit 4 reserved");
	}
}

static void check_ds_area(void)
{
	if (!check_exists(MSR_IA32_DS_AREA, intel && (leaf1.edx & CPUID_1_EDX_DS), "IA32_DS_AREA",
			  "DS on an Intel CPU"))
		return;
	check_write(MSR_IA32_DS_AREA, 0x123000, 0x123000, "IA32_DS_AREA");
	check_write_gp(MSR_IA32_DS_AREA, NONCANONICAL, "IA32_DS_AREA", "non-canonical");
	check_write(MSR_IA32_DS_AREA, 0, 0, "IA32_DS_AREA");
}

/* The AMD legacy counters (APM Vol. 2 13.2.1) exist on every AMD64 processor. */
static void check_amd_perf(void)
{
	for (unsigned int i = 0; i < MSR_AMD_PERF_LEGACY_COUNT; i++) {
		uint32_t sel = MSR_AMD_PERF_EVTSEL0 + i, ctr = MSR_AMD_PERF_CTR0 + i;

		if (check_exists(sel, amd, "PerfEvtSel", "an AMD CPU")) {
			check_write(sel, 0x0003003c, 0x0003003c, "PerfEvtSel");
			check_write_gp(sel, 1ull << 21, "PerfEvtSel", "bit 21 reserved");
			check_write(sel, 0, 0, "PerfEvtSel");
		}
		if (check_exists(ctr, amd, "PerfCtr", "an AMD CPU")) {
			check_write(ctr, 0xabcd, 0xabcd, "PerfCtr");
			check_write(ctr, 0, 0, "PerfCtr");
		}
	}
}

/* MSRs whose features Umbra hides must not exist; TSC_ADJUST and PERF_CAPABILITIES in turn. */
static void check_feature_msrs(void)
{
	check_exists(MSR_IA32_TSC_ADJUST, leaf7.ebx & CPUID_7_EBX_TSC_ADJUST, "IA32_TSC_ADJUST",
		     "CPUID.7:EBX.TSC_ADJUST");
	check_exists(MSR_IA32_PERF_CAPABILITIES, leaf1.ecx & CPUID_1_ECX_PDCM,
		     "IA32_PERF_CAPABILITIES", "CPUID.1:ECX.PDCM");
	check_exists(MSR_IA32_PAT, leaf1.edx & CPUID_1_EDX_PAT, "IA32_PAT", "CPUID.1:EDX.PAT");
}

/* The hardware's own WRMSR checks in the guest: the MSRs pass through, so the guest's #GP
 * comes from the processor, and a wrong acceptance would fail the next VM entry. */
static void check_passthrough(void)
{
	static const struct {
		uint32_t msr;
		const char *name;
		bool needs_lm;
	} canon[] = {
		{ MSR_FS_BASE, "FS_BASE", true },
		{ MSR_GS_BASE, "GS_BASE", true },
		{ MSR_KERNEL_GS_BASE, "KERNEL_GS_BASE", true },
		{ MSR_LSTAR, "LSTAR", true },
		{ MSR_IA32_SYSENTER_ESP, "SYSENTER_ESP", false },
		{ MSR_IA32_SYSENTER_EIP, "SYSENTER_EIP", false },
	};
	bool lm = ext1.edx & CPUID_80000001_EDX_LM, sep = leaf1.edx & CPUID_1_EDX_SEP;

	for (unsigned int i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
		if (canon[i].needs_lm ? !lm : !sep) {
			SKIP("%s: not offered by CPUID", canon[i].name);
			continue;
		}
		check_write(canon[i].msr, 0xffffffff80001000ull, 0xffffffff80001000ull,
			    canon[i].name);
		if (cpu_checks_canonical)
			check_write_gp(canon[i].msr, NONCANONICAL, canon[i].name, "non-canonical");
		else if (!wrmsr_safe(canon[i].msr, NONCANONICAL).faulted)
			SKIP("WRMSR %s 0x%llx (non-canonical): this emulated CPU accepts it",
			     canon[i].name, (unsigned long long)NONCANONICAL);
		check_write(canon[i].msr, 0, 0, canon[i].name);
	}
	/* Exits after the faulting writes still enter the guest again. */
	CHECK_EQ(cpuid(CPUID_LEAF_HV_BASE, 0).eax, CPUID_LEAF_HV_INTERFACE,
		 "the guest still runs and exits after the refused writes");
}

void guest_main(void)
{
	cpu_checks_canonical = !cmdline_has(UNCHECKED_WORD);
	read_cpuid();
	check_tsc_aux();
	check_misc_enable();
	check_machine_check();
	check_ds_area();
	check_amd_perf();
	check_feature_msrs();
	check_passthrough();
	guest_finish_after_console_check();
}
