/*
 * bench_demand: the demand-fault loop of `make bench`. size=N fresh pages (default 1024) under
 * PAE paging with EFER.NXE, as operating systems run it: the #PF handler (lib/ptw.c) writes
 * the faulting page's PTE with one LOCK CMPXCHG8B and returns, and the store is retried. Under
 * Umbra each fault costs the PTE write's exit, plus the fault's own where Umbra cannot let
 * guest-not-present faults through (SVM, shadow-mmu.md 2).
 *
 * Phases: setup (page tables: [0, 32 MiB) identity mapped; the region's page tables present
 * and in use, as a process's: the last page of each is mapped and read, so Umbra shadows
 * them now), work (one store per fresh page, then every page and PTE checked), end.
 */
#include "bench.h"
#include "guest.h"
#include "paging.h"
#include "ptw.h"

#define DEMAND_VA	0x40000000u	/* GiB 1: its own page directory */
#define DEMAND_MAX_PAGES (1u << 18)	/* that GiB */
#define DEMAND_DEFAULT	1024
#define FRAMES_PA	PG_IDMAP_END	/* RAM above everything the paging library uses */
#define PAGE		4096u
#define PTES_PER_TABLE	512u		/* PAE (SDM Vol. 3A 4.4.2) */
/* Fresh pages of a table: its last page is the warm one. */
#define FRESH_PER_TABLE	(PTES_PER_TABLE - 1)

static uint32_t value_of(uint32_t i)
{
	return 0xd0000000u ^ (i * 0x9e3779b1u);
}

/* The region's page index of fresh page i: the warm pages are skipped. */
static uint32_t page_of(uint32_t i)
{
	return i / FRESH_PER_TABLE * PTES_PER_TABLE + i % FRESH_PER_TABLE;
}

static uint64_t pte_of(uint32_t page)
{
	return (FRAMES_PA + page * PAGE) | PTW_LEAF;
}

void guest_main(void)
{
	struct pg_space as;
	uint32_t fresh, tables, pt0, max;

	bench_init("bench_demand");
	max = bench_ram_units(FRAMES_PA, PAGE);
	if (max > DEMAND_MAX_PAGES)
		max = DEMAND_MAX_PAGES;
	max = max / PTES_PER_TABLE * FRESH_PER_TABLE;	/* whole tables, a warm page each */
	fresh = bench_size(DEMAND_DEFAULT, max, "pages", "what fits in guest RAM above 32 MiB");
	bench_paging_init();
	tables = (fresh + FRESH_PER_TABLE - 1) / FRESH_PER_TABLE;
	gprintf("demand: %u fresh pages in %u page tables at 0x%08x, frames from 0x%08x, PAE, "
		"NXE %d\n", fresh, tables, DEMAND_VA, FRAMES_PA, pg_cpu.nx);

	bench_phase(BENCH_PHASE_SETUP, "setup");
	pg_space_init(&as, PG_PAE);
	/* The handler finds a page's PTE at pt0 + 8 * index: the tables are consecutive frames,
	 * allocated before anything else (the page directory comes after them). */
	pt0 = pg_alloc();
	for (uint32_t k = 1; k < tables; k++)
		if (pg_alloc() != pt0 + k * PAGE)
			bench_fail("page table %u is not contiguous", k);
	for (uint32_t k = 0; k < tables; k++) {
		uint32_t warm = k * PTES_PER_TABLE + FRESH_PER_TABLE;

		pg_set(&as, DEMAND_VA + k * PTES_PER_TABLE * PAGE, 2,
		       (pt0 + k * PAGE) | PTE_P | PTE_W);
		pg_write_pte(PG_PAE, pt0 + warm * 8, pte_of(warm));
	}
	/* PAE with NXE: the I/D bit of a fault then follows the same rule for the guest and the
	 * host (SDM Vol. 3A 4.7), so VMX can let not-present faults through. */
	pg_set_nxe(pg_cpu.nx);
	pg_activate(&as);
	/* Each warm page read through the region, its PTE through the identity map (which the
	 * work phase's check reads too). */
	for (uint32_t k = 0; k < tables; k++) {
		uint32_t warm = k * PTES_PER_TABLE + FRESH_PER_TABLE;

		(void)*(volatile uint32_t *)(DEMAND_VA + warm * PAGE);
		if (pg_read_pte(PG_PAE, pt0 + warm * 8) != pte_of(warm))
			bench_fail("warm page %u: PTE changed", warm);
	}
	ptw_dp_cx8 = 1;
	ptw_demand_install(DEMAND_VA, tables * PTES_PER_TABLE, pt0, 8, FRAMES_PA);

	bench_phase(BENCH_PHASE_WORK, "work");
	for (uint32_t i = 0; i < fresh; i++)
		*(volatile uint32_t *)(DEMAND_VA + page_of(i) * PAGE) = value_of(i);
	if (ptw_dp_count != fresh)
		bench_fail("%u faults served for %u pages", ptw_dp_count, fresh);
	/* Each page reads back its own value (two pages sharing a frame would not) and its PTE
	 * names its own frame. */
	for (uint32_t i = 0; i < fresh; i++) {
		uint32_t p = page_of(i);
		uint32_t v = *(volatile uint32_t *)(DEMAND_VA + p * PAGE);
		uint64_t pte = pg_read_pte(PG_PAE, pt0 + p * 8);

		if (v != value_of(i))
			bench_fail("page %u reads 0x%08x, wrote 0x%08x", p, v, value_of(i));
		if (pte != pte_of(p))
			bench_fail("page %u: PTE 0x%llx, expected 0x%llx", p,
				   (unsigned long long)pte, (unsigned long long)pte_of(p));
	}
	ptw_demand_remove();
	bench_done(fresh);
}
