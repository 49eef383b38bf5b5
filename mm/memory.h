/* Bringing up Umbra's memory: the physical allocator and the host page tables. */
#ifndef UMBRA_MM_MEMORY_H
#define UMBRA_MM_MEMORY_H

#include <stdbool.h>
#include "mm/hostmap.h"
#include "mm/mem_range.h"
#include "mm/pmm.h"

struct host_memory {
	struct pmm pmm;
	struct hostmap map;
};

/* What the allocator must never hand out besides Umbra's image: the boot information and the
 * modules, as the boot code found them. */
#define MEMORY_MAX_RESERVED	24

/* Sets up the allocator over the usable ranges of map, keeping Umbra's image and the reserved
 * ranges out of it, then builds and loads the host page tables. Returns false with a message
 * on failure. */
bool memory_init(struct host_memory *hm, const struct mem_range *map, unsigned map_count,
		 const struct phys_range *reserved, unsigned reserved_count, bool gb_pages);
/* Warns about pages the allocator had to forget because its free list was full. */
void memory_report_losses(const struct host_memory *hm);
/* Writes and reads back the first and last word of every free range through the host map, so a
 * hole in the map faults now rather than later. Returns the number of ranges checked. */
unsigned memory_check_reachable(const struct host_memory *hm, uint64_t *highest);

#endif
