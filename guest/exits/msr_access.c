/*
 * RDMSR and WRMSR that exit: the MSR policy (msr_policy.c) decides, this file applies the
 * decision to the vCPU (EFER), to the one real MSR that holds a guest value (TSC_AUX), and to
 * the guest (#GP(0), or RIP past the instruction). Each MSR the guest tried that does not
 * exist, or whose write has no effect, is reported once.
 */
#include "guest/exits/exits.h"
#include "guest/exits/msr_access.h"
#include "guest/apic_wiring.h"
#include "guest/exits/msr_policy.h"
#include "guest/guest.h"
#include "guest/mode.h"
#include "arch/cpu.h"
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

/* The vCPU values an access needs; the guest's TSC is the host's plus the offset. */
static struct msr_ctx msr_ctx_of(struct guest *g)
{
	return (struct msr_ctx){
		.s = &g->msrs, .efer = g->vcpu.efer, .cr0 = g->vcpu.cr0,
		.tsc = rdmsr(MSR_IA32_TSC) + g->vcpu.tsc_offset, .lapic = &g->lapic,
	};
}

/* Loads the guest's value of m, which the policy accepted, into the real MSR. */
static void msr_load_real(struct guest *g, const struct msr_entry *m, uint32_t index)
{
	struct msr_ctx c = msr_ctx_of(g);
	uint64_t value;

	if (m->read(&c, index, &value))
		wrmsr(index, value);
}

void msr_access_reset(struct guest *g, const struct msr_features *cpu)
{
	msr_policy_reset(&g->msrs, cpu);
	for (unsigned i = 0; i < msr_policy_count; i++) {
		const struct msr_entry *m = &msr_policy_table[i];

		for (uint32_t n = 0; m->real && n < m->count; n++)
			if (msr_policy_find(&g->msrs, m->index + n))
				msr_load_real(g, m, m->index + n);
	}
}

static bool msr_write(struct guest *g, const struct msr_entry *m, uint32_t index,
		      uint64_t value)
{
	struct msr_ctx c = msr_ctx_of(g);

	if (!m->write(&c, index, value))
		return false;
	if (c.efer != g->vcpu.efer)
		guest_set_efer(g, c.efer);
	if (c.apic_base_changed)
		guest_apic_base_written(g, c.apic_base_old);
	if (m->real)
		msr_load_real(g, m, index);
	if (c.note)
		msr_report_once(g, index, c.note);
	return true;
}

static bool msr_read(struct guest *g, const struct msr_entry *m, uint32_t index,
		     uint64_t *value)
{
	struct msr_ctx c = msr_ctx_of(g);

	return m->read(&c, index, value);
}

void exit_msr_access(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	uint32_t index = e->msr.index;
	const struct msr_entry *m = msr_policy_find(&g->msrs, index);
	uint64_t value;
	bool ok;

	if (!m) {
		msr_report_once(g, index, "does not exist for the guest (#GP)");
		vcpu_queue_exception(v, EXC_GP, true, 0);
		return;
	}
	if (e->kind == EXIT_MSR_READ) {
		ok = msr_read(g, m, index, &value);
		if (ok) {
			v->gpr[GPR_RAX] = (uint32_t)value;
			v->gpr[GPR_RDX] = value >> 32;
		}
	} else {
		value = (v->gpr[GPR_RDX] << 32) | (uint32_t)v->gpr[GPR_RAX];
		ok = msr_write(g, m, index, value);
	}
	if (!ok) {
		vcpu_queue_exception(v, EXC_GP, true, 0);
		return;
	}
	vcpu_skip_instruction(v, e);
}
