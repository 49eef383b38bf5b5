/*
 * MSR policy. Backends pass through the MSRs whose guest values they switch in hardware
 * (FS/GS bases, SYSENTER, SYSCALL), so only these arrive here:
 *   IA32_EFER  virtualized: the guest's value in vcpu->efer, the real one derived from it
 *   IA32_TSC   read passes; writes are ignored and reported once
 *   IA32_PAT   kept for the guest but not applied (shadow entries carry Umbra's memory types)
 *   IA32_MISC_ENABLE  on Intel hosts only, a constant; a write that would change it is #GP(0)
 *   anything else: #GP(0), reported once
 */
#include "guest/exits/exits.h"
#include "guest/guest.h"
#include "guest/mode.h"
#include "arch/cpu.h"
#include "arch/cpu_info.h"
#include "arch/cpuid.h"
#include "arch/msr.h"
#include "arch/trap.h"
#include "lib/printk.h"

static void msr_report_once(struct guest *g, uint32_t msr, const char *what)
{
	for (unsigned i = 0; i < g->msrs_reported_count; i++)
		if (g->msrs_reported[i] == msr)
			return;
	if (g->msrs_reported_count < GUEST_PORTS_REPORTED_MAX)
		g->msrs_reported[g->msrs_reported_count++] = msr;
	pr_info("umbra: guest: MSR 0x%x %s\n", msr, what);
}

/* EFER bits the guest may set (SDM Vol. 3A 2.2.1, table 2-1); NXE only with CPUID NX. */
static uint64_t efer_writable(const struct guest *g)
{
	uint64_t bits = EFER_SCE | EFER_LME;

	if (cpu_has(g->host_cpu->ext1_edx, CPUID_80000001_EDX_NX))
		bits |= EFER_NXE;
	return bits;
}

static bool msr_write_efer(struct guest *g, uint64_t value)
{
	struct vcpu *v = &g->vcpu;

	/* LMA is read-only: a write keeps the current LMA (SDM Vol. 3A 10.8.5). */
	value = (value & ~EFER_LMA) | (v->efer & EFER_LMA);
	if (value & ~(efer_writable(g) | EFER_LMA))
		return false;
	/* Changing LME while paging is on is #GP(0) (SDM Vol. 3A 10.8.5). */
	if ((v->cr0 & CR0_PG) && ((value ^ v->efer) & EFER_LME))
		return false;
	guest_set_efer(g, value);
	return true;
}

/*
 * IA32_MISC_ENABLE exists on every Intel processor, and Linux's decompressor reads it before it
 * has an IDT (to clear XD disable), so a #GP there is a triple fault. The guest sees fast
 * strings on and, with perfmon hidden from CPUID, BTS and PEBS unavailable; every other bit
 * clear (no XD disable, no CPUID limit, no MONITOR: CPUID hides it too). On AMD the MSR does
 * not exist, as on the hardware.
 */
static bool misc_enable_exists(const struct guest *g)
{
	return !cpu_is_amd(g->host_cpu);
}

#define MISC_ENABLE_VALUE \
	(MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_BTS_UNAVAILABLE | MISC_ENABLE_PEBS_UNAVAILABLE)

static bool msr_read(struct guest *g, uint32_t msr, uint64_t *value)
{
	if (msr == MSR_IA32_MISC_ENABLE && misc_enable_exists(g)) {
		*value = MISC_ENABLE_VALUE;
		return true;
	}
	switch (msr) {
	case MSR_IA32_EFER:
		*value = g->vcpu.efer;
		return true;
	case MSR_IA32_TSC:
		*value = rdmsr(MSR_IA32_TSC) + g->vcpu.tsc_offset;
		return true;
	case MSR_IA32_PAT:
		*value = g->pat;
		return true;
	}
	msr_report_once(g, msr, "does not exist for the guest (#GP)");
	return false;
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

static bool msr_write(struct guest *g, uint32_t msr, uint64_t value)
{
	if (msr == MSR_IA32_MISC_ENABLE && misc_enable_exists(g)) {
		if (value == MISC_ENABLE_VALUE)
			return true;
		msr_report_once(g, msr, "write that would change it refused (#GP)");
		return false;
	}
	switch (msr) {
	case MSR_IA32_EFER:
		return msr_write_efer(g, value);
	case MSR_IA32_TSC:
		msr_report_once(g, msr, "write ignored (TSC offsetting not supported)");
		return true;
	case MSR_IA32_PAT:
		if (!pat_valid(value))
			return false;
		g->pat = value;
		return true;
	}
	msr_report_once(g, msr, "does not exist for the guest (#GP)");
	return false;
}

void exit_msr_access(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	uint32_t msr = e->msr.index;
	uint64_t value;

	if (e->kind == EXIT_MSR_READ) {
		if (!msr_read(g, msr, &value)) {
			vcpu_queue_exception(v, EXC_GP, true, 0);
			return;
		}
		v->gpr[GPR_RAX] = (uint32_t)value;
		v->gpr[GPR_RDX] = value >> 32;
	} else {
		value = (v->gpr[GPR_RDX] << 32) | (uint32_t)v->gpr[GPR_RAX];
		if (!msr_write(g, msr, value)) {
			vcpu_queue_exception(v, EXC_GP, true, 0);
			return;
		}
	}
	vcpu_skip_instruction(v, e);
}
