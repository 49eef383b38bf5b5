/* The guest's processor state that lives outside struct vcpu's registers, set at each reset. */
#ifndef UMBRA_GUEST_CPU_RESET_H
#define UMBRA_GUEST_CPU_RESET_H

struct guest;

/* Called once the vCPU exists: the power-on values of the MSRs Umbra models, for the CPUID the
 * guest sees, and the guest's reset values in the real registers it owns while it runs
 * (XCR0, TSC_AUX), which would survive from the previous run otherwise. */
void guest_cpu_reset(struct guest *g);

#endif
