/* Unit tests for the MSR policy: for each table entry, when it exists, what it reads after
 * reset, which writes it takes and which raise #GP(0); and that nothing else exists. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "arch/cpuid.h"
#include "arch/cr.h"
#include "arch/msr.h"
#include "guest/exits/msr_policy.h"
#include "guest/devices/lapic.h"
#include "arch/apic.h"

/* An Intel and an AMD guest that show every feature the table asks about. */
static const struct msr_features intel_cpu = {
	.intel = true,
	.leaf1_edx = CPUID_1_EDX_TSC | CPUID_1_EDX_PAT | CPUID_1_EDX_MCA | CPUID_1_EDX_DS,
	.leaf7_ecx = CPUID_7_ECX_RDPID,
	.ext1_edx = CPUID_80000001_EDX_RDTSCP | CPUID_80000001_EDX_NX,
	.linear_bits = 48,
};
static const struct msr_features amd_cpu = {
	.amd = true,
	.leaf1_edx = CPUID_1_EDX_TSC | CPUID_1_EDX_PAT | CPUID_1_EDX_MCA,
	.ext1_edx = CPUID_80000001_EDX_RDTSCP | CPUID_80000001_EDX_NX,
	.linear_bits = 48,
};

static struct msr_state state;
static struct msr_ctx ctx;

/* A freshly reset guest with CPUID cpu, paging off, EFER 0. */
static void reset(const struct msr_features *cpu)
{
	msr_policy_reset(&state, cpu);
	ctx = (struct msr_ctx){ .s = &state, .efer = 0, .cr0 = CR0_PE, .tsc = 1000 };
}

static const struct msr_entry *find(uint32_t index)
{
	return msr_policy_find(&state, index);
}

/* RDMSR index: it must exist and read; returns the value. */
static uint64_t rd(uint32_t index)
{
	const struct msr_entry *m = find(index);
	uint64_t v = 0xdeadbeef;

	assert_non_null(m);
	assert_true(m->read(&ctx, index, &v));
	return v;
}

/* RDMSR index of an existing MSR: whether it reads (false is #GP(0)). */
static bool m_read_ok(uint32_t index)
{
	const struct msr_entry *m = find(index);
	uint64_t v;

	assert_non_null(m);
	return m->read(&ctx, index, &v);
}

/* WRMSR index, value: true when accepted, false for #GP(0). */
static bool wr(uint32_t index, uint64_t value)
{
	const struct msr_entry *m = find(index);

	assert_non_null(m);
	ctx.note = NULL;
	return m->write(&ctx, index, value);
}

static void test_tsc(void **s)
{
	struct msr_features no_tsc = intel_cpu;

	(void)s;
	reset(&intel_cpu);
	assert_int_equal(rd(MSR_IA32_TSC), 1000);		/* the guest's TSC, from the caller */
	assert_true(wr(MSR_IA32_TSC, 5));
	assert_non_null(ctx.note);				/* accepted, without effect: said */
	assert_int_equal(rd(MSR_IA32_TSC), 1000);
	no_tsc.leaf1_edx &= ~CPUID_1_EDX_TSC;
	reset(&no_tsc);
	assert_null(find(MSR_IA32_TSC));
}

static void test_efer(void **s)
{
	struct msr_features no_nx = intel_cpu;

	(void)s;
	reset(&intel_cpu);
	assert_int_equal(rd(MSR_IA32_EFER), 0);
	assert_true(wr(MSR_IA32_EFER, EFER_SCE | EFER_LME | EFER_NXE));
	assert_int_equal(ctx.efer, EFER_SCE | EFER_LME | EFER_NXE);
	ctx.efer = EFER_LME | EFER_LMA;				/* LMA is read-only: kept */
	assert_true(wr(MSR_IA32_EFER, EFER_LME));
	assert_int_equal(ctx.efer, EFER_LME | EFER_LMA);
	ctx.efer = 0;
	assert_false(wr(MSR_IA32_EFER, 1u << 1));		/* reserved */
	assert_false(wr(MSR_IA32_EFER, EFER_SVME));		/* SVM is hidden */
	assert_false(wr(MSR_IA32_EFER, 1ull << 63));
	ctx.cr0 = CR0_PE | CR0_PG;				/* LME fixed while paging */
	assert_false(wr(MSR_IA32_EFER, EFER_LME));
	assert_int_equal(ctx.efer, 0);
	no_nx.ext1_edx &= ~CPUID_80000001_EDX_NX;
	reset(&no_nx);
	assert_false(wr(MSR_IA32_EFER, EFER_NXE));
}

static void test_pat(void **s)
{
	struct msr_features no_pat = intel_cpu;

	(void)s;
	reset(&intel_cpu);
	assert_int_equal(rd(MSR_IA32_PAT), 0x0007040600070406ull);	/* power-on value */
	assert_true(wr(MSR_IA32_PAT, 0x0706050401000606ull));
	assert_int_equal(rd(MSR_IA32_PAT), 0x0706050401000606ull);
	assert_false(wr(MSR_IA32_PAT, 0x02));			/* type 2 is reserved */
	assert_false(wr(MSR_IA32_PAT, 0x0800000000000000ull));	/* type 8 too */
	assert_int_equal(rd(MSR_IA32_PAT), 0x0706050401000606ull);
	no_pat.leaf1_edx &= ~CPUID_1_EDX_PAT;
	reset(&no_pat);
	assert_null(find(MSR_IA32_PAT));
}

static void test_mcg_cap(void **s)
{
	struct msr_features no_mca = amd_cpu;

	(void)s;
	reset(&amd_cpu);
	assert_int_equal(rd(MSR_IA32_MCG_CAP), 0);		/* no banks, no MCG_CTL */
	assert_false(wr(MSR_IA32_MCG_CAP, 0));			/* read-only */
	assert_null(find(MSR_IA32_MC0_CTL));			/* so no bank 0 */
	assert_null(find(MSR_IA32_MCG_CAP + 2));		/* nor IA32_MCG_CTL */
	no_mca.leaf1_edx &= ~CPUID_1_EDX_MCA;
	reset(&no_mca);
	assert_null(find(MSR_IA32_MCG_CAP));
}

static void test_mcg_status(void **s)
{
	struct msr_features no_mca = intel_cpu;

	(void)s;
	reset(&intel_cpu);
	assert_int_equal(rd(MSR_IA32_MCG_STATUS), 0);
	assert_true(wr(MSR_IA32_MCG_STATUS, MCG_STATUS_RIPV | MCG_STATUS_EIPV | MCG_STATUS_MCIP));
	assert_int_equal(rd(MSR_IA32_MCG_STATUS), 7);
	assert_false(wr(MSR_IA32_MCG_STATUS, 1u << 3));		/* LMCE_S: no LMCE */
	assert_false(wr(MSR_IA32_MCG_STATUS, 1ull << 63));
	assert_int_equal(rd(MSR_IA32_MCG_STATUS), 7);
	assert_true(wr(MSR_IA32_MCG_STATUS, 0));
	no_mca.leaf1_edx &= ~CPUID_1_EDX_MCA;
	reset(&no_mca);
	assert_null(find(MSR_IA32_MCG_STATUS));
}

static void test_misc_enable(void **s)
{
	uint64_t v;

	(void)s;
	reset(&intel_cpu);
	v = rd(MSR_IA32_MISC_ENABLE);
	assert_int_equal(v, MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_BTS_UNAVAILABLE |
			 MISC_ENABLE_PEBS_UNAVAILABLE);
	assert_true(wr(MSR_IA32_MISC_ENABLE, v));		/* its own value */
	assert_true(wr(MSR_IA32_MISC_ENABLE, v & ~MISC_ENABLE_FAST_STRINGS));
	assert_int_equal(rd(MSR_IA32_MISC_ENABLE), v & ~MISC_ENABLE_FAST_STRINGS);
	assert_true(wr(MSR_IA32_MISC_ENABLE, v));
	assert_false(wr(MSR_IA32_MISC_ENABLE, v | MISC_ENABLE_MONITOR));	/* MONITOR hidden */
	assert_false(wr(MSR_IA32_MISC_ENABLE, v | MISC_ENABLE_LIMIT_CPUID));
	assert_false(wr(MSR_IA32_MISC_ENABLE, v | MISC_ENABLE_XD_DISABLE));
	assert_false(wr(MSR_IA32_MISC_ENABLE, v | MISC_ENABLE_PMU_AVAILABLE));	/* read-only */
	assert_false(wr(MSR_IA32_MISC_ENABLE, v & ~MISC_ENABLE_BTS_UNAVAILABLE));
	assert_false(wr(MSR_IA32_MISC_ENABLE, v | (1ull << 63)));
	assert_int_equal(rd(MSR_IA32_MISC_ENABLE), v);
	reset(&amd_cpu);
	assert_null(find(MSR_IA32_MISC_ENABLE));		/* Intel only */
}

static void test_ds_area(void **s)
{
	struct msr_features amd_ds = amd_cpu, no_ds = intel_cpu, la57 = intel_cpu;

	(void)s;
	reset(&intel_cpu);
	assert_int_equal(rd(MSR_IA32_DS_AREA), 0);
	assert_true(wr(MSR_IA32_DS_AREA, 0x123000));
	assert_int_equal(rd(MSR_IA32_DS_AREA), 0x123000);
	assert_true(wr(MSR_IA32_DS_AREA, 0xffff800000001000ull));
	assert_false(wr(MSR_IA32_DS_AREA, 0x0000800000000000ull));	/* non-canonical */
	assert_false(wr(MSR_IA32_DS_AREA, 0x8000000000000000ull));
	assert_int_equal(rd(MSR_IA32_DS_AREA), 0xffff800000001000ull);
	la57.linear_bits = 57;
	reset(&la57);
	assert_true(wr(MSR_IA32_DS_AREA, 0x0000800000000000ull));	/* canonical in 57 bits */
	no_ds.leaf1_edx &= ~CPUID_1_EDX_DS;
	reset(&no_ds);
	assert_null(find(MSR_IA32_DS_AREA));
	amd_ds.leaf1_edx |= CPUID_1_EDX_DS;				/* reserved on AMD */
	reset(&amd_ds);
	assert_null(find(MSR_IA32_DS_AREA));
}

static void test_tsc_aux(void **s)
{
	struct msr_features rdpid_only = intel_cpu, neither = intel_cpu;

	(void)s;
	reset(&intel_cpu);
	assert_true(find(MSR_TSC_AUX)->real);			/* RDTSCP reads the real one */
	assert_int_equal(rd(MSR_TSC_AUX), 0);
	assert_true(wr(MSR_TSC_AUX, 0x12345678));
	assert_int_equal(rd(MSR_TSC_AUX), 0x12345678);
	assert_false(wr(MSR_TSC_AUX, 1ull << 32));		/* reserved on Intel */
	assert_int_equal(rd(MSR_TSC_AUX), 0x12345678);
	reset(&amd_cpu);
	assert_true(wr(MSR_TSC_AUX, (1ull << 32) | 5));		/* AMD keeps bits 31:0 */
	assert_int_equal(rd(MSR_TSC_AUX), 5);
	rdpid_only.ext1_edx &= ~CPUID_80000001_EDX_RDTSCP;
	reset(&rdpid_only);
	assert_non_null(find(MSR_TSC_AUX));
	neither.ext1_edx &= ~CPUID_80000001_EDX_RDTSCP;
	neither.leaf7_ecx &= ~CPUID_7_ECX_RDPID;
	reset(&neither);
	assert_null(find(MSR_TSC_AUX));
}

static void test_amd_evtsel(void **s)
{
	(void)s;
	reset(&amd_cpu);
	for (uint32_t i = 0; i < MSR_AMD_PERF_LEGACY_COUNT; i++) {
		uint32_t msr = MSR_AMD_PERF_EVTSEL0 + i;

		assert_int_equal(rd(msr), 0);
		assert_true(wr(msr, 0x0f0043003c + i));		/* event 0xf3c, EN, OS, USR */
		assert_int_equal(rd(msr), 0x0f0043003c + i);
		assert_false(wr(msr, 1u << 19));		/* reserved */
		assert_false(wr(msr, 1u << 21));
		assert_false(wr(msr, 1ull << 36));
		assert_false(wr(msr, 1ull << 40));		/* Host/Guest-only: no SVM */
		assert_false(wr(msr, 1ull << 63));
		assert_int_equal(rd(msr), 0x0f0043003c + i);
	}
	assert_int_equal(rd(MSR_AMD_PERF_EVTSEL0), 0x0f0043003c);	/* each its own */
	reset(&intel_cpu);
	assert_null(find(MSR_AMD_PERF_EVTSEL0));
}

static void test_amd_ctr(void **s)
{
	(void)s;
	reset(&amd_cpu);
	for (uint32_t i = 0; i < MSR_AMD_PERF_LEGACY_COUNT; i++) {
		uint32_t msr = MSR_AMD_PERF_CTR0 + i;

		assert_int_equal(rd(msr), 0);
		assert_true(wr(msr, 0xabcd + i));
		assert_int_equal(rd(msr), 0xabcd + i);
		assert_true(wr(msr, 0xffff000000001234ull));	/* 48 bits kept */
		assert_int_equal(rd(msr), 0x1234);
	}
	reset(&intel_cpu);
	assert_null(find(MSR_AMD_PERF_CTR0 + 3));
}

/* Everything else raises #GP(0): the MSRs of hidden features, and neighbours of the table's. */
static void test_absent(void **s)
{
	static const uint32_t absent[] = {
		0x12345678, MSR_IA32_TSC_ADJUST, MSR_IA32_SPEC_CTRL, MSR_IA32_PRED_CMD,
		MSR_IA32_ARCH_CAPABILITIES, MSR_IA32_PERF_CAPABILITIES, MSR_IA32_MTRRCAP,
		MSR_IA32_MTRR_DEF_TYPE, MSR_IA32_XSS, MSR_IA32_UMWAIT_CONTROL, MSR_IA32_BNDCFGS,
		MSR_IA32_FEATURE_CONTROL, MSR_VM_CR, MSR_VM_HSAVE_PA, MSR_AMD_PERF_CTR0 + 4,
		MSR_AMD_PERF_CTL_EXT0, MSR_AMD_VIRT_SPEC_CTRL, MSR_TSC_AUX + 1, 0x11,
	};

	(void)s;
	reset(&amd_cpu);
	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		assert_null(find(absent[i]));
	reset(&intel_cpu);
	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		assert_null(find(absent[i]));
}

static uint64_t apic_now;

static uint64_t apic_clock(void *c)
{
	(void)c;
	return apic_now;
}

static uint64_t apic_tsc(void *c, uint64_t tsc)
{
	(void)c;
	return tsc;
}

/* The APIC MSRs exist with their CPUID bits and reach the local APIC; without one they #GP. */
static void test_apic_msrs(void **s)
{
	static struct lapic l;
	struct lapic_clock clock = { apic_clock, apic_tsc, NULL, 1000000000 };
	struct msr_features cpu = intel_cpu;

	(void)s;
	reset(&intel_cpu);
	assert_null(find(MSR_IA32_APIC_BASE));
	assert_null(find(MSR_X2APIC_FIRST));
	assert_null(find(MSR_IA32_TSC_DEADLINE));
	cpu.leaf1_edx |= CPUID_1_EDX_APIC;
	cpu.leaf1_ecx |= CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE;
	reset(&cpu);
	lapic_init(&l, &clock, 0, true, 36);
	ctx.lapic = &l;
	assert_int_equal(rd(MSR_IA32_APIC_BASE), APIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_BSP);
	assert_false(m_read_ok(MSR_X2APIC_FIRST + 3));		/* xAPIC mode: #GP */
	assert_true(wr(MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_EXTD));
	assert_true(ctx.apic_base_changed);
	assert_int_equal(rd(MSR_X2APIC_FIRST + 3) & 0xff, APIC_VERSION_INTEGRATED);
	assert_false(wr(MSR_X2APIC_FIRST + 3, 0));		/* version is read-only */
	assert_false(wr(MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE | APIC_BASE_EN)); /* x2 -> x: #GP */
	assert_int_equal(rd(MSR_IA32_TSC_DEADLINE), 0);
	ctx.lapic = NULL;
	assert_false(m_read_ok(MSR_IA32_APIC_BASE));
}

/* AMD's interrupt pending message register: 0, and only 0 written; absent on Intel. */
static void test_amd_int_pending(void **s)
{
	(void)s;
	reset(&intel_cpu);
	assert_null(find(MSR_AMD_INT_PENDING_MSG));
	reset(&amd_cpu);
	assert_int_equal(rd(MSR_AMD_INT_PENDING_MSG), 0);
	assert_true(wr(MSR_AMD_INT_PENDING_MSG, 0));
	assert_false(wr(MSR_AMD_INT_PENDING_MSG, 1));
}

/* Every row of the table has its test above: adding a row means adding a test. */
static void test_every_entry_tested(void **s)
{
	static const char *const tested[] = {
		"IA32_TSC", "IA32_EFER", "IA32_PAT", "IA32_MCG_CAP", "IA32_MCG_STATUS",
		"IA32_MISC_ENABLE", "IA32_DS_AREA", "IA32_TSC_AUX", "PerfEvtSel0-3", "PerfCtr0-3",
		"IA32_APIC_BASE", "IA32_TSC_DEADLINE", "x2APIC", "AMD_INT_PENDING_MSG",
	};

	(void)s;
	assert_int_equal(msr_policy_count, sizeof(tested) / sizeof(tested[0]));
	for (unsigned i = 0; i < msr_policy_count; i++) {
		bool found = false;

		for (unsigned j = 0; j < sizeof(tested) / sizeof(tested[0]); j++)
			found |= !strcmp(msr_policy_table[i].name, tested[j]);
		assert_true(found);
		assert_non_null(msr_policy_table[i].read);
		assert_non_null(msr_policy_table[i].write);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsc),
		cmocka_unit_test(test_efer),
		cmocka_unit_test(test_pat),
		cmocka_unit_test(test_mcg_cap),
		cmocka_unit_test(test_mcg_status),
		cmocka_unit_test(test_misc_enable),
		cmocka_unit_test(test_ds_area),
		cmocka_unit_test(test_tsc_aux),
		cmocka_unit_test(test_amd_evtsel),
		cmocka_unit_test(test_amd_ctr),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_apic_msrs),
		cmocka_unit_test(test_amd_int_pending),
		cmocka_unit_test(test_every_entry_tested),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
