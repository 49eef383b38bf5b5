/* The guest's MMIO windows follow its device bus: every BUS_MMIO range is a window of guest
 * memory that is never RAM (mm/guest_mem.h), so a device with registers in guest-physical
 * space only registers its range on the bus. */
#ifndef UMBRA_GUEST_MMIO_WINDOWS_H
#define UMBRA_GUEST_MMIO_WINDOWS_H

#include <stdbool.h>

struct guest;

/* Makes the windows of g's memory the bus's MMIO ranges, page aligned, and resets the shadow
 * MMU so that no entry made before maps one. False when they do not fit GUEST_MEM_MAX_MMIO
 * (the ranges beyond are then not windows: reported). Run once guest memory exists, and after
 * an MMIO range moves. */
bool guest_mmio_windows_sync(struct guest *g);

#endif
