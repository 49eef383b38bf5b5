/*
 * Instructions of features Umbra hides or models, which must not run natively: MONITOR and
 * MWAIT (CPUID hides MONITOR/MWAIT, so they raise #UD) and RDPMC, which must see the counters
 * the guest's CPUID shows and no other: none on Intel (leaf 0xA hidden), the four legacy
 * counters on AMD (modelled, never counting: they read what WRMSR put there).
 */
#include "guest.h"
#include "ring3.h"

#define MSR_AMD_PERF_CTR0	0xc0010004	/* PerfCtr0 (APM Vol. 2 13.2.1.2) */
#define AMD_CTR_VALUE		0x0000123456789abcull	/* within the counters' 48 bits */

/* MONITOR EAX, ECX, EDX and MWAIT EAX, ECX by opcode (SDM Vol. 2B), for old assemblers. */
static void do_monitor(void *arg)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xc8" : : "a"(arg), "c"(0), "d"(0) : "memory");
}

static void do_mwait(void *arg)
{
	(void)arg;
	__asm__ volatile(".byte 0x0f, 0x01, 0xc9" : : "a"(0), "c"(0) : "memory");
}

static uint64_t rdpmc_value;

static void do_rdpmc(void *ecx)
{
	uint32_t lo, hi;

	__asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"((uint32_t)ecx));
	rdpmc_value = ((uint64_t)hi << 32) | lo;
}

/* RDPMC of counter 0 at CPL3. */
static void rdpmc_user(void)
{
	do_rdpmc((void *)0);
}

static bool vendor_is_amd(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	return r.ebx == 0x68747541 && r.edx == 0x69746e65 && r.ecx == 0x444d4163; /* AuthenticAMD */
}

static void check_monitor_mwait(void)
{
	static uint32_t line[16] __attribute__((aligned(64)));
	struct cpuid_regs r = cpuid(CPUID_LEAF_FEATURES, 0);

	CHECK(!(r.ecx & CPUID_1_ECX_MONITOR), "CPUID hides MONITOR/MWAIT");
	CHECK_FAULT(try_call(do_monitor, line), EXC_UD, 0, "MONITOR raises #UD");
	CHECK_FAULT(try_call(do_mwait, NULL), EXC_UD, 0, "MWAIT raises #UD");
}

/* AMD: the legacy counters exist, read what was written, and only at CPL0 or with PCE. */
static void check_rdpmc_amd(void)
{
	CHECK_NO_FAULT(wrmsr_safe(MSR_AMD_PERF_CTR0, AMD_CTR_VALUE), "WRMSR PerfCtr0");
	rdpmc_value = 0;
	CHECK_NO_FAULT(try_call(do_rdpmc, (void *)0), "RDPMC of legacy counter 0 at CPL0");
	CHECK_EQ(rdpmc_value, AMD_CTR_VALUE, "RDPMC reads what WRMSR put in PerfCtr0");
	CHECK_FAULT(try_call(do_rdpmc, (void *)4), EXC_GP, 0,
		    "RDPMC of counter 4 raises #GP(0): PerfCtrExtCore is hidden");
	CHECK_FAULT(try_call(do_rdpmc, (void *)0x40000000), EXC_GP, 0,
		    "RDPMC of an Intel fixed-counter index raises #GP(0)");
	CHECK_FAULT(ring3_run(rdpmc_user, 0, ring3_stack_top()), EXC_GP, 0,
		    "RDPMC at CPL3 with CR4.PCE clear raises #GP(0)");
	write_cr4(read_cr4() | CR4_PCE);
	CHECK(ring3_returned(ring3_run(rdpmc_user, 0, ring3_stack_top())),
	      "RDPMC at CPL3 with CR4.PCE set reads the counter");
	write_cr4(read_cr4() & ~(unsigned long)CR4_PCE);
}

/* Intel: leaf 0xA shows no counter, so every RDPMC raises #GP(0). */
static void check_rdpmc_intel(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	if (r.eax >= CPUID_LEAF_PERFMON) {
		r = cpuid(CPUID_LEAF_PERFMON, 0);
		CHECK_EQ(r.eax & 0xff, 0, "CPUID leaf 0xA shows no performance monitoring");
	}
	CHECK_FAULT(try_call(do_rdpmc, (void *)0), EXC_GP, 0, "RDPMC of counter 0 raises #GP(0)");
	CHECK_FAULT(try_call(do_rdpmc, (void *)0x40000000), EXC_GP, 0,
		    "RDPMC of fixed counter 0 raises #GP(0)");
	write_cr4(read_cr4() | CR4_PCE);
	CHECK_FAULT(ring3_run(rdpmc_user, 0, ring3_stack_top()), EXC_GP, 0,
		    "RDPMC at CPL3 with CR4.PCE set still raises #GP(0): no counter exists");
	write_cr4(read_cr4() & ~(unsigned long)CR4_PCE);
}

void guest_main(void)
{
	ring3_init();
	check_monitor_mwait();
	if (vendor_is_amd())
		check_rdpmc_amd();
	else
		check_rdpmc_intel();
	guest_finish_after_console_check();
}
