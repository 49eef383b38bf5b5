/* The guest-visible counter port and its marks (guest/umbra_abi.h). */
#ifndef UMBRA_GUEST_DEVICES_COUNTER_PORT_H
#define UMBRA_GUEST_DEVICES_COUNTER_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include "guest/devices/counter_marks.h"

struct device_bus;
struct guest;

/* Puts the counter port's registers on the bus; it reads g's counters. */
bool counter_port_attach(struct guest *g, struct device_bus *b);
/* The current value of counter index (all-ones for an unknown index). */
uint64_t counters_read(const struct guest *g, uint32_t index);
/* Records a mark tagged tag (full table: counted as dropped). */
void counter_mark(struct guest *g, uint32_t tag);
/* The name in a mark line of the i-th counter of UMBRA_MARK_COUNTERS. */
const char *counter_mark_name(unsigned i);

#endif
