/*
 * pt_smallpool: more live page tables than Umbra's shadow pool holds (Umbra runs with the
 * smallest shadow_mem=, mm/shadow_pool.h). One address space holds 4 times as many leaf page
 * tables as the pool has shadow pages (UMBRA_CTR_SP_LIMIT), each mapping its own frame; the
 * guest reads and writes every mapping in rounds, so the pool keeps running short. Umbra must
 * evict least recently used shadow pages (UMBRA_CTR_SP_EVICTED) and never reset the whole
 * shadow MMU (UMBRA_CTR_MMU_RESETS, counted from the start of each mode: attaching the devices
 * at boot resets it once), and every read must see its own frame, every store land in it.
 */
#include "guest.h"
#include "paging.h"
#include "ptw.h"
#include "guest/umbra_abi.h"

#define SP_VA		0x40000000u	/* table i maps SP_VA + i * span (one table each) */
#define SP_RATIO	4		/* page tables per shadow page of the pool */
#define SP_LIMIT_MAX	128		/* the guest's pool holds 4 * this many tables */
#define SP_LIMIT_BARE	40		/* the table count without Umbra: 4 * this */
#define SP_ROUNDS	4
#define SP_INIT		0xff		/* the "round" of the frames' first pattern */

static uint32_t frames[SP_RATIO * SP_LIMIT_MAX];

/* Frame i's pattern after round r: distinct per frame and per round. */
static uint32_t pattern(unsigned int i, unsigned int r)
{
	return 0x5c000000u | (i << 8) | r;
}

/* The page of table i: a different PTE index per table (both halves of a 32-bit table). */
static uint32_t va_of(enum pg_mode mode, unsigned int i)
{
	uint32_t span = mode == PG_32 ? 0x400000u : 0x200000u;
	unsigned int entries = mode == PG_32 ? 1024 : 512;

	return SP_VA + i * span + ((i * 37) % entries) * 4096;
}

static void run(enum pg_mode mode, unsigned int tables, bool umbra)
{
	const char *name = pg_mode_name(mode);
	uint64_t ev0 = 0, rs0 = 0, cr0 = 0, pf0 = 0, ev, rs, cr, pf;
	unsigned int bad_reads = 0, bad_frames = 0, used_tables = 0;
	struct pg_space as;
	uint32_t first_bad = 0, got = 0;

	pg_space_init(&as, mode);
	for (unsigned int i = 0; i < tables; i++) {
		*(volatile uint32_t *)frames[i] = pattern(i, SP_INIT);
		pg_map(&as, va_of(mode, i), frames[i], 1, PTW_LEAF);
	}
	/* Every mapping has a table of its own. */
	for (unsigned int i = 0; i < tables; i++)
		if (i == 0 || pg_get(&as, va_of(mode, i), 2) != pg_get(&as, va_of(mode, i - 1), 2))
			used_tables++;
	CHECK_EQ(used_tables, tables, "%s: %u distinct leaf page tables", name, tables);

	if (umbra) {
		ev0 = ptw_counter(UMBRA_CTR_SP_EVICTED);
		rs0 = ptw_counter(UMBRA_CTR_MMU_RESETS);
		cr0 = ptw_counter(UMBRA_CTR_SP_CREATED);
		pf0 = ptw_counter(UMBRA_CTR_PF_EXITS);
	}
	pg_activate(&as);
	/* Round r reads what round r - 1 stored, then stores its own pattern; forward, so
	 * each table comes back after all the others (the least recently used). */
	for (unsigned int r = 0; r < SP_ROUNDS; r++)
		for (unsigned int i = 0; i < tables; i++) {
			volatile uint32_t *p = (volatile uint32_t *)va_of(mode, i);
			uint32_t v = *p;

			if (v != pattern(i, r ? r - 1 : SP_INIT) && !bad_reads++) {
				first_bad = i;
				got = v;
			}
			*p = pattern(i, r);
		}
	pg_deactivate();
	if (umbra) {
		ev = ptw_counter(UMBRA_CTR_SP_EVICTED) - ev0;
		rs = ptw_counter(UMBRA_CTR_MMU_RESETS) - rs0;
		cr = ptw_counter(UMBRA_CTR_SP_CREATED) - cr0;
		pf = ptw_counter(UMBRA_CTR_PF_EXITS) - pf0;
	}
	if (bad_reads)
		gprintf("  %u wrong reads; the first: table %u read 0x%x\n", bad_reads, first_bad,
			got);
	CHECK_EQ(bad_reads, 0, "%s: %u rounds: every read through every mapping saw its frame",
		 name, SP_ROUNDS);
	/* The frames through the identity map: each holds its own last pattern. */
	for (unsigned int i = 0; i < tables; i++)
		if (*(volatile uint32_t *)frames[i] != pattern(i, SP_ROUNDS - 1))
			bad_frames++;
	CHECK_EQ(bad_frames, 0, "%s: every store landed in its own frame", name);
	if (!umbra) {
		SKIP("%s: evictions (not running under Umbra)", name);
		return;
	}
	gprintf("%s: %u page tables, %u rounds: %llu shadow pages created, %llu evicted, "
		"%llu full resets, %llu #PF exits\n", name, tables, SP_ROUNDS,
		(unsigned long long)cr, (unsigned long long)ev, (unsigned long long)rs,
		(unsigned long long)pf);
	CHECK(ev > 0, "%s: shadow pages were evicted", name);
	CHECK_EQ(rs, 0, "%s: no full reset of the shadow MMU", name);
	CHECK(ptw_counter(UMBRA_CTR_SP_USED) <= ptw_counter(UMBRA_CTR_SP_LIMIT),
	      "%s: shadow pages in use within the pool", name);
}

void guest_main(void)
{
	unsigned int limit = SP_LIMIT_BARE, tables;
	bool umbra;

	pg_init();
	umbra = ptw_umbra();
	gprintf("running under Umbra: %s\n", umbra ? "yes" : "no");
	if (umbra) {
		limit = (unsigned int)ptw_counter(UMBRA_CTR_SP_LIMIT);
		gprintf("shadow pool: %u shadow pages\n", limit);
		if (!CHECK(limit <= SP_LIMIT_MAX, "the shadow pool is small (shadow_mem=)"))
			return;
	}
	tables = SP_RATIO * limit;
	for (unsigned int i = 0; i < tables; i++)
		frames[i] = pg_alloc();
	run(PG_32, tables, umbra);
	run(PG_PAE, tables, umbra);
	if (pg_cpu.lm)
		run(PG_LM, tables, umbra);
	else
		SKIP("4-level: no long mode");
}
