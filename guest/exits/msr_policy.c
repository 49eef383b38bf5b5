/* The MSR table and its handlers (see msr_policy.h); bit layouts from Intel SDM Vol. 4 and AMD
 * APM Vol. 2 at each handler. */
#include "guest/exits/msr_policy.h"
#include "guest/devices/lapic.h"
#include "arch/apic.h"
#include "arch/cpuid.h"
#include "arch/cr.h"
#include "lib/string.h"

#define PAT_POWER_ON	0x0007040600070406ull	/* SDM Vol. 3A 11.12.4 */

/*
 * IA32_MISC_ENABLE (SDM Vol. 4 table 2-2) as Umbra gives it: fast strings is the one bit the
 * guest may change. The others describe hardware the guest does not have (perfmon, BTS, PEBS,
 * thermal and power control) or would change what CPUID shows (MONITOR, LIMIT_CPUID,
 * XD_DISABLE): they read as below, and a write that changes them raises #GP(0).
 */
#define MISC_ENABLE_POWER_ON	(MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_BTS_UNAVAILABLE | \
				 MISC_ENABLE_PEBS_UNAVAILABLE)
#define MISC_ENABLE_WRITABLE	MISC_ENABLE_FAST_STRINGS

/* IA32_MCG_STATUS bits 63:3 are reserved without MCG_CAP.MCG_LMCE_P (SDM Vol. 3B 16.3.1.2). */
#define MCG_STATUS_WRITABLE	(MCG_STATUS_RIPV | MCG_STATUS_EIPV | MCG_STATUS_MCIP)

/*
 * PerfEvtSel (APM Vol. 2 13.2.1.1): event select 7:0 and 35:32, unit mask, USR, OS, edge,
 * INT, EN, INV, counter mask. Bits 19, 21 and 39:36 are reserved, and so are Host/Guest-only
 * (41:40) for a guest that sees no SVM, and 63:42.
 */
#define AMD_EVTSEL_WRITABLE	0x0000000fffd7ffffull
#define AMD_CTR_BITS		0x0000ffffffffffffull	/* the counters are 48 bits wide */

/* EFER bits a guest may write (SDM Vol. 3A 2.2.1, table 2-1); NXE only with CPUID NX. */
static uint64_t efer_writable(const struct msr_features *cpu)
{
	uint64_t bits = EFER_SCE | EFER_LME;

	if (cpu->ext1_edx & CPUID_80000001_EDX_NX)
		bits |= EFER_NXE;
	return bits;
}

/* Canonical in the guest's linear-address width: bits 63:width-1 all equal. */
static bool canonical(const struct msr_features *cpu, uint64_t value)
{
	int64_t top = (int64_t)value >> (cpu->linear_bits - 1);

	return top == 0 || top == -1;
}

/* SDM Vol. 3A 11.12.2: each PAT entry must be a defined type (0, 1, 4, 5, 6 or 7). */
static bool pat_valid(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		uint8_t t = (pat >> (8 * i)) & 0xff;

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/* ---- Handlers: read ones store *value, write ones return false for #GP(0). ---- */

static bool read_tsc(struct msr_ctx *c, uint32_t index, uint64_t *value)
{
	(void)index;
	*value = c->tsc;
	return true;
}

/* Umbra has no TSC offsetting on every backend yet, so the write has no effect. */
static bool write_tsc(struct msr_ctx *c, uint32_t index, uint64_t value)
{
	(void)index;
	(void)value;
	c->note = "write ignored (TSC offsetting not supported)";
	return true;
}

static bool read_efer(struct msr_ctx *c, uint32_t index, uint64_t *value)
{
	(void)index;
	*value = c->efer;
	return true;
}

static bool write_efer(struct msr_ctx *c, uint32_t index, uint64_t value)
{
	(void)index;
	/* LMA is read-only: a write keeps the current LMA (SDM Vol. 3A 10.8.5). */
	value = (value & ~(uint64_t)EFER_LMA) | (c->efer & EFER_LMA);
	if (value & ~(efer_writable(&c->s->cpu) | EFER_LMA))
		return false;
	/* Changing LME while paging is on is #GP(0) (SDM Vol. 3A 10.8.5). */
	if ((c->cr0 & CR0_PG) && ((value ^ c->efer) & EFER_LME))
		return false;
	c->efer = value;
	return true;
}

static bool read_pat(struct msr_ctx *c, uint32_t index, uint64_t *value)
{
	(void)index;
	*value = c->s->pat;
	return true;
}

static bool write_pat(struct msr_ctx *c, uint32_t index, uint64_t value)
{
	(void)index;
	if (!pat_valid(value))
		return false;
	c->s->pat = value;
	return true;
}

/* IA32_MCG_CAP: no error-reporting banks and no IA32_MCG_CTL; read-only (SDM Vol. 3B 16.3.1.1
 * leaves a write undefined, Umbra refuses it). */
static bool read_mcg_cap(struct msr_ctx *c, uint32_t index, uint64_t *value)
{
	(void)c;
	(void)index;
	*value = 0;
	return true;
}

static bool write_read_only(struct msr_ctx *c, uint32_t index, uint64_t value)
{
	(void)c;
	(void)index;
	(void)value;
	return false;
}

static bool read_mcg_status(struct msr_ctx *c, uint32_t index, uint64_t *value)
{
	(void)index;
	*value = c->s->mcg_status;
	return true;
}

static bool write_mcg_status(struct msr_ctx *c, uint32_t index, uint64_t value)
{
	(void)index;
	if (value & ~(uint64_t)MCG_STATUS_WRITABLE)
		return false;
	c->s->mcg_status = value;
	return true;
}

static bool read_misc_enable(struct msr_ctx *c, uint32_t index, uint64_t *value)
{
	(void)index;
	*value = c->s->misc_enable;
	return true;
}

static bool write_misc_enable(struct msr_ctx *c, uint32_t index, uint64_t value)
{
	(void)index;
	if ((value ^ c->s->misc_enable) & ~MISC_ENABLE_WRITABLE)
		return false;
	c->s->misc_enable = value;
	return true;
}

static bool read_ds_area(struct msr_ctx *c, uint32_t index, uint64_t *value)
{
	(void)index;
	*value = c->s->ds_area;
	return true;
}

/* SDM Vol. 2B WRMSR: a non-canonical IA32_DS_AREA is #GP(0). */
static bool write_ds_area(struct msr_ctx *c, uint32_t index, uint64_t value)
{
	(void)index;
	if (!canonical(&c->s->cpu, value))
		return false;
	c->s->ds_area = value;
	return true;
}

static bool read_tsc_aux(struct msr_ctx *c, uint32_t index, uint64_t *value)
{
	(void)index;
	*value = c->s->tsc_aux;
	return true;
}

/* IA32_TSC_AUX holds 32 bits: Intel reserves bits 63:32 (SDM Vol. 4 table 2-2), AMD defines
 * only bits 31:0 (APM Vol. 3 RDTSCP) and Umbra drops the rest there. */
static bool write_tsc_aux(struct msr_ctx *c, uint32_t index, uint64_t value)
{
	(void)index;
	if ((value >> 32) && c->s->cpu.intel)
		return false;
	c->s->tsc_aux = (uint32_t)value;
	return true;
}

static bool read_amd_evtsel(struct msr_ctx *c, uint32_t index, uint64_t *value)
{
	*value = c->s->amd_evtsel[index - MSR_AMD_PERF_EVTSEL0];
	return true;
}

static bool write_amd_evtsel(struct msr_ctx *c, uint32_t index, uint64_t value)
{
	if (value & ~AMD_EVTSEL_WRITABLE)
		return false;
	c->s->amd_evtsel[index - MSR_AMD_PERF_EVTSEL0] = value;
	return true;
}

static bool read_amd_ctr(struct msr_ctx *c, uint32_t index, uint64_t *value)
{
	*value = c->s->amd_ctr[index - MSR_AMD_PERF_CTR0];
	return true;
}

/* A counter keeps its 48 bits (APM Vol. 2 13.2.1.2); Umbra drops what is written above. */
static bool write_amd_ctr(struct msr_ctx *c, uint32_t index, uint64_t value)
{
	c->s->amd_ctr[index - MSR_AMD_PERF_CTR0] = value & AMD_CTR_BITS;
	return true;
}

/* IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC registers are the local APIC's
 * (guest/devices/lapic.c, SDM Vol. 3A 11.4.4, 11.5.4.1, 11.12.1): it checks their rules. */
static bool read_apic(struct msr_ctx *c, uint32_t index, uint64_t *value)
{
	if (!c->lapic)
		return false;
	return lapic_msr_read(c->lapic, index, c->s->cpu.leaf1_ecx & CPUID_1_ECX_X2APIC,
			      c->s->cpu.leaf1_ecx & CPUID_1_ECX_TSC_DEADLINE, value);
}

static bool write_apic(struct msr_ctx *c, uint32_t index, uint64_t value)
{
	uint64_t old;

	if (!c->lapic)
		return false;
	old = c->lapic->base;
	if (!lapic_msr_write(c->lapic, index, c->s->cpu.leaf1_ecx & CPUID_1_ECX_X2APIC,
			     c->s->cpu.leaf1_ecx & CPUID_1_ECX_TSC_DEADLINE, value))
		return false;
	if (c->lapic->base != old) {
		c->apic_base_changed = true;
		c->apic_base_old = old;
	}
	return true;
}

/* The AMD Interrupt Pending Message register (BKDG for family 0Fh, MSRC001_0055): the guest
 * has no C1E and no SMI/IO messages, so it reads 0 and only 0 can be written. Linux reads it for
 * the AMD E400 erratum once ACPI is up. */
static bool read_zero(struct msr_ctx *c, uint32_t index, uint64_t *value)
{
	(void)c;
	(void)index;
	*value = 0;
	return true;
}

static bool write_zero_only(struct msr_ctx *c, uint32_t index, uint64_t value)
{
	(void)c;
	(void)index;
	return value == 0;
}

/* ---- The table ---- */

const struct msr_entry msr_policy_table[] = {
	{ MSR_IA32_TSC, 1, "IA32_TSC", MSR_NEEDS_TSC, read_tsc, write_tsc, false },
	{ MSR_IA32_APIC_BASE, 1, "IA32_APIC_BASE", MSR_NEEDS_APIC, read_apic, write_apic, false },
	{ MSR_IA32_TSC_DEADLINE, 1, "IA32_TSC_DEADLINE", MSR_NEEDS_TSC_DEADLINE, read_apic,
	  write_apic, false },
	{ MSR_X2APIC_FIRST, MSR_X2APIC_LAST - MSR_X2APIC_FIRST + 1, "x2APIC", MSR_NEEDS_X2APIC,
	  read_apic, write_apic, false },
	{ MSR_IA32_MCG_CAP, 1, "IA32_MCG_CAP", MSR_NEEDS_MCA, read_mcg_cap, write_read_only,
	  false },
	{ MSR_IA32_MCG_STATUS, 1, "IA32_MCG_STATUS", MSR_NEEDS_MCA, read_mcg_status,
	  write_mcg_status, false },
	{ MSR_IA32_MISC_ENABLE, 1, "IA32_MISC_ENABLE", MSR_NEEDS_INTEL, read_misc_enable,
	  write_misc_enable, false },
	{ MSR_IA32_PAT, 1, "IA32_PAT", MSR_NEEDS_PAT, read_pat, write_pat, false },
	{ MSR_IA32_DS_AREA, 1, "IA32_DS_AREA", MSR_NEEDS_INTEL_DS, read_ds_area, write_ds_area,
	  false },
	{ MSR_IA32_EFER, 1, "IA32_EFER", MSR_NEEDS_NOTHING, read_efer, write_efer, false },
	{ MSR_TSC_AUX, 1, "IA32_TSC_AUX", MSR_NEEDS_TSC_AUX, read_tsc_aux, write_tsc_aux, true },
	{ MSR_AMD_PERF_EVTSEL0, MSR_AMD_PERF_LEGACY_COUNT, "PerfEvtSel0-3", MSR_NEEDS_AMD,
	  read_amd_evtsel, write_amd_evtsel, false },
	{ MSR_AMD_PERF_CTR0, MSR_AMD_PERF_LEGACY_COUNT, "PerfCtr0-3", MSR_NEEDS_AMD,
	  read_amd_ctr, write_amd_ctr, false },
	{ MSR_AMD_INT_PENDING_MSG, 1, "AMD_INT_PENDING_MSG", MSR_NEEDS_AMD, read_zero,
	  write_zero_only, false },
};
const unsigned msr_policy_count = sizeof(msr_policy_table) / sizeof(msr_policy_table[0]);

bool msr_policy_has(const struct msr_features *cpu, enum msr_needs needs)
{
	switch (needs) {
	case MSR_NEEDS_NOTHING:
		return true;
	case MSR_NEEDS_TSC:
		return cpu->leaf1_edx & CPUID_1_EDX_TSC;
	case MSR_NEEDS_PAT:
		return cpu->leaf1_edx & CPUID_1_EDX_PAT;
	case MSR_NEEDS_MCA:
		return cpu->leaf1_edx & CPUID_1_EDX_MCA;
	case MSR_NEEDS_INTEL:
		return cpu->intel;
	case MSR_NEEDS_INTEL_DS:
		return cpu->intel && (cpu->leaf1_edx & CPUID_1_EDX_DS);
	case MSR_NEEDS_TSC_AUX:
		return (cpu->ext1_edx & CPUID_80000001_EDX_RDTSCP) ||
		       (cpu->leaf7_ecx & CPUID_7_ECX_RDPID);
	case MSR_NEEDS_AMD:
		return cpu->amd;
	case MSR_NEEDS_APIC:
		return cpu->leaf1_edx & CPUID_1_EDX_APIC;
	case MSR_NEEDS_X2APIC:
		return cpu->leaf1_ecx & CPUID_1_ECX_X2APIC;
	case MSR_NEEDS_TSC_DEADLINE:
		return cpu->leaf1_ecx & CPUID_1_ECX_TSC_DEADLINE;
	}
	return false;
}

const struct msr_entry *msr_policy_find(const struct msr_state *s, uint32_t index)
{
	for (unsigned i = 0; i < msr_policy_count; i++) {
		const struct msr_entry *m = &msr_policy_table[i];

		if (index - m->index < m->count)
			return msr_policy_has(&s->cpu, m->needs) ? m : NULL;
	}
	return NULL;
}

void msr_policy_reset(struct msr_state *s, const struct msr_features *cpu)
{
	memset(s, 0, sizeof(*s));
	s->cpu = *cpu;
	s->pat = PAT_POWER_ON;
	s->misc_enable = MISC_ENABLE_POWER_ON;
}
