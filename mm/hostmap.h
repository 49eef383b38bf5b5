/* Umbra's own address space: an identity map of all physical memory it manages. */
#ifndef UMBRA_MM_HOSTMAP_H
#define UMBRA_MM_HOSTMAP_H

#include <stdbool.h>
#include <stdint.h>

struct pmm;

struct hostmap {
	uint64_t pml4;		/* physical address loaded into CR3 */
	uint64_t top;		/* everything below is mapped, physical == virtual */
	unsigned table_pages;	/* page-table pages used */
	bool gb_pages;		/* 1 GiB pages used above 4 GiB */
};

/* Physical and virtual addresses are the same for Umbra (identity map). */
static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline uint64_t virt_to_phys(const void *va)
{
	return (uint64_t)(uintptr_t)va;
}

/* Builds page tables that map [0, max(4 GiB, top)) and switches CR3 to them. Page-table pages
 * come from pmm below 4 GiB (the boot map reaches only that far). Returns false when out of memory. */
bool hostmap_init(struct hostmap *hm, struct pmm *pmm, uint64_t top, bool gb_pages);
/* Allocates one zeroed page mapped by the host map; returns 0 when none is left. */
uint64_t hostmap_alloc_zeroed_page(struct pmm *pmm, uint64_t limit);

#endif
