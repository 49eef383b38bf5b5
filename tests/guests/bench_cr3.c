/*
 * bench_cr3: CR3 switching between size=N address spaces (default 64) for `make bench`, as a
 * scheduler switches processes. Each space is its own PAE tree: its page-directory-pointer
 * table, its page directory and a page table mapping its private page at PRIVATE_VA. Like a
 * kernel's half of every process, the identity map of [0, 32 MiB) uses the same page tables
 * in all of them (their page directories point to one set).
 *
 * The work phase runs ROUNDS rounds; each round visits every space: MOV to CR3, a read of
 * the private page (which must hold what this space's last visit left there) and a store of
 * the next value. Under Umbra's shadow MMU every MOV to CR3 is a CR exit that finds (or
 * rebuilds) that space's shadow root.
 *
 * Phases: setup (the spaces built and each visited once), work, end.
 */
#include "bench.h"
#include "guest.h"
#include "paging.h"

#define CR3_DEFAULT	64
#define CR3_MAX		512	/* 4 pool pages each: well inside the paging pool */
#define ROUNDS		8
#define PRIVATE_VA	PG_IDMAP_END	/* above the identity map: page directory entry 16 */
#define PAGE		4096u
#define PAE_ENTRY	8u
#define IDMAP_PDES	(PG_IDMAP_END >> 21)	/* 2 MiB each */

struct space {
	uint32_t root;		/* CR3 */
	uint32_t frame;		/* the private page */
};

static struct space spaces[CR3_MAX];

/* What space i's private page holds after round r (r = 0: as set up). */
static uint32_t value_of(uint32_t i, uint32_t r)
{
	return 0xc3000000u ^ (r << 16) ^ (i * 0x9e3779b1u);
}

/* A new tree whose page directory shares the template's identity-map page tables. */
static void space_init(struct space *s, const struct pg_space *tmpl, uint32_t i)
{
	uint32_t tmpl_pd = (uint32_t)(pg_get(tmpl, 0, 3) & ~0xfffull);
	uint32_t pdpt = pg_alloc(), pd = pg_alloc(), pt = pg_alloc();

	for (uint32_t k = 0; k < IDMAP_PDES; k++)
		pg_write_pte(PG_PAE, pd + k * PAE_ENTRY,
			     pg_read_pte(PG_PAE, tmpl_pd + k * PAE_ENTRY));
	pg_write_pte(PG_PAE, pd + (PRIVATE_VA >> 21) * PAE_ENTRY, pt | PTE_P | PTE_W);
	s->frame = pg_alloc();
	pg_write_pte(PG_PAE, pt + ((PRIVATE_VA >> 12) & 511) * PAE_ENTRY, s->frame | PTE_P | PTE_W);
	/* A PAE PDPTE has no R/W or U/S bit (SDM Vol. 3A 4.4.1, table 4-8). */
	pg_write_pte(PG_PAE, pdpt, pd | PTE_P);
	s->root = pdpt;
	*(volatile uint32_t *)s->frame = value_of(i, 0);
}

void guest_main(void)
{
	struct pg_space tmpl;
	uint32_t n;

	bench_init("bench_cr3");
	n = bench_size(CR3_DEFAULT, CR3_MAX, "address spaces", "a bound on the paging pool");
	bench_paging_init();
	gprintf("cr3: %u address spaces, %u rounds, private page at 0x%08x, PAE\n", n, ROUNDS,
		PRIVATE_VA);

	bench_phase(BENCH_PHASE_SETUP, "setup");
	pg_space_init(&tmpl, PG_PAE);
	for (uint32_t i = 0; i < n; i++)
		space_init(&spaces[i], &tmpl, i);
	pg_set_nxe(pg_cpu.nx);
	pg_activate(&tmpl);
	/* Every space once, as a process that already ran. */
	for (uint32_t i = 0; i < n; i++) {
		write_cr3(spaces[i].root);
		if (*(volatile uint32_t *)PRIVATE_VA != value_of(i, 0))
			bench_fail("setup: space %u reads 0x%08x, expected 0x%08x", i,
				   *(volatile uint32_t *)PRIVATE_VA, value_of(i, 0));
	}

	bench_phase(BENCH_PHASE_WORK, "work");
	for (uint32_t r = 1; r <= ROUNDS; r++)
		for (uint32_t i = 0; i < n; i++) {
			uint32_t v;

			write_cr3(spaces[i].root);
			v = *(volatile uint32_t *)PRIVATE_VA;
			if (v != value_of(i, r - 1))
				bench_fail("round %u: space %u reads 0x%08x, expected 0x%08x",
					   r, i, v, value_of(i, r - 1));
			*(volatile uint32_t *)PRIVATE_VA = value_of(i, r);
		}
	/* Each store went to its own space's frame (the template maps the frames 1:1). */
	write_cr3(tmpl.root);
	for (uint32_t i = 0; i < n; i++)
		if (*(volatile uint32_t *)spaces[i].frame != value_of(i, ROUNDS))
			bench_fail("space %u's frame holds 0x%08x, expected 0x%08x", i,
				   *(volatile uint32_t *)spaces[i].frame, value_of(i, ROUNDS));
	bench_done(n);
}
