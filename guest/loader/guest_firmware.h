/* The guest's firmware tables in its memory: the ACPI tables and the MP tables, built at every
 * guest start (guest/firmware/) and copied into the BIOS area. */
#ifndef UMBRA_GUEST_LOADER_GUEST_FIRMWARE_H
#define UMBRA_GUEST_LOADER_GUEST_FIRMWARE_H

#include <stdbool.h>

struct guest;
struct pmm;

/* Builds the tables in a scratch buffer from pmm and writes them to g's BIOS area; false when
 * memory runs out or they do not fit. */
bool guest_firmware_write(struct guest *g, struct pmm *pmm);

#endif
