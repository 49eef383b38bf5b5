/* The physical memory map as the boot code hands it down: ranges of RAM and of everything else. */
#ifndef UMBRA_MM_MEM_RANGE_H
#define UMBRA_MM_MEM_RANGE_H

#include <stdint.h>

/* Memory range types, equal to the Multiboot2 values; other values are kept and mean reserved. */
enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIMABLE = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

/* One entry of the loader's memory map, as given (not sorted, not merged, not page aligned). */
struct mem_range {
	uint64_t base, length;
	uint32_t type;
};

#endif
