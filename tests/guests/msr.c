/* msr: Umbra's virtual IA32_EFER, the TSC, and #GP from MSRs it does not give guests. */
#include "guest.h"

/* EFER bits reserved on every CPU (SDM Vol. 4 table 2-2 "IA32_EFER"; APM Vol. 2 3.1.7). */
#define EFER_RESERVED_BIT1	(1ull << 1)
#define EFER_RESERVED_BIT63	(1ull << 63)

/* MSR numbers no CPU implements: one in the Intel range, one in AMD's 0xc001xxxx range. */
#define MSR_UNKNOWN_INTEL	0x12345678
#define MSR_UNKNOWN_AMD		0xc0011234

static uint64_t efer(void)
{
	uint64_t v = ~0ull;

	rdmsr_safe(MSR_IA32_EFER, &v);
	return v;
}

/* Sets EFER to bit, reads it back, and puts EFER back to 0. */
static void check_efer_bit(uint64_t bit, const char *name)
{
	struct fault f = wrmsr_safe(MSR_IA32_EFER, bit);

	if (CHECK_NO_FAULT(f, "WRMSR EFER.%s", name))
		CHECK_EQ(efer(), bit, "EFER.%s reads back", name);
	CHECK_NO_FAULT(wrmsr_safe(MSR_IA32_EFER, 0), "WRMSR EFER 0 after %s", name);
}

static void check_efer(void)
{
	uint64_t v = ~0ull;
	struct fault f;

	CHECK_NO_FAULT(rdmsr_safe(MSR_IA32_EFER, &v), "RDMSR IA32_EFER");
	CHECK_EQ(v, 0, "IA32_EFER reads 0 at start");
	check_efer_bit(EFER_SCE, "SCE");
	if (cpuid(CPUID_LEAF_EXT_MAX, 0).eax >= CPUID_LEAF_EXT_SIGNATURE &&
	    (cpuid(CPUID_LEAF_EXT_SIGNATURE, 0).edx & CPUID_80000001_EDX_NX))
		check_efer_bit(EFER_NXE, "NXE");
	else
		CHECK_FAULT(wrmsr_safe(MSR_IA32_EFER, EFER_NXE), EXC_GP, 0,
			    "WRMSR EFER.NXE without CPUID NX raises #GP(0)");
	/* LME may be set with paging off; LMA follows only once paging is on (SDM Vol. 3A 9.8.5). */
	check_efer_bit(EFER_LME, "LME");

	/* LMA is the processor's to set: the write either faults or leaves it clear. */
	f = wrmsr_safe(MSR_IA32_EFER, EFER_LMA);
	CHECK_EQ(efer() & EFER_LMA, 0, "WRMSR cannot set EFER.LMA (%s)",
		 f.faulted ? "write faulted" : "write ignored");
	wrmsr_safe(MSR_IA32_EFER, 0);

	CHECK_FAULT(wrmsr_safe(MSR_IA32_EFER, EFER_RESERVED_BIT1), EXC_GP, 0,
		    "WRMSR EFER reserved bit 1 raises #GP(0)");
	CHECK_FAULT(wrmsr_safe(MSR_IA32_EFER, EFER_RESERVED_BIT63), EXC_GP, 0,
		    "WRMSR EFER reserved bit 63 raises #GP(0)");
	/* SVM is hidden from the guest, so EFER.SVME is reserved to it (APM Vol. 2 15.4). */
	CHECK_FAULT(wrmsr_safe(MSR_IA32_EFER, EFER_SVME), EXC_GP, 0,
		    "WRMSR EFER.SVME raises #GP(0) (SVM hidden)");
	CHECK_EQ(efer(), 0, "IA32_EFER is still 0 after the faulting writes");
}

static void check_tsc(void)
{
	uint64_t msr = 0, a, b;

	a = rdtsc();
	CHECK_NO_FAULT(rdmsr_safe(MSR_IA32_TSC, &msr), "RDMSR IA32_TSC");
	b = rdtsc();
	gprintf("tsc: rdtsc %llu, IA32_TSC %llu, rdtsc %llu\n", (unsigned long long)a,
		(unsigned long long)msr, (unsigned long long)b);
	CHECK(b > a, "the TSC advances");
	CHECK(msr <= b, "IA32_TSC is not ahead of a later RDTSC");
}

static void check_unknown_msr(uint32_t msr)
{
	uint64_t v;

	CHECK_FAULT(rdmsr_safe(msr, &v), EXC_GP, 0, "RDMSR unknown MSR 0x%x raises #GP(0)", msr);
	CHECK_FAULT(wrmsr_safe(msr, 0), EXC_GP, 0, "WRMSR unknown MSR 0x%x raises #GP(0)", msr);
}

/* MSRs of the host's virtualization that a guest must never write. */
static void check_forbidden_writes(void)
{
	CHECK_FAULT(wrmsr_safe(MSR_IA32_FEATURE_CONTROL, 0), EXC_GP, 0,
		    "WRMSR IA32_FEATURE_CONTROL raises #GP(0)");
	CHECK_FAULT(wrmsr_safe(MSR_VM_CR, 0), EXC_GP, 0, "WRMSR VM_CR raises #GP(0)");
	CHECK_FAULT(wrmsr_safe(MSR_VM_HSAVE_PA, 0), EXC_GP, 0, "WRMSR VM_HSAVE_PA raises #GP(0)");
}

void guest_main(void)
{
	check_efer();
	check_tsc();
	check_unknown_msr(MSR_UNKNOWN_INTEL);
	check_unknown_msr(MSR_UNKNOWN_AMD);
	check_forbidden_writes();
}
