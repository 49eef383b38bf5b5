/*
 * bench_ptstorm: a page-table write storm for `make bench`: size=N PTE writes (default 4096)
 * into leaf tables that are in use, as an operating system remapping pages (page cache,
 * copy-on-write) does. Under PAE paging a window of WINDOW pages (two page tables) maps
 * FRAMES frames, each holding its own tag. Write n remaps window page n % WINDOW to another
 * frame with one LOCK CMPXCHG8B (the whole 8-byte entry at once, as Linux's PAE
 * set_pte_atomic), invalidates it with INVLPG and reads it: the read must see the new
 * frame's tag at once. Under Umbra's shadow MMU each write is an emulated page-table write.
 *
 * Phases: setup (the window mapped and every page read once, so its tables are shadowed),
 * work (the writes, each checked, then the whole window), end.
 */
#include "bench.h"
#include "guest.h"
#include "paging.h"

#define STORM_DEFAULT	4096
#define STORM_MAX	(1u << 24)	/* no memory limit: a bound on the run time */
#define STORM_VA	0x40000000u	/* GiB 1: its own page directory */
#define WINDOW		1024u		/* pages: two PAE page tables */
#define FRAMES		64u
#define PAGE		4096u
#define PAE_ENTRY	8u
/* A and D set: the CPU never writes the entries itself. */
#define STORM_LEAF	(PTE_P | PTE_W | PTE_A | PTE_D)

static uint32_t frames[FRAMES];
static uint32_t pte_pa[WINDOW];

static uint32_t tag_of(uint32_t k)
{
	return 0xe7000000u | k * 0x010101u;
}

/* The frame window page j maps in round r (r = 0: as set up): a different one every round. */
static uint32_t frame_of(uint32_t j, uint32_t r)
{
	return (j + r) % FRAMES;
}

/* Replaces the 8-byte entry at pa with one locked access (SDM Vol. 2A "CMPXCHG8B"). */
static void pte_store(uint32_t pa, uint64_t value)
{
	uint64_t old = pg_read_pte(PG_PAE, pa);

	__asm__ volatile("1: lock cmpxchg8b %0\n\t"
			 "jnz 1b"
			 : "+m"(*(volatile uint64_t *)pa), "+A"(old)
			 : "b"((uint32_t)value), "c"((uint32_t)(value >> 32))
			 : "memory", "cc");
}

/* Every window page after writes PTE writes: the pages the last round reached are in its
 * frames, the others in the round before's. */
static void check_window(uint32_t writes, const char *when)
{
	for (uint32_t j = 0; j < WINDOW; j++) {
		uint32_t v = *(volatile uint32_t *)(STORM_VA + j * PAGE);
		uint32_t k = frame_of(j, writes / WINDOW + (j < writes % WINDOW ? 1 : 0));

		if (v != tag_of(k))
			bench_fail("%s: page %u reads 0x%08x, expected frame %u's 0x%08x", when,
				   j, v, k, tag_of(k));
	}
}

void guest_main(void)
{
	struct pg_space as;
	uint32_t n;

	bench_init("bench_ptstorm");
	n = bench_size(STORM_DEFAULT, STORM_MAX, "PTE writes", "a bound on the run time");
	bench_paging_init();
	gprintf("ptstorm: %u PTE writes over %u pages at 0x%08x and %u frames, PAE\n", n, WINDOW,
		STORM_VA, FRAMES);

	bench_phase(BENCH_PHASE_SETUP, "setup");
	pg_space_init(&as, PG_PAE);
	for (uint32_t k = 0; k < FRAMES; k++) {
		frames[k] = pg_alloc();
		*(volatile uint32_t *)frames[k] = tag_of(k);
	}
	for (uint32_t j = 0; j < WINDOW; j++) {
		pte_pa[j] = pg_entry_pa(&as, STORM_VA + j * PAGE, 1, true);
		pg_write_pte(PG_PAE, pte_pa[j], frames[frame_of(j, 0)] | STORM_LEAF);
	}
	pg_set_nxe(pg_cpu.nx);
	pg_activate(&as);
	check_window(0, "setup");

	bench_phase(BENCH_PHASE_WORK, "work");
	for (uint32_t i = 0; i < n; i++) {
		uint32_t j = i % WINDOW, r = i / WINDOW + 1, k = frame_of(j, r);
		uint32_t va = STORM_VA + j * PAGE, v;

		pte_store(pte_pa[j], frames[k] | STORM_LEAF);
		/* The old translation may be cached: INVLPG drops it (SDM Vol. 3A 4.10.4.1). */
		__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
		v = *(volatile uint32_t *)va;
		if (v != tag_of(k))
			bench_fail("write %u: page %u reads 0x%08x, expected frame %u's 0x%08x",
				   i, j, v, k, tag_of(k));
	}
	check_window(n, "after the writes");
	bench_done(n);
}
