/* The debug-exit port: a write of V ends the guest with "debug exit 0xV", as QEMU's
 * isa-debug-exit device ends QEMU. */
#ifndef UMBRA_GUEST_DEVICES_DEBUG_EXIT_H
#define UMBRA_GUEST_DEVICES_DEBUG_EXIT_H

#include <stdbool.h>

struct device_bus;
struct guest;

/* Puts the port (QEMU_DEBUG_EXIT_PORT) on the bus for guest g. */
bool debug_exit_attach(struct guest *g, struct device_bus *b);

#endif
