/* The guest-visible counter port (guest/umbra_abi.h). */
#ifndef UMBRA_GUEST_COUNTERS_H
#define UMBRA_GUEST_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

struct guest;

/* True when port belongs to the counter device; then *value is the read result (IN) or value
 * was taken (OUT). */
bool counters_io(struct guest *g, uint16_t port, bool in, unsigned size, uint32_t *value);
/* The current value of counter index (all-ones for an unknown index). */
uint64_t counters_read(const struct guest *g, uint32_t index);

#endif
