/* Page size constants and page rounding helpers for the 4 KiB pages Umbra manages. */
#ifndef UMBRA_MM_PAGE_H
#define UMBRA_MM_PAGE_H

#include <stdint.h>

/* The base x86-64 page size (Intel SDM Vol. 3A 4.5; AMD APM Vol. 2 5.3). */
#define PAGE_SHIFT	12
#define PAGE_SIZE	(1ULL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

/* Returns addr rounded down to a page boundary. */
static inline uint64_t page_align_down(uint64_t addr)
{
	return addr & PAGE_MASK;
}

/* Returns addr rounded up to a page boundary, or the last page boundary if that would wrap. */
static inline uint64_t page_align_up(uint64_t addr)
{
	if (addr > UINT64_MAX - (PAGE_SIZE - 1))
		return page_align_down(UINT64_MAX);
	return page_align_down(addr + PAGE_SIZE - 1);
}

#endif
