/* The guest's processor state at reset, beyond the registers the backend loads. */
#include "guest/cpu_reset.h"
#include "guest/guest.h"
#include "arch/cpu_info.h"
#include "arch/cpuid.h"
#include "arch/xsave.h"

void guest_cpu_reset(struct guest *g)
{
	/* The real XCR0 is the guest's from its first XSETBV on (exits/xsetbv.c); a reset must
	 * not leave the previous run's value behind its back. Its reset value passes every
	 * XSETBV check (SDM Vol. 1 13.3). */
	if (cpu_has(g->host_cpu->leaf1_ecx, CPUID_1_ECX_XSAVE))
		xcr_write(XCR_XFEATURE_ENABLED_MASK, g->vcpu.xcr0);
}
