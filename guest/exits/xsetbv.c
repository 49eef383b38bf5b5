/* XSETBV: the guest loads XCR0, which Umbra checks and then loads into the real register. */
#include "guest/exits/exits.h"
#include "guest/guest.h"
#include "arch/cpu.h"
#include "arch/cpuid.h"
#include "arch/trap.h"

/* XSETBV (SDM Vol. 2C "XSETBV"): ECX selects the XCR (only XCR0 exists); x87 state must stay
 * enabled, AVX needs SSE, and only features the CPU supports may be enabled. */
void exit_xsetbv(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	uint64_t value = (v->gpr[GPR_RDX] << 32) | (uint32_t)v->gpr[GPR_RAX];
	struct cpuid_regs leaf_d = cpuid(CPUID_LEAF_XSAVE, 0);
	uint64_t supported = ((uint64_t)leaf_d.edx << 32) | leaf_d.eax;

	if ((uint32_t)v->gpr[GPR_RCX] != 0 || !(value & 1) || (value & ~supported) ||
	    ((value & 4) && !(value & 2))) {
		vcpu_queue_exception(v, EXC_GP, true, 0);
		return;
	}
	/* Umbra itself uses no extended state (-mgeneral-regs-only), so the guest's XCR0 can stay
	 * loaded in the real register across exits. */
	__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
	v->xcr0 = value;
	vcpu_skip_instruction(v, e);
}
