/* The guest-visible counter port (guest/umbra_abi.h). */
#ifndef UMBRA_GUEST_DEVICES_COUNTER_PORT_H
#define UMBRA_GUEST_DEVICES_COUNTER_PORT_H

#include <stdbool.h>
#include <stdint.h>

struct device_bus;
struct guest;

/* Puts the counter port's three registers on the bus; it reads g's counters. */
bool counter_port_attach(struct guest *g, struct device_bus *b);
/* The current value of counter index (all-ones for an unknown index). */
uint64_t counters_read(const struct guest *g, uint32_t index);

#endif
