/* The MSR exits' side of a guest reset. */
#ifndef UMBRA_GUEST_EXITS_MSR_ACCESS_H
#define UMBRA_GUEST_EXITS_MSR_ACCESS_H

struct guest;
struct msr_features;

/* Power-on values of the guest's modelled MSRs for a guest whose CPUID is cpu, and the real
 * MSRs that hold a guest value (TSC_AUX) loaded with them. */
void msr_access_reset(struct guest *g, const struct msr_features *cpu);

#endif
