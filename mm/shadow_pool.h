/*
 * Sizing the shadow MMU's pool: shadow_mem=SIZE bytes of host memory hold the shadow table
 * pages, their descriptors, the parent links and the reverse map, in a fixed ratio.
 */
#ifndef UMBRA_MM_SHADOW_POOL_H
#define UMBRA_MM_SHADOW_POOL_H

#include <stdbool.h>
#include <stdint.h>

/* Reverse-map entries per shadow page: a level-1 shadow page has up to 512 leaves, but most
 * hold far fewer (a process's tables map a few dozen pages each); 64 leaves room for dense
 * pages, and running short only evicts. */
#define SHADOW_POOL_RMAP_PER_PAGE	64
/* Parent links per shadow page: most pages have one parent; kernel tables shared by every
 * address space have many. */
#define SHADOW_POOL_LINKS_PER_PAGE	2
/* The smallest pool: an active 4-level root and its path, or the 4 page directories of a PAE
 * root and theirs, with room to evict around them. */
#define SHADOW_POOL_MIN_PAGES		32

/*
 * The default size, from the host memory the allocator had at boot: 1/32 of it (3%), at least
 * 24 MiB (about 4250 shadow pages with their descriptors, links and reverse map: no fewer than
 * the 4096 of the fixed pool Umbra had before it was sized) and at most 1 GiB (about 180000
 * shadow pages, enough for thousands of processes).
 */
#define SHADOW_MEM_DEFAULT_MIN		(24ULL << 20)
#define SHADOW_MEM_DEFAULT_MAX		(1ULL << 30)
#define SHADOW_MEM_DEFAULT_SHARE	32

struct shadow_pool {
	unsigned pages;		/* shadow pages (descriptors and table pages) */
	unsigned links;		/* parent links */
	unsigned rmap_entries;
};

/* shadow_mem's default for host_bytes of host memory (the rule above). */
uint64_t shadow_mem_default(uint64_t host_bytes);
/* The largest pool that fits in bytes; false when even SHADOW_POOL_MIN_PAGES do not. */
bool shadow_pool_from_bytes(uint64_t bytes, struct shadow_pool *p);
/* The host memory pool p takes (what mmu_init_pool allocates for it). */
uint64_t shadow_pool_bytes(const struct shadow_pool *p);

#endif
