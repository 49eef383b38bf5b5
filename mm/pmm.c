/* Physical page allocator: free-range list construction, allocation and freeing. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/string.h"
#include "mm/page.h"
#include "mm/pmm.h"

/* Returns base + length, saturated at UINT64_MAX when the sum wraps. */
static uint64_t range_end(uint64_t base, uint64_t length)
{
	return length > UINT64_MAX - base ? UINT64_MAX : base + length;
}

/* Returns the size in bytes of free[i]. */
static uint64_t range_size(const struct pmm *p, unsigned i)
{
	return p->free[i].end - p->free[i].start;
}

/* Returns the index of the smallest range in the (non-empty) list; the lowest one on ties. */
static unsigned smallest_range(const struct pmm *p)
{
	unsigned i, best = 0;

	for (i = 1; i < p->count; i++)
		if (range_size(p, i) < range_size(p, best))
			best = i;
	return best;
}

/* Removes free[i], closing the gap. */
static void list_remove_at(struct pmm *p, unsigned i)
{
	memmove(&p->free[i], &p->free[i + 1], (p->count - i - 1) * sizeof(p->free[0]));
	p->count--;
}

/*
 * Inserts [start, end) at index i, which keeps the list sorted; when the list is full, drops
 * the smallest of the existing ranges and the new one instead (the new one on ties).
 */
static void list_insert_at(struct pmm *p, unsigned i, uint64_t start, uint64_t end)
{
	unsigned s;

	if (p->count == PMM_MAX_RANGES) {
		s = smallest_range(p);
		p->dropped_ranges++;
		if (end - start <= range_size(p, s)) {
			p->dropped_pages += (end - start) >> PAGE_SHIFT;
			return;
		}
		p->dropped_pages += range_size(p, s) >> PAGE_SHIFT;
		list_remove_at(p, s);
		if (s < i)
			i--;
	}
	memmove(&p->free[i + 1], &p->free[i], (p->count - i) * sizeof(p->free[0]));
	p->free[i].start = start;
	p->free[i].end = end;
	p->count++;
}

/* Adds [start, end) (page aligned, non-empty) to the list, merging what it overlaps or touches. */
static void list_add(struct pmm *p, uint64_t start, uint64_t end)
{
	unsigned i = 0, j;

	while (i < p->count && p->free[i].end < start)
		i++;
	j = i;
	while (j < p->count && p->free[j].start <= end)
		j++;
	if (i == j) {
		list_insert_at(p, i, start, end);
		return;
	}
	if (p->free[i].start < start)
		start = p->free[i].start;
	if (p->free[j - 1].end > end)
		end = p->free[j - 1].end;
	p->free[i].start = start;
	p->free[i].end = end;
	memmove(&p->free[i + 1], &p->free[j], (p->count - j) * sizeof(p->free[0]));
	p->count -= j - i - 1;
}

/* Removes [start, end) (page aligned; nothing if empty) from the list, trimming or splitting. */
static void list_subtract(struct pmm *p, uint64_t start, uint64_t end)
{
	unsigned i = 0;
	uint64_t old_end;

	if (start >= end)
		return;
	while (i < p->count && p->free[i].start < end) {
		struct phys_range *r = &p->free[i];

		if (r->end <= start) {
			i++;
		} else if (start <= r->start && end >= r->end) {
			list_remove_at(p, i);
		} else if (start > r->start && end < r->end) {
			old_end = r->end;
			r->end = start;
			list_insert_at(p, i + 1, end, old_end);
			return;
		} else if (start <= r->start) {
			r->start = end;
			return;
		} else {
			r->end = start;
			i++;
		}
	}
}

/* Sets free_pages from the list. */
static void recount(struct pmm *p)
{
	unsigned i;

	p->free_pages = 0;
	for (i = 0; i < p->count; i++)
		p->free_pages += range_size(p, i) >> PAGE_SHIFT;
}

/* Builds the free list from the memory map and the exclusions; see mm/pmm.h. */
void pmm_init(struct pmm *p, const struct mem_range *map, unsigned map_count,
	      const struct phys_range *excl, unsigned excl_count)
{
	uint64_t start, end;
	unsigned i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < map_count; i++) {
		if (map[i].type != MEM_USABLE)
			continue;
		start = page_align_up(map[i].base);
		end = page_align_down(range_end(map[i].base, map[i].length));
		if (start < PMM_LOW_LIMIT)
			start = PMM_LOW_LIMIT;
		if (start < end)
			list_add(p, start, end);
	}
	for (i = 0; i < map_count; i++) {
		if (map[i].type == MEM_USABLE || map[i].length == 0)
			continue;
		start = page_align_down(map[i].base);
		end = page_align_up(range_end(map[i].base, map[i].length));
		list_subtract(p, start, end);
	}
	for (i = 0; i < excl_count; i++)	/* an empty or inverted one stays empty */
		list_subtract(p, page_align_down(excl[i].start), page_align_up(excl[i].end));
	recount(p);
	p->total_pages = p->free_pages;
}

/*
 * Returns the lowest address at or above floor, a multiple of align, where size bytes fit in
 * one free range and end at or below limit; 0 if there is none.
 */
static uint64_t find_fit(const struct pmm *p, uint64_t size, uint64_t align, uint64_t limit,
			 uint64_t floor)
{
	uint64_t start;
	unsigned i;

	for (i = 0; i < p->count; i++) {
		start = p->free[i].start > floor ? p->free[i].start : floor;
		if (start > UINT64_MAX - (align - 1))
			break;
		start = (start + align - 1) & ~(align - 1);
		if (start >= p->free[i].end || p->free[i].end - start < size)
			continue;
		if (start + size > limit)
			break;		/* later ranges only end higher */
		return start;
	}
	return 0;
}

/* Allocates npages aligned contiguous pages below limit, preferring 4 GiB and up; see mm/pmm.h. */
uint64_t pmm_alloc(struct pmm *p, uint64_t npages, uint64_t align, uint64_t limit)
{
	uint64_t addr, size;

	if (npages == 0 || npages > (UINT64_MAX >> PAGE_SHIFT))
		return 0;
	if (align < PAGE_SIZE || (align & (align - 1)) != 0)
		return 0;
	size = npages << PAGE_SHIFT;
	addr = find_fit(p, size, align, limit, PMM_HIGH_BASE);
	if (!addr)
		addr = find_fit(p, size, align, limit, 0);
	if (!addr)
		return 0;
	list_subtract(p, addr, addr + size);
	recount(p);
	return addr;
}

/* Returns whether [start, end) overlaps any free range. */
static bool overlaps_free(const struct pmm *p, uint64_t start, uint64_t end)
{
	unsigned i;

	for (i = 0; i < p->count && p->free[i].start < end; i++)
		if (p->free[i].end > start)
			return true;
	return false;
}

/* Returns pages to the free list after validating them; see mm/pmm.h. */
int pmm_free(struct pmm *p, uint64_t start, uint64_t npages)
{
	uint64_t size;

	if (npages == 0 || npages > (UINT64_MAX >> PAGE_SHIFT) || start % PAGE_SIZE != 0)
		return -1;
	size = npages << PAGE_SHIFT;
	if (start < PMM_LOW_LIMIT || size > UINT64_MAX - start)
		return -1;
	if (overlaps_free(p, start, start + size))
		return -1;
	list_add(p, start, start + size);
	recount(p);
	return 0;
}

/* Returns whether the page containing addr is in the free list. */
bool pmm_is_free(const struct pmm *p, uint64_t addr)
{
	unsigned i;

	for (i = 0; i < p->count && p->free[i].start <= addr; i++)
		if (addr < p->free[i].end)
			return true;
	return false;
}
