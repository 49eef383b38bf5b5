/* The guest's virtual PC: which devices it has and where they sit on its bus. */
#ifndef UMBRA_GUEST_PLATFORM_H
#define UMBRA_GUEST_PLATFORM_H

#include <stdbool.h>

struct guest;

#include <stdint.h>

/* Resets every device of g (the CMOS describes ram_size bytes of RAM) and registers it on g's
 * bus; false when the bus refuses one. */
bool guest_platform_init(struct guest *g, uint64_t ram_size);

#endif
