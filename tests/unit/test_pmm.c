/* Host unit tests for the physical page allocator (mm/pmm.c), using fake physical addresses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "boot/boot_info.h"
#include "mm/pmm.h"

#define KiB	(1ULL << 10)
#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Checks the list invariants: aligned, non-empty, sorted, disjoint, non-adjacent, above 1 MiB. */
static void check_invariants(const struct pmm *p)
{
	uint64_t pages = 0;
	unsigned i;

	assert_true(p->count <= PMM_MAX_RANGES);
	for (i = 0; i < p->count; i++) {
		const struct phys_range *r = &p->free[i];

		assert_int_equal(r->start % PAGE_SIZE, 0);
		assert_int_equal(r->end % PAGE_SIZE, 0);
		assert_true(r->start < r->end);
		assert_true(r->start >= PMM_LOW_LIMIT);
		if (i)
			assert_true(p->free[i - 1].end < r->start);
		pages += (r->end - r->start) / PAGE_SIZE;
	}
	assert_int_equal(p->free_pages, pages);
}

/* Checks that the free list is exactly want[0..n). */
static void expect_ranges(const struct pmm *p, const struct phys_range *want, unsigned n)
{
	unsigned i;

	check_invariants(p);
	if (p->count != n) {
		for (i = 0; i < p->count; i++)
			print_message("  free[%u] = [%#llx, %#llx)\n", i,
				      (unsigned long long)p->free[i].start,
				      (unsigned long long)p->free[i].end);
		fail_msg("%u ranges, expected %u", p->count, n);
	}
	for (i = 0; i < n; i++) {
		if (p->free[i].start != want[i].start || p->free[i].end != want[i].end)
			fail_msg("free[%u] = [%#llx, %#llx), expected [%#llx, %#llx)", i,
				 (unsigned long long)p->free[i].start,
				 (unsigned long long)p->free[i].end,
				 (unsigned long long)want[i].start,
				 (unsigned long long)want[i].end);
	}
}

/* A fresh allocator on the heap (the struct is 4 KiB). */
static struct pmm *new_pmm(void)
{
	struct pmm *p = malloc(sizeof(*p));

	assert_non_null(p);
	memset(p, 0xa5, sizeof(*p));
	return p;
}

/* One usable range is clipped at 1 MiB and kept whole otherwise. */
static void test_init_simple(void **state)
{
	static const struct mem_range map[] = { { 0, 2 * GiB, MEM_USABLE } };
	static const struct phys_range want[] = { { 1 * MiB, 2 * GiB } };
	struct pmm *p = new_pmm();

	(void)state;
	pmm_init(p, map, 1, NULL, 0);
	expect_ranges(p, want, 1);
	assert_int_equal(p->total_pages, (2 * GiB - 1 * MiB) / PAGE_SIZE);
	assert_int_equal(p->free_pages, p->total_pages);
	assert_int_equal(p->dropped_ranges, 0);

	pmm_init(p, NULL, 0, NULL, 0);
	expect_ranges(p, NULL, 0);
	assert_int_equal(p->total_pages, 0);
	assert_int_equal(pmm_alloc(p, 1, PAGE_SIZE, UINT64_MAX), 0);
	free(p);
}

/* Unsorted, overlapping, adjacent and zero-length entries give a sorted, merged list. */
static void test_init_unsorted_overlapping(void **state)
{
	static const struct mem_range map[] = {
		{ 6 * GiB, 1 * GiB, MEM_USABLE },
		{ 16 * MiB, 16 * MiB, MEM_USABLE },
		{ 20 * MiB, 4 * MiB, MEM_USABLE },		/* inside the previous one */
		{ 4 * GiB, 2 * GiB, MEM_USABLE },		/* adjacent to the first */
		{ 40 * MiB, 0, MEM_USABLE },			/* zero length */
		{ 24 * MiB, 16 * MiB, MEM_USABLE },		/* overlaps the second's end */
		{ 100 * MiB + 123, 0, MEM_RESERVED },		/* zero length: no effect */
		{ 5 * GiB + 1, 0, MEM_BAD },
		{ 64 * MiB, 8 * MiB, MEM_USABLE },
		{ 64 * MiB, 8 * MiB, MEM_USABLE },		/* duplicate */
	};
	static const struct phys_range want[] = {
		{ 16 * MiB, 40 * MiB }, { 64 * MiB, 72 * MiB }, { 4 * GiB, 7 * GiB },
	};
	struct pmm *p = new_pmm();

	(void)state;
	pmm_init(p, map, ARRAY_SIZE(map), NULL, 0);
	expect_ranges(p, want, ARRAY_SIZE(want));
	free(p);
}

/* Usable ranges are rounded inward; a usable sliver smaller than a page disappears. */
static void test_init_unaligned_usable(void **state)
{
	static const struct mem_range map[] = {
		{ 2 * MiB + 1, 1 * MiB - 2, MEM_USABLE },		/* -> [2M+4K, 3M-4K) */
		{ 8 * MiB + 100, 3000, MEM_USABLE },			/* no whole page */
		{ 16 * MiB - 1, PAGE_SIZE + 2, MEM_USABLE },		/* only [16M, 16M+4K) */
	};
	static const struct phys_range want[] = {
		{ 2 * MiB + PAGE_SIZE, 3 * MiB - PAGE_SIZE }, { 16 * MiB, 16 * MiB + PAGE_SIZE },
	};
	struct pmm *p = new_pmm();

	(void)state;
	pmm_init(p, map, ARRAY_SIZE(map), NULL, 0);
	expect_ranges(p, want, ARRAY_SIZE(want));
	free(p);
}

/* Non-usable ranges, in any order and of any type, are cut out of usable ones, rounded outward. */
static void test_reserved_inside_usable(void **state)
{
	static const struct mem_range map[] = {
		{ 0x7fee0000, 0x20000, MEM_ACPI_RECLAIMABLE },	/* before the usable range */
		{ 1 * MiB, 2 * GiB - 1 * MiB, MEM_USABLE },
		{ 32 * MiB + 10, 20, MEM_RESERVED },		/* one page */
		{ 48 * MiB - 1, 2, MEM_ACPI_NVS },		/* straddles a page boundary */
		{ 64 * MiB, 1 * MiB, MEM_BAD },
		{ 96 * MiB, 1 * MiB, 7 },			/* unknown type: reserved */
		{ 128 * MiB, 1 * MiB, 0 },			/* type 0: reserved */
		{ 1 * GiB, 2 * GiB, MEM_RESERVED },		/* covers the tail */
	};
	static const struct phys_range want[] = {
		{ 1 * MiB, 32 * MiB },
		{ 32 * MiB + PAGE_SIZE, 48 * MiB - PAGE_SIZE },
		{ 48 * MiB + PAGE_SIZE, 64 * MiB },
		{ 65 * MiB, 96 * MiB },
		{ 97 * MiB, 128 * MiB },
		{ 129 * MiB, 1 * GiB },
	};
	struct pmm *p = new_pmm();

	(void)state;
	pmm_init(p, map, ARRAY_SIZE(map), NULL, 0);
	expect_ranges(p, want, ARRAY_SIZE(want));
	free(p);
}

/* Exclusions split, trim and remove ranges; they are rounded outward; empty ones do nothing. */
static void test_exclusions(void **state)
{
	static const struct mem_range map[] = {
		{ 16 * MiB, 16 * MiB, MEM_USABLE },
		{ 64 * MiB, 16 * MiB, MEM_USABLE },
		{ 128 * MiB, 16 * MiB, MEM_USABLE },
		{ 256 * MiB, 16 * MiB, MEM_USABLE },
	};
	static const struct phys_range excl[] = {
		{ 20 * MiB, 21 * MiB },			/* splits the first range */
		{ 8 * MiB, 16 * MiB },			/* touches its start: no effect */
		{ 32 * MiB, 40 * MiB },			/* touches its end: no effect */
		{ 60 * MiB, 66 * MiB },			/* trims the second's head */
		{ 79 * MiB, 90 * MiB },			/* trims its tail */
		{ 127 * MiB, 145 * MiB },		/* covers the third whole */
		{ 256 * MiB + 1, 256 * MiB + 2 },	/* unaligned: one page */
		{ 264 * MiB - 1, 264 * MiB + 1 },	/* unaligned, straddling: two pages */
		{ 268 * MiB, 268 * MiB },		/* empty */
		{ 270 * MiB, 269 * MiB },		/* inverted: ignored */
	};
	static const struct phys_range want[] = {
		{ 16 * MiB, 20 * MiB }, { 21 * MiB, 32 * MiB },
		{ 66 * MiB, 79 * MiB },
		{ 256 * MiB + PAGE_SIZE, 264 * MiB - PAGE_SIZE },
		{ 264 * MiB + PAGE_SIZE, 272 * MiB },
	};
	struct pmm *p = new_pmm();

	(void)state;
	pmm_init(p, map, ARRAY_SIZE(map), excl, ARRAY_SIZE(excl));
	expect_ranges(p, want, ARRAY_SIZE(want));
	assert_int_equal(p->total_pages, p->free_pages);
	free(p);
}

/* Everything below 1 MiB is removed, including the start of a range that crosses it. */
static void test_low_limit(void **state)
{
	static const struct mem_range map[] = {
		{ 0, 0x9fc00, MEM_USABLE },
		{ 0x9fc00, 0x400, MEM_RESERVED },
		{ 0xf0000, 0x10000, MEM_RESERVED },
		{ 0x80000, 0x180000, MEM_USABLE },	/* [512K, 2M) */
	};
	static const struct phys_range want[] = { { 1 * MiB, 2 * MiB } };
	struct pmm *p = new_pmm();

	(void)state;
	pmm_init(p, map, ARRAY_SIZE(map), NULL, 0);
	expect_ranges(p, want, 1);
	assert_false(pmm_is_free(p, 0));
	assert_false(pmm_is_free(p, 0x1000));
	assert_false(pmm_is_free(p, 1 * MiB - 1));
	assert_true(pmm_is_free(p, 1 * MiB));
	free(p);
}

/* Allocations honour 4 KiB, 2 MiB and 1 GiB alignment, taking the lowest fitting address. */
static void test_alloc_alignment(void **state)
{
	static const struct mem_range map[] = {
		{ 4 * GiB + 12 * KiB, 4 * GiB - 12 * KiB, MEM_USABLE },	/* [4G+12K, 8G) */
	};
	struct pmm *p = new_pmm();
	uint64_t a;

	(void)state;
	pmm_init(p, map, 1, NULL, 0);
	a = pmm_alloc(p, 1, PAGE_SIZE, UINT64_MAX);
	assert_int_equal(a, 4 * GiB + 12 * KiB);
	a = pmm_alloc(p, 3, 2 * MiB, UINT64_MAX);
	assert_int_equal(a, 4 * GiB + 2 * MiB);
	a = pmm_alloc(p, 512, 2 * MiB, UINT64_MAX);
	assert_int_equal(a, 4 * GiB + 4 * MiB);
	a = pmm_alloc(p, 1, 1 * GiB, UINT64_MAX);
	assert_int_equal(a, 5 * GiB);
	a = pmm_alloc(p, 2, 8 * KiB, UINT64_MAX);
	assert_int_equal(a, 4 * GiB + 16 * KiB);
	a = pmm_alloc(p, 1, PAGE_SIZE, UINT64_MAX);	/* the gap left by alignment */
	assert_int_equal(a, 4 * GiB + 24 * KiB);
	check_invariants(p);
	assert_true(pmm_is_free(p, 4 * GiB + 28 * KiB));
	assert_false(pmm_is_free(p, 4 * GiB + 2 * MiB + 8 * KiB));
	assert_true(pmm_is_free(p, 4 * GiB + 2 * MiB + 12 * KiB));
	/* 1 GiB aligned, 1 GiB long: only [6G, 7G) and [7G, 8G) qualify; 5G is taken. */
	a = pmm_alloc(p, GiB / PAGE_SIZE, 1 * GiB, UINT64_MAX);
	assert_int_equal(a, 6 * GiB);
	a = pmm_alloc(p, GiB / PAGE_SIZE + 1, 1 * GiB, UINT64_MAX);
	assert_int_equal(a, 0);
	free(p);
}

/* A limit keeps the whole allocation at or below it. */
static void test_alloc_limit(void **state)
{
	static const struct mem_range map[] = {
		{ 1 * MiB, 3 * GiB - 1 * MiB, MEM_USABLE },
		{ 4 * GiB, 4 * GiB, MEM_USABLE },
	};
	struct pmm *p = new_pmm();
	uint64_t a;

	(void)state;
	pmm_init(p, map, ARRAY_SIZE(map), NULL, 0);
	a = pmm_alloc(p, 4, PAGE_SIZE, 4 * GiB);
	assert_int_equal(a, 1 * MiB);
	a = pmm_alloc(p, 1, PAGE_SIZE, 1 * MiB + 4 * PAGE_SIZE);	/* nothing left that low */
	assert_int_equal(a, 0);
	a = pmm_alloc(p, 1, PAGE_SIZE, 1 * MiB + 5 * PAGE_SIZE);	/* ends at the limit */
	assert_int_equal(a, 1 * MiB + 4 * PAGE_SIZE);
	a = pmm_alloc(p, 2, PAGE_SIZE, 1 * MiB + 6 * PAGE_SIZE);	/* would end past it */
	assert_int_equal(a, 0);
	a = pmm_alloc(p, 1, PAGE_SIZE, 0);
	assert_int_equal(a, 0);
	/* A limit above 4 GiB still prefers high memory. */
	a = pmm_alloc(p, 1, PAGE_SIZE, 6 * GiB);
	assert_int_equal(a, 4 * GiB);
	/* A limit that cuts into high memory: the part above 4 GiB that fits is used. */
	a = pmm_alloc(p, 2, PAGE_SIZE, 4 * GiB + 3 * PAGE_SIZE);
	assert_int_equal(a, 4 * GiB + PAGE_SIZE);
	a = pmm_alloc(p, 2, PAGE_SIZE, 4 * GiB + 3 * PAGE_SIZE);
	assert_true(a > 0 && a + 2 * PAGE_SIZE <= 3 * GiB);
	check_invariants(p);
	free(p);
}

/* Unlimited allocations use memory above 4 GiB first, then fall back to low memory. */
static void test_alloc_prefers_high(void **state)
{
	static const struct mem_range map[] = {
		{ 1 * MiB, 1 * GiB, MEM_USABLE },
		{ 3 * GiB, 1 * GiB + 16 * MiB, MEM_USABLE },	/* straddles 4 GiB */
	};
	struct pmm *p = new_pmm();
	uint64_t a;

	(void)state;
	pmm_init(p, map, ARRAY_SIZE(map), NULL, 0);
	a = pmm_alloc(p, 1, PAGE_SIZE, UINT64_MAX);
	assert_int_equal(a, 4 * GiB);
	a = pmm_alloc(p, 16 * MiB / PAGE_SIZE - 1, PAGE_SIZE, UINT64_MAX);
	assert_int_equal(a, 4 * GiB + PAGE_SIZE);
	/* High memory is exhausted: lowest low memory next. */
	a = pmm_alloc(p, 1, PAGE_SIZE, UINT64_MAX);
	assert_int_equal(a, 1 * MiB);
	assert_int_equal(pmm_free(p, 4 * GiB + 8 * MiB, 1), 0);
	a = pmm_alloc(p, 2, PAGE_SIZE, UINT64_MAX);	/* one free high page is not enough */
	assert_int_equal(a, 1 * MiB + PAGE_SIZE);
	a = pmm_alloc(p, 1, PAGE_SIZE, UINT64_MAX);
	assert_int_equal(a, 4 * GiB + 8 * MiB);
	free(p);

	/* A range straddling 4 GiB whose high part is too small: its low part is used. */
	p = new_pmm();
	{
		static const struct mem_range m2[] = {
			{ 4 * GiB - 8 * MiB, 12 * MiB, MEM_USABLE },
		};

		pmm_init(p, m2, 1, NULL, 0);
	}
	a = pmm_alloc(p, 2 * MiB / PAGE_SIZE, PAGE_SIZE, UINT64_MAX);
	assert_int_equal(a, 4 * GiB);
	a = pmm_alloc(p, 4 * MiB / PAGE_SIZE, PAGE_SIZE, UINT64_MAX);	/* 2 MiB above 4G */
	assert_int_equal(a, 4 * GiB - 8 * MiB);
	a = pmm_alloc(p, 8 * MiB / PAGE_SIZE, PAGE_SIZE, UINT64_MAX);
	assert_int_equal(a, 0);
	free(p);
}

/* Allocating everything page by page returns each page once, then 0; bad requests give 0. */
static void test_alloc_exhaustion(void **state)
{
	static const struct mem_range map[] = {
		{ 1 * MiB, 64 * PAGE_SIZE, MEM_USABLE },
		{ 8 * GiB, 64 * PAGE_SIZE, MEM_USABLE },
	};
	struct pmm *p = new_pmm();
	uint64_t a, n = 0, last = 0;

	(void)state;
	pmm_init(p, map, ARRAY_SIZE(map), NULL, 0);
	assert_int_equal(pmm_alloc(p, 0, PAGE_SIZE, UINT64_MAX), 0);
	assert_int_equal(pmm_alloc(p, 1, 0, UINT64_MAX), 0);
	assert_int_equal(pmm_alloc(p, 1, 2048, UINT64_MAX), 0);
	assert_int_equal(pmm_alloc(p, 1, 3 * PAGE_SIZE, UINT64_MAX), 0);
	assert_int_equal(pmm_alloc(p, UINT64_MAX, PAGE_SIZE, UINT64_MAX), 0);
	assert_int_equal(pmm_alloc(p, UINT64_MAX >> 12, PAGE_SIZE, UINT64_MAX), 0);
	assert_int_equal(pmm_alloc(p, (1ULL << 52) + 1, PAGE_SIZE, UINT64_MAX), 0);
	assert_int_equal(pmm_alloc(p, 129, PAGE_SIZE, UINT64_MAX), 0);
	assert_int_equal(pmm_alloc(p, 65, PAGE_SIZE, UINT64_MAX), 0);
	assert_int_equal(pmm_alloc(p, 1, 1ULL << 63, UINT64_MAX), 0);
	assert_int_equal(p->free_pages, 128);

	while ((a = pmm_alloc(p, 1, PAGE_SIZE, UINT64_MAX)) != 0) {
		/* High pages come first, in ascending order, then low ones. */
		if (n == 64)
			assert_int_equal(a, 1 * MiB);
		else if (n)
			assert_int_equal(a, last + PAGE_SIZE);
		last = a;
		n++;
		assert_int_equal(p->free_pages, 128 - n);
		assert_true(n <= 128);
	}
	assert_int_equal(n, 128);
	assert_int_equal(p->count, 0);
	assert_int_equal(p->total_pages, 128);
	free(p);
}

/* Freeing in any order merges back into exactly the original list. */
static void test_free_merge_restores(void **state)
{
	static const struct mem_range map[] = {
		{ 1 * MiB, 63 * MiB, MEM_USABLE },
		{ 4 * GiB, 1 * GiB, MEM_USABLE },
		{ 32 * MiB, 4 * KiB, MEM_RESERVED },
	};
	static const unsigned order[] = { 5, 0, 9, 3, 7, 1, 8, 2, 6, 4, 11, 10 };
	struct pmm *p = new_pmm(), *orig = new_pmm();
	uint64_t a[12], n[12];
	unsigned i;

	(void)state;
	pmm_init(p, map, ARRAY_SIZE(map), NULL, 0);
	memcpy(orig, p, sizeof(*p));
	for (i = 0; i < 12; i++) {
		n[i] = 1 + i * 37;
		a[i] = pmm_alloc(p, n[i], i % 3 ? PAGE_SIZE : 2 * MiB,
				 i % 2 ? UINT64_MAX : 4 * GiB);
		assert_int_not_equal(a[i], 0);
	}
	check_invariants(p);
	assert_int_equal(p->free_pages, orig->free_pages - (12 + 37 * 66));
	for (i = 0; i < 12; i++) {
		assert_int_equal(pmm_free(p, a[order[i]], n[order[i]]), 0);
		check_invariants(p);
	}
	assert_int_equal(p->count, orig->count);
	assert_memory_equal(p->free, orig->free, sizeof(p->free[0]) * p->count);
	assert_int_equal(p->free_pages, orig->free_pages);
	assert_int_equal(p->total_pages, orig->total_pages);
	assert_int_equal(p->dropped_ranges, 0);

	/* Freeing a block in pieces, out of order, merges as well. */
	a[0] = pmm_alloc(p, 10, PAGE_SIZE, UINT64_MAX);
	assert_int_equal(pmm_free(p, a[0] + 5 * PAGE_SIZE, 2), 0);
	assert_int_equal(pmm_free(p, a[0], 1), 0);
	assert_int_equal(pmm_free(p, a[0] + 7 * PAGE_SIZE, 3), 0);
	assert_int_equal(pmm_free(p, a[0] + PAGE_SIZE, 4), 0);
	assert_int_equal(p->count, orig->count);
	assert_memory_equal(p->free, orig->free, sizeof(p->free[0]) * p->count);
	free(p);
	free(orig);
}

/* Bad frees (double, overlapping, unaligned, empty, low, wrapping) fail and change nothing. */
static void test_free_rejects(void **state)
{
	static const struct mem_range map[] = { { 1 * MiB, 15 * MiB, MEM_USABLE } };
	struct pmm *p = new_pmm(), *before = new_pmm();
	uint64_t a;

	(void)state;
	pmm_init(p, map, 1, NULL, 0);
	a = pmm_alloc(p, 16, PAGE_SIZE, UINT64_MAX);
	assert_int_equal(a, 1 * MiB);
	assert_int_equal(pmm_free(p, a, 16), 0);
	memcpy(before, p, sizeof(*p));
	assert_int_equal(pmm_free(p, a, 16), -1);			/* double free */
	assert_int_equal(pmm_free(p, a + 8 * PAGE_SIZE, 1), -1);	/* inside free memory */
	assert_memory_equal(p, before, sizeof(*p));

	a = pmm_alloc(p, 16, PAGE_SIZE, UINT64_MAX);
	memcpy(before, p, sizeof(*p));
	assert_int_equal(pmm_free(p, a + 15 * PAGE_SIZE, 2), -1);	/* runs into free memory */
	assert_int_equal(pmm_free(p, a - PAGE_SIZE, 2), -1);		/* below 1 MiB */
	assert_int_equal(pmm_free(p, a + 1, 1), -1);			/* unaligned */
	assert_int_equal(pmm_free(p, a + 2048, 1), -1);
	assert_int_equal(pmm_free(p, a, 0), -1);			/* empty */
	assert_int_equal(pmm_free(p, 0, 1), -1);			/* below 1 MiB */
	assert_int_equal(pmm_free(p, 1 * MiB - PAGE_SIZE, 2), -1);
	assert_int_equal(pmm_free(p, UINT64_MAX - PAGE_SIZE + 1, 1), -1);	/* wraps */
	assert_int_equal(pmm_free(p, 16 * MiB, UINT64_MAX >> 12), -1);
	assert_int_equal(pmm_free(p, 16 * MiB, UINT64_MAX), -1);
	assert_memory_equal(p, before, sizeof(*p));

	/* The last representable page may be freed (e.g. memory the kernel got elsewhere). */
	assert_int_equal(pmm_free(p, UINT64_MAX - 2 * PAGE_SIZE + 1, 1), 0);
	assert_true(pmm_is_free(p, UINT64_MAX - PAGE_SIZE));
	assert_false(pmm_is_free(p, UINT64_MAX));
	check_invariants(p);
	free(p);
	free(before);
}

/* pmm_is_free is exact at range boundaries. */
static void test_is_free(void **state)
{
	static const struct mem_range map[] = {
		{ 2 * MiB, 1 * MiB, MEM_USABLE }, { 8 * MiB, 1 * MiB, MEM_USABLE },
	};
	struct pmm *p = new_pmm();

	(void)state;
	pmm_init(p, map, ARRAY_SIZE(map), NULL, 0);
	assert_false(pmm_is_free(p, 2 * MiB - 1));
	assert_true(pmm_is_free(p, 2 * MiB));
	assert_true(pmm_is_free(p, 3 * MiB - 1));
	assert_false(pmm_is_free(p, 3 * MiB));
	assert_false(pmm_is_free(p, 5 * MiB));
	assert_true(pmm_is_free(p, 8 * MiB + 12345));
	assert_false(pmm_is_free(p, 9 * MiB));
	assert_false(pmm_is_free(p, UINT64_MAX));
	free(p);
}

/* Entries reaching the top of the address space saturate instead of wrapping. */
static void test_huge_addresses(void **state)
{
	static const struct mem_range map[] = {
		{ UINT64_MAX - 64 * KiB, 1 * MiB, MEM_USABLE },		/* wraps */
		{ 1ULL << 52, UINT64_MAX, MEM_USABLE },			/* wraps too */
		{ UINT64_MAX - 5000, 100, MEM_RESERVED },		/* the page at -8K */
		{ 2 * MiB, 1 * MiB, MEM_USABLE },
		{ 1ULL << 60, UINT64_MAX, MEM_RESERVED },		/* wraps: to the top */
	};
	static const struct phys_range excl[] = { { (1ULL << 52) + PAGE_SIZE + 1, UINT64_MAX } };
	static const struct phys_range want[] = {
		{ 2 * MiB, 3 * MiB }, { 1ULL << 52, (1ULL << 52) + PAGE_SIZE },
	};
	struct pmm *p = new_pmm();
	uint64_t a;

	(void)state;
	/* Without the last (wrapping) reserved entry: the usable ones saturate at the top. */
	pmm_init(p, map, ARRAY_SIZE(map) - 1, NULL, 0);
	check_invariants(p);
	assert_int_equal(p->count, 2);
	assert_int_equal(p->free[1].start, 1ULL << 52);
	assert_int_equal(p->free[1].end, (UINT64_MAX & PAGE_MASK) - PAGE_SIZE);
	assert_false(pmm_is_free(p, UINT64_MAX - PAGE_SIZE));
	assert_true(pmm_is_free(p, UINT64_MAX - 2 * PAGE_SIZE));
	a = pmm_alloc(p, 1, 1ULL << 62, UINT64_MAX);
	assert_int_equal(a, 1ULL << 62);
	a = pmm_alloc(p, 1, 1ULL << 63, UINT64_MAX);
	assert_int_equal(a, 1ULL << 63);

	/* The wrapping reserved entry removes everything from 2^60 up. */
	pmm_init(p, map, ARRAY_SIZE(map), NULL, 0);
	check_invariants(p);
	assert_int_equal(p->count, 2);
	assert_int_equal(p->free[1].end, 1ULL << 60);

	pmm_init(p, map, ARRAY_SIZE(map) - 1, excl, 1);
	expect_ranges(p, want, ARRAY_SIZE(want));
	free(p);
}

#define MANY_RANGES	(PMM_MAX_RANGES + 44)

/* Builds a map of disjoint usable entries, one per GiB, of sizes 1..MANY_RANGES pages shuffled. */
static struct mem_range *many_ranges(void)
{
	struct mem_range *m = calloc(MANY_RANGES, sizeof(*m));
	unsigned i;

	assert_non_null(m);
	for (i = 0; i < MANY_RANGES; i++) {
		m[i].base = (uint64_t)(i + 1) * GiB;
		m[i].length = (uint64_t)(1 + (i * 97) % MANY_RANGES) * PAGE_SIZE;
		m[i].type = MEM_USABLE;
	}
	return m;
}

/* Returns the index of the smallest free range, the lowest-addressed one on ties. */
static unsigned smallest_free(const struct pmm *p)
{
	unsigned i, best = 0;

	for (i = 1; i < p->count; i++)
		if (p->free[i].end - p->free[i].start < p->free[best].end - p->free[best].start)
			best = i;
	return best;
}

/* More ranges than PMM_MAX_RANGES: the smallest are dropped and counted, nothing overflows. */
static void test_too_many_ranges(void **state)
{
	struct mem_range *m = many_ranges();
	struct pmm *p = new_pmm();
	uint64_t a, base, victim, victim_pages;
	unsigned i, before;

	(void)state;
	assert_int_equal(MANY_RANGES % 97 != 0, 1);
	pmm_init(p, m, MANY_RANGES, NULL, 0);
	check_invariants(p);
	assert_int_equal(p->count, PMM_MAX_RANGES);
	assert_int_equal(p->dropped_ranges, MANY_RANGES - PMM_MAX_RANGES);
	assert_int_equal(p->dropped_pages, 44 * 45 / 2);	/* 1 + 2 + ... + 44 pages */
	/* Exactly the 44 smallest (1..44 pages) are gone, wherever they were. */
	for (i = 0; i < p->count; i++)
		assert_true(p->free[i].end - p->free[i].start > 44 * PAGE_SIZE);
	assert_int_equal(p->total_pages, p->free_pages);

	/* Same map reversed: same outcome. */
	for (i = 0; i < MANY_RANGES / 2; i++) {
		struct mem_range t = m[i];

		m[i] = m[MANY_RANGES - 1 - i];
		m[MANY_RANGES - 1 - i] = t;
	}
	pmm_init(p, m, MANY_RANGES, NULL, 0);
	check_invariants(p);
	assert_int_equal(p->count, PMM_MAX_RANGES);
	assert_int_equal(p->dropped_ranges, MANY_RANGES - PMM_MAX_RANGES);
	for (i = 0; i < p->count; i++)
		assert_true(p->free[i].end - p->free[i].start > 44 * PAGE_SIZE);

	/* An allocation trimming a range's start needs no new entry. */
	before = p->dropped_ranges;
	for (i = 0; p->free[i].start < PMM_HIGH_BASE; i++)
		;
	base = p->free[i].start;		/* where unlimited allocations go first */
	a = pmm_alloc(p, 1, PAGE_SIZE, UINT64_MAX);
	assert_int_equal(a, base);
	assert_int_equal(p->count, PMM_MAX_RANGES);
	assert_int_equal(p->dropped_ranges, before);

	/* A split on a full list drops the smallest piece: here the 1-page head it leaves. */
	a = pmm_alloc(p, 1, 8 * KiB, UINT64_MAX);
	assert_int_equal(a, base + 8 * KiB);
	check_invariants(p);
	assert_int_equal(p->count, PMM_MAX_RANGES);
	assert_int_equal(p->dropped_ranges, before + 1);
	assert_int_equal(p->dropped_pages, 44 * 45 / 2 + 1);
	assert_false(pmm_is_free(p, base + 4 * KiB));
	assert_true(pmm_is_free(p, base + 12 * KiB));

	/* Freeing an isolated page into a full list: it is the smallest, so it is dropped. */
	assert_int_equal(pmm_free(p, 2000 * GiB, 1), 0);
	assert_int_equal(p->dropped_ranges, before + 2);
	assert_int_equal(p->dropped_pages, 44 * 45 / 2 + 2);
	assert_int_equal(p->count, PMM_MAX_RANGES);
	assert_false(pmm_is_free(p, 2000 * GiB));

	/* A block exactly as small as the smallest range loses the tie and is dropped. */
	i = smallest_free(p);
	victim = p->free[i].start;
	victim_pages = (p->free[i].end - victim) / PAGE_SIZE;
	assert_int_equal(pmm_free(p, 3000 * GiB, victim_pages), 0);
	assert_int_equal(p->dropped_ranges, before + 3);
	assert_false(pmm_is_free(p, 3000 * GiB));
	assert_true(pmm_is_free(p, victim));

	/* A larger isolated block evicts the smallest range instead. */
	assert_int_equal(pmm_free(p, 4000 * GiB, 400), 0);
	assert_int_equal(p->dropped_ranges, before + 4);
	assert_int_equal(p->count, PMM_MAX_RANGES);
	assert_true(pmm_is_free(p, 4000 * GiB));
	assert_false(pmm_is_free(p, victim));
	check_invariants(p);
	free(p);
	free(m);
}

/* ---- randomized test against a page-state model ---- */

#define MODEL_PAGES	((8 * GiB) / PAGE_SIZE)

enum { PG_FORBIDDEN = 0, PG_FREE = 1, PG_USED = 2 };

/* A small deterministic PRNG (xorshift64*). */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* Returns a random value in [0, n). */
static uint64_t rnd_below(uint64_t *s, uint64_t n)
{
	return rnd(s) % n;
}

/* Marks model pages in [start, end) with v, clipped to the model. */
static void model_mark(uint8_t *m, uint64_t start, uint64_t end, uint8_t v)
{
	uint64_t pg;

	if (end > MODEL_PAGES * PAGE_SIZE)
		end = MODEL_PAGES * PAGE_SIZE;
	for (pg = start / PAGE_SIZE; pg * PAGE_SIZE < end; pg++)
		m[pg] = v;
}

/* Computes which pages may ever be handed out, independently of the allocator. */
static void model_allowed(uint8_t *m, const struct mem_range *map, unsigned n,
			  const struct phys_range *excl, unsigned ne)
{
	unsigned i;

	memset(m, PG_FORBIDDEN, MODEL_PAGES);
	for (i = 0; i < n; i++) {
		uint64_t s = (map[i].base + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
		uint64_t e = (map[i].base + map[i].length) / PAGE_SIZE * PAGE_SIZE;

		if (map[i].type == MEM_USABLE && s < e)
			model_mark(m, s, e, PG_FREE);
	}
	for (i = 0; i < n; i++)
		if (map[i].type != MEM_USABLE && map[i].length)
			model_mark(m, map[i].base, map[i].base + map[i].length, PG_FORBIDDEN);
	for (i = 0; i < ne; i++)
		if (excl[i].end > excl[i].start)
			model_mark(m, excl[i].start, excl[i].end, PG_FORBIDDEN);
	model_mark(m, 0, PMM_LOW_LIMIT, PG_FORBIDDEN);
}

/* Checks that the allocator's free list is exactly the model's free pages. */
static void model_compare(const struct pmm *p, const uint8_t *m)
{
	uint64_t pg, next = 0;
	unsigned i;

	check_invariants(p);
	for (i = 0; i < p->count; i++) {
		for (pg = next; pg < p->free[i].start / PAGE_SIZE; pg++)
			if (m[pg] == PG_FREE)
				fail_msg("page %#llx free in model only", (unsigned long long)pg);
		for (; pg < p->free[i].end / PAGE_SIZE; pg++)
			if (m[pg] != PG_FREE)
				fail_msg("page %#llx free in pmm, model %u", (unsigned long long)pg,
					 m[pg]);
		next = pg;
	}
	for (pg = next; pg < MODEL_PAGES; pg++)
		assert_int_not_equal(m[pg], PG_FREE);
}

/* Returns the address the policy should pick according to the model, or 0 if nothing fits. */
static uint64_t model_expect(const uint8_t *m, uint64_t npages, uint64_t align, uint64_t limit)
{
	uint64_t floors[2] = { PMM_HIGH_BASE, 0 }, a, pg;
	unsigned f;

	for (f = 0; f < 2; f++) {
		for (a = (floors[f] + align - 1) / align * align;
		     a + npages * PAGE_SIZE <= limit && a / PAGE_SIZE + npages <= MODEL_PAGES;
		     a += align) {
			for (pg = 0; pg < npages && m[a / PAGE_SIZE + pg] == PG_FREE; pg++)
				;
			if (pg == npages)
				return a;
		}
	}
	return 0;
}

struct live_block {
	uint64_t start, npages;
};

/* Many random allocations and frees never hand out a page twice or a forbidden page. */
static void test_randomized(void **state)
{
	static const uint64_t aligns[] = {
		PAGE_SIZE, PAGE_SIZE, PAGE_SIZE, 2 * PAGE_SIZE, 64 * KiB, 2 * MiB, 1 * GiB,
	};
	struct mem_range map[48];
	struct phys_range excl[12];
	struct live_block live[160];
	unsigned nmap = 0, nexcl, nlive = 0, i, op;
	uint8_t *m = malloc(MODEL_PAGES), *allowed = malloc(MODEL_PAGES);
	struct pmm *p = new_pmm(), *orig = new_pmm();
	uint64_t seed = 0x5eed1234abcdULL, free_model;

	(void)state;
	assert_non_null(m);
	assert_non_null(allowed);
	map[nmap++] = (struct mem_range){ 0, 0x9fc00, MEM_USABLE };
	map[nmap++] = (struct mem_range){ 0x100000, 0xbff00000, MEM_USABLE };
	map[nmap++] = (struct mem_range){ 0x100000000ULL, 0x100000000ULL, MEM_USABLE };
	map[nmap++] = (struct mem_range){ 0x1c0000000ULL, 0x20000000, MEM_RESERVED };
	while (nmap < 48) {
		uint64_t base = rnd_below(&seed, 8 * GiB - 64 * MiB);
		uint64_t len = 1 + rnd_below(&seed, 64 * MiB);
		uint32_t type = MEM_USABLE;

		if (rnd_below(&seed, 3))
			type = MEM_RESERVED + rnd_below(&seed, 6);

		if (type == MEM_USABLE && base < 1 * GiB)
			base += 3 * GiB;
		map[nmap++] = (struct mem_range){ base, len, type };
	}
	for (nexcl = 0; nexcl < 12; nexcl++) {
		excl[nexcl].start = rnd_below(&seed, 8 * GiB);
		excl[nexcl].end = excl[nexcl].start + rnd_below(&seed, 32 * MiB);
	}
	model_allowed(allowed, map, nmap, excl, nexcl);
	memcpy(m, allowed, MODEL_PAGES);
	pmm_init(p, map, nmap, excl, nexcl);
	assert_int_equal(p->dropped_ranges, 0);
	model_compare(p, m);
	memcpy(orig, p, sizeof(*p));
	free_model = p->free_pages;

	for (op = 0; op < 6000; op++) {
		bool do_alloc = nlive == 0 ||
				(nlive < ARRAY_SIZE(live) && rnd_below(&seed, 100) < 55);

		if (do_alloc) {
			uint64_t npages = rnd_below(&seed, 8) ? 1 + rnd_below(&seed, 16)
							      : 1 + rnd_below(&seed, 4096);
			uint64_t align = aligns[rnd_below(&seed, ARRAY_SIZE(aligns))];
			uint64_t limit, a, want = 0, pg;

			switch (rnd_below(&seed, 4)) {
			case 0:
				limit = 4 * GiB;
				break;
			case 1:
				limit = 1 * MiB + rnd_below(&seed, 8 * GiB);
				break;
			default:
				limit = UINT64_MAX;
			}
			if (op % 16 == 0 || align >= 2 * MiB)
				want = model_expect(m, npages, align, limit);
			a = pmm_alloc(p, npages, align, limit);
			if (op % 16 == 0 || align >= 2 * MiB)
				assert_int_equal(a, want);
			if (!a)
				continue;
			assert_int_equal(a % align, 0);
			assert_true(a + npages * PAGE_SIZE <= limit);
			assert_true(a / PAGE_SIZE + npages <= MODEL_PAGES);
			for (pg = a / PAGE_SIZE; pg < a / PAGE_SIZE + npages; pg++) {
				if (m[pg] != PG_FREE)
					fail_msg("op %u: page %#llx handed out in state %u", op,
						 (unsigned long long)pg, m[pg]);
				m[pg] = PG_USED;
			}
			live[nlive++] = (struct live_block){ a, npages };
			free_model -= npages;
		} else {
			unsigned k = rnd_below(&seed, nlive);
			struct live_block *b = &live[k];
			uint64_t part = b->npages, start;

			if (rnd_below(&seed, 4) == 0)
				part = 1 + rnd_below(&seed, b->npages);
			start = b->start + (b->npages - part) * PAGE_SIZE;

			/* Freeing a free page again, or one overlapping free memory, must fail. */
			if (op % 7 == 0 && p->count) {
				struct phys_range *r = &p->free[rnd_below(&seed, p->count)];

				assert_int_equal(pmm_free(p, r->start, 1), -1);
				assert_int_equal(pmm_free(p, r->end - PAGE_SIZE, 2), -1);
			}
			assert_int_equal(pmm_free(p, start, part), 0);
			model_mark(m, start, start + part * PAGE_SIZE, PG_FREE);
			free_model += part;
			b->npages -= part;
			if (!b->npages)
				live[k] = live[--nlive];
		}
		assert_int_equal(p->free_pages, free_model);
		assert_int_equal(p->dropped_ranges, 0);
		if (op % 500 == 0)
			model_compare(p, m);
	}
	model_compare(p, m);

	/* Free everything left: the list is exactly what pmm_init built. */
	for (i = 0; i < nlive; i++)
		assert_int_equal(pmm_free(p, live[i].start, live[i].npages), 0);
	assert_int_equal(p->count, orig->count);
	assert_memory_equal(p->free, orig->free, sizeof(p->free[0]) * p->count);
	assert_int_equal(p->free_pages, orig->free_pages);
	model_compare(p, allowed);
	free(m);
	free(allowed);
	free(p);
	free(orig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_simple),
		cmocka_unit_test(test_init_unsorted_overlapping),
		cmocka_unit_test(test_init_unaligned_usable),
		cmocka_unit_test(test_reserved_inside_usable),
		cmocka_unit_test(test_exclusions),
		cmocka_unit_test(test_low_limit),
		cmocka_unit_test(test_alloc_alignment),
		cmocka_unit_test(test_alloc_limit),
		cmocka_unit_test(test_alloc_prefers_high),
		cmocka_unit_test(test_alloc_exhaustion),
		cmocka_unit_test(test_free_merge_restores),
		cmocka_unit_test(test_free_rejects),
		cmocka_unit_test(test_is_free),
		cmocka_unit_test(test_huge_addresses),
		cmocka_unit_test(test_too_many_ranges),
		cmocka_unit_test(test_randomized),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
