/* Physical page allocator: a sorted list of free physical ranges (range arithmetic only). */
#ifndef UMBRA_MM_PMM_H
#define UMBRA_MM_PMM_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/mem_range.h"
#include "mm/page.h"

#define PMM_MAX_RANGES	1024

/* Memory below 1 MiB (real-mode IVT, BDA, EBDA, VGA, option ROMs) is never handed out. */
#define PMM_LOW_LIMIT	(1ULL << 20)

/* Allocations whose limit allows it are tried at and above 4 GiB first. */
#define PMM_HIGH_BASE	(1ULL << 32)

/* A physical address range [start, end). */
struct phys_range {
	uint64_t start, end;
};

/*
 * The allocator never touches the memory it manages; it only keeps, in free[0..count),
 * page-aligned, non-empty, disjoint, non-adjacent ranges sorted by address. If an operation
 * would need more than PMM_MAX_RANGES entries, the smallest range (possibly the one being
 * added) is forgotten and counted in dropped_ranges and dropped_pages: its pages leak, but
 * nothing overflows, and the owner reports the loss (boot, and after each guest run).
 */
struct pmm {
	struct phys_range free[PMM_MAX_RANGES];
	unsigned count;
	uint64_t free_pages;		/* pages currently in free[] */
	uint64_t total_pages;		/* pages free right after pmm_init */
	unsigned dropped_ranges;
	uint64_t dropped_pages;		/* pages of the dropped ranges: lost until reboot */
};

/*
 * Builds the free list: usable (MEM_USABLE) ranges of map rounded inward to pages, minus every
 * other range of map rounded outward (they may overlap usable ones; non-usable wins whatever
 * the order), minus each of the excl ranges rounded outward, minus everything below
 * PMM_LOW_LIMIT. The map may be unsorted, overlapping, and contain empty entries.
 */
void pmm_init(struct pmm *p, const struct mem_range *map, unsigned map_count,
	      const struct phys_range *excl, unsigned excl_count);

/*
 * Allocates npages contiguous pages starting at a multiple of align (a power of two, at least
 * PAGE_SIZE) and ending at or below limit (UINT64_MAX for none). Policy: first fit from the
 * lowest address at or above 4 GiB, then, if nothing fits there, first fit from the lowest
 * address; so memory below 4 GiB stays available for structures that need it (PAE roots,
 * 32-bit DMA) unless a limit demands it. Returns the physical address, or 0 when nothing fits
 * or the request is invalid (0 is never allocatable: it is below PMM_LOW_LIMIT).
 */
uint64_t pmm_alloc(struct pmm *p, uint64_t npages, uint64_t align, uint64_t limit);

/*
 * Returns npages pages at start to the free list, merging with neighbours. Returns 0, or -1,
 * leaving the list unchanged, if start is not page aligned, npages is 0, the range wraps or
 * reaches below PMM_LOW_LIMIT, or it overlaps free memory (a double free).
 */
int pmm_free(struct pmm *p, uint64_t start, uint64_t npages);

/* Returns whether the page containing addr is free. */
bool pmm_is_free(const struct pmm *p, uint64_t addr);

#endif
