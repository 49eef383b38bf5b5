/*
 * bench_large: a large-page workload for `make bench`: size=N MiB (default 64, even) mapped
 * with 2 MiB PAE pages (PDEs with PS, SDM Vol. 3A 4.4.2 table 4-9), as a kernel maps its
 * direct map, and touched page by page: one store per 4 KiB. Under Umbra's shadow MMU each
 * guest large page is backed by 4 KiB shadow entries, so what the touches cost is how it
 * fills them.
 *
 * Phases: setup (the page directory for the region, and 4 KiB mappings of one physical page
 * of each large page), work (the stores, every page read back, and those sample pages read
 * through their 4 KiB mappings, which checks the large mappings' translation), end.
 */
#include "bench.h"
#include "guest.h"
#include "paging.h"

#define LARGE_DEFAULT	64
#define LARGE_VA	0x40000000u	/* GiB 1: its own page directory */
#define LARGE_MAX_MIB	1024u		/* that GiB */
#define LARGE_PA	PG_IDMAP_END	/* RAM above everything the paging library uses (2 MiB
					 * aligned) */
#define SAMPLE_VA	0x80000000u	/* GiB 2: 4 KiB mappings of the sample pages */
#define PAGE		4096u
#define LARGE_PAGE	0x200000u
#define MIB		0x100000u
#define LARGE_FLAGS	(PTE_P | PTE_W | PTE_A | PTE_D)	/* as a kernel maps its memory */

static uint32_t value_of(uint32_t p)
{
	return 0x1a000000u ^ (p * 0x9e3779b1u);
}

/* The region's page index of large page k's sample: a different offset in each. */
static uint32_t sample_of(uint32_t k)
{
	return k * (LARGE_PAGE / PAGE) + (k * 37) % (LARGE_PAGE / PAGE);
}

void guest_main(void)
{
	struct pg_space as;
	uint32_t mib, pages, larges, max;

	bench_init("bench_large");
	max = bench_ram_units(LARGE_PA, LARGE_PAGE) * (LARGE_PAGE / MIB);
	if (max > LARGE_MAX_MIB)
		max = LARGE_MAX_MIB;
	mib = bench_size(LARGE_DEFAULT, max, "MiB", "what fits in guest RAM above 32 MiB");
	if (mib % (LARGE_PAGE / MIB))
		bench_fail("size=%u: not a whole number of 2 MiB pages", mib);
	bench_paging_init();
	pages = mib * (MIB / PAGE);
	larges = mib / (LARGE_PAGE / MIB);
	gprintf("large: %u MiB at 0x%08x (%u 2 MiB pages, %u 4 KiB pages) from 0x%08x, PAE\n", mib,
		LARGE_VA, larges, pages, LARGE_PA);

	bench_phase(BENCH_PHASE_SETUP, "setup");
	pg_space_init(&as, PG_PAE);
	for (uint32_t k = 0; k < larges; k++)
		pg_map(&as, LARGE_VA + k * LARGE_PAGE, LARGE_PA + k * LARGE_PAGE, 2, LARGE_FLAGS);
	for (uint32_t k = 0; k < larges; k++)
		pg_map(&as, SAMPLE_VA + k * PAGE, LARGE_PA + sample_of(k) * PAGE, 1, PTE_P | PTE_W);
	pg_set_nxe(pg_cpu.nx);
	pg_activate(&as);

	bench_phase(BENCH_PHASE_WORK, "work");
	for (uint32_t p = 0; p < pages; p++)
		*(volatile uint32_t *)(LARGE_VA + p * PAGE) = value_of(p);
	for (uint32_t p = 0; p < pages; p++) {
		uint32_t v = *(volatile uint32_t *)(LARGE_VA + p * PAGE);

		if (v != value_of(p))
			bench_fail("page %u reads 0x%08x, wrote 0x%08x", p, v, value_of(p));
	}
	for (uint32_t k = 0; k < larges; k++) {
		uint32_t p = sample_of(k), v = *(volatile uint32_t *)(SAMPLE_VA + k * PAGE);

		if (v != value_of(p))
			bench_fail("physical page 0x%08x holds 0x%08x, page %u wrote 0x%08x",
				   LARGE_PA + p * PAGE, v, p, value_of(p));
	}
	bench_done(mib);
}
