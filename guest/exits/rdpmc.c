/*
 * RDPMC, done the way the processor would with the counters the guest's CPUID shows. An Intel
 * guest has none: CPUID leaf 0xA (architectural performance monitoring) is hidden. An AMD guest
 * has the four legacy counters every AMD64 processor has (APM Vol. 3 "RDPMC": ECX 0-3 read
 * PerfCtr0-3), which Umbra models as counters that never count (exits/msr_policy.c); the
 * PerfCtrExtCore ones are hidden. RDPMC reads what RDMSR of PerfCtrN would.
 *
 * #GP(0) for CPL > 0 with CR4.PCE clear and for a counter the guest does not have (SDM Vol. 2B,
 * APM Vol. 3 "RDPMC"). The processor makes the privilege check before the exit (SDM Vol. 3C
 * 26.1.1, APM Vol. 2 15.9); Umbra makes it again, as it lets the instruction complete.
 * Running it natively would have shown the guest the host's counters.
 */
#include "guest/exits/exits.h"
#include "guest/guest.h"
#include "guest/gva.h"
#include "arch/cr.h"
#include "arch/trap.h"

/* The value of counter ecx, or false when the guest has no such counter. */
static bool rdpmc_counter(const struct guest *g, uint32_t ecx, uint64_t *value)
{
	if (!g->msrs.cpu.amd || ecx >= MSR_AMD_PERF_LEGACY_COUNT)
		return false;
	*value = g->msrs.amd_ctr[ecx];
	return true;
}

void exit_rdpmc(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	uint64_t value;

	if ((guest_cpl(g) != 0 && !(v->cr4 & CR4_PCE)) ||
	    !rdpmc_counter(g, (uint32_t)v->gpr[GPR_RCX], &value)) {
		vcpu_queue_exception(v, EXC_GP, true, 0);
		return;
	}
	v->gpr[GPR_RAX] = (uint32_t)value;
	v->gpr[GPR_RDX] = value >> 32;
	vcpu_skip_instruction(v, e);
}
