/* The guest's clock, the same on both backends: guest TSC = host TSC + vcpu.tsc_offset (SDM
 * Vol. 3C 26.6.5, "TSC offsetting"; APM Vol. 2 15.30.5, TSC_OFFSET), and guest time in
 * nanoseconds since the guest's power-on at the host TSC's measured rate (arch/tsc.h). Devices
 * read it, so virtual time runs at the real rate however often the guest exits. */
#ifndef UMBRA_GUEST_CLOCK_H
#define UMBRA_GUEST_CLOCK_H

#include <stdint.h>

struct guest;

/* Guest time starts at 0 now (device power-on). */
void guest_clock_start(struct guest *g);
/* The TSC value the guest reads now. */
uint64_t guest_tsc(const struct guest *g);
uint64_t guest_now_ns(const struct guest *g);
/* The same, for struct dev_clock (ctx is the guest). */
uint64_t guest_clock_now(void *ctx);
/* The host TSC value at which guest time will be ns. */
uint64_t guest_host_tsc_at(const struct guest *g, uint64_t ns);

#endif
