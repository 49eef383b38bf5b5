/*
 * pt_hotwrite: one PTE of a live, shadowed page table rewritten thousands of times
 * (shadow-mmu.md 2). The PTE of HW_VA rotates among HW_FRAMES frames, one whole-entry store at
 * a time (a 4-byte MOV with 32-bit paging, LOCK CMPXCHG8B with PAE and 4-level paging):
 *
 * - with an INVLPG and a read of the new frame after each store;
 * - without INVLPG between the stores, and one at the end, after which the last store wins
 *   (SDM Vol. 3A 4.10.4.1: INVLPG invalidates the TLB entries of the page, so the next access
 *   walks the tables as they are).
 *
 * The neighbouring PTE maps a witness frame and never changes: it must read right all along.
 * Under Umbra the guest prints its exits per store (the counter deltas, as pt_demand) and checks
 * the bounds Umbra achieves: with INVLPG, the store's exit and the INVLPG's (INVLPG keeps the
 * exact shadow leaf, so the read takes none); without, none per store: the table goes out of
 * sync after a few trapped stores (mm/unsync_state.h), and the rest are plain stores.
 *
 * The 4-level run starts with CR2 = HW_VA, left by the PAE run's reserved-bit fault, and takes
 * no fault at HW_VA before its loops: every store rewrites the PTE of the guest's (stale) CR2,
 * which must not pass for the demand fill of a fault (mm/mmu.h, mmu_pt_write_begin).
 *
 * Then the PTE names memory that is not guest RAM: Umbra maps it to a page of all-ones, read-only
 * (mm/mmu.c, mmu_page_fault: "reads see all-ones, as an empty bus would give"), never host memory;
 * and, with PAE and 4-level paging, an address with a bit at or above MAXPHYADDR, which is a
 * reserved bit: the read faults with P = 1, RSVD = 1 (SDM Vol. 3A 4.7, table 4-11; 4.4.2, 4.5.4).
 */
#include "guest.h"
#include "paging.h"
#include "ptw.h"
#include "guest/umbra_abi.h"
#include "guest/vm_exit.h"

#define HW_VA		0x41000000u	/* the hot page; HW_VA + 4 KiB is the witness */
#define HW_FRAMES	4
#define HW_STORES	8192
#define HW_NOT_RAM	0x40000000u	/* 1 GiB: above guest RAM (64 MiB), not a device window */
/* One-off exits a loop may take besides its stores': a fault on its own code, data or stack
 * page the first time round. */
#define HW_ONE_OFF	16
#define PFEC_P_RSVD	0x9		/* #PF error code: present, reserved bit, read (SDM 4.7) */

static uint32_t frames[HW_FRAMES], witness;

static uint32_t pattern(enum pg_mode mode, unsigned int k)
{
	return 0x40700000u | ((uint32_t)mode << 8) | k;
}

#define WITNESS_MARK	0x77100000u

/* ---- The store ---- */

/* One store of the whole entry: 4 bytes, or 8 with one LOCK CMPXCHG8B (the old value is
 * known: only this guest writes the entry). */
static void store_pte(enum pg_mode mode, uint32_t pte, uint64_t old, uint64_t value)
{
	if (mode == PG_32) {
		*(volatile uint32_t *)pte = (uint32_t)value;
		return;
	}
	__asm__ volatile("lock cmpxchg8b (%0)"
			 : : "r"(pte), "A"(old), "b"((uint32_t)value), "c"((uint32_t)(value >> 32))
			 : "memory", "cc");
}

/* ---- Counters ---- */

enum { C_PF, C_INVLPG, C_WRITES, C_UPDATED, C_FILLS, C_UNSHADOWED, C_KIND0 };
#define NCTR	(C_KIND0 + EXIT_KIND_COUNT)

static uint32_t ctr_index[NCTR] = {
	[C_PF] = UMBRA_CTR_EXITS_BY_KIND + EXIT_PAGE_FAULT,
	[C_INVLPG] = UMBRA_CTR_EXITS_BY_KIND + EXIT_INVLPG,
	[C_WRITES] = UMBRA_CTR_PT_WRITES,
	[C_UPDATED] = UMBRA_CTR_PT_UPDATED,
	[C_FILLS] = UMBRA_CTR_PF_FILLS,
	[C_UNSHADOWED] = UMBRA_CTR_PT_UNSHADOWED,
};

static bool umbra;
static uint64_t before[NCTR], base[NCTR];

static bool host_kind(unsigned int kind)
{
	return kind == EXIT_NONE || kind == EXIT_EXTERNAL_INTERRUPT || kind == EXIT_NMI ||
	       kind == EXIT_PREEMPT;
}

static void snap_before(void)
{
	if (umbra)
		for (int i = NCTR - 1; i >= 0; i--)
			before[i] = ptw_counter(ctr_index[i]);
}

/* The deltas since snap_before, less what reading the counters costs (base). */
static void snap_after(uint64_t *d)
{
	if (!umbra)
		return;
	for (int i = 0; i < NCTR; i++)
		d[i] = ptw_counter(ctr_index[i]) - before[i] - base[i];
}

/* The guest's exits: the kinds it causes (the host's interrupts and timer left out). */
static uint64_t guest_exits(const uint64_t *d)
{
	uint64_t n = 0;

	for (unsigned int k = 0; k < EXIT_KIND_COUNT; k++)
		if (!host_kind(k))
			n += d[C_KIND0 + k];
	return n;
}

/* Prints the figures of a loop of HW_STORES stores and checks exits per store <= max. */
static void report(const char *name, const char *how, const uint64_t *d, unsigned int max)
{
	uint64_t exits = guest_exits(d);
	char ratio[16];

	if (!umbra) {
		SKIP("%s, %s: exits per store (not running under Umbra)", name, how);
		return;
	}
	ptw_ratio(ratio, sizeof(ratio), exits, HW_STORES);
	gprintf("%s, %s: %u stores: %llu exits (page-fault %llu, invlpg %llu), %llu emulated "
		"page-table writes, %llu updated in place, %llu fills, %llu unshadowed\n", name, how,
		HW_STORES, (unsigned long long)exits, (unsigned long long)d[C_PF],
		(unsigned long long)d[C_INVLPG], (unsigned long long)d[C_WRITES],
		(unsigned long long)d[C_UPDATED], (unsigned long long)d[C_FILLS],
		(unsigned long long)d[C_UNSHADOWED]);
	gprintf("%s, %s: exits per store: %s\n", name, how, ratio);
	CHECK(exits <= (uint64_t)max * HW_STORES + HW_ONE_OFF,
	      "%s, %s: at most %u exits per store (and %u one-off)", name, how, max, HW_ONE_OFF);
	CHECK(d[C_WRITES] <= HW_STORES, "%s, %s: no store emulated twice", name, how);
}

/* ---- The scenario ---- */

static void run(enum pg_mode mode)
{
	const char *name = pg_mode_name(mode);
	uint64_t d[NCTR], cur;
	struct pg_space as;
	uint32_t pte, v, before_loop;
	unsigned int bad = 0, bad_witness = 0, last = (HW_STORES - 1) % HW_FRAMES;
	bool nxe = mode != PG_32 && pg_cpu.nx;

	for (unsigned int k = 0; k < HW_FRAMES; k++)
		*(volatile uint32_t *)frames[k] = pattern(mode, k);
	pg_space_init(&as, mode);
	pg_map(&as, HW_VA, frames[0], 1, PTW_LEAF);
	pg_map(&as, HW_VA + 4096, witness, 1, PTW_LEAF);
	pte = pg_entry_pa(&as, HW_VA, 1, false);
	cur = pg_read_pte(mode, pte);
	pg_set_nxe(nxe);
	pg_activate(&as);
	/* The table is in use, so shadowed; the first loop's code and data warm up too. */
	pg_check_read(HW_VA, pattern(mode, 0), "%s: the page table is in use", name);
	pg_check_read(HW_VA + 4096, WITNESS_MARK, "%s: the witness is mapped", name);

	/* What reading the counters costs, twice (the first warms up). */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < NCTR; i++)
			base[i] = 0;
		snap_before();
		snap_after(base);
	}

	/* 1: a store, an INVLPG, a read of the new frame. */
	snap_before();
	for (unsigned int s = 0; s < HW_STORES; s++) {
		unsigned int k = s % HW_FRAMES;
		uint64_t e = frames[k] | PTW_LEAF;

		store_pte(mode, pte, cur, e);
		cur = e;
		pg_invlpg(HW_VA);
		if (*(volatile uint32_t *)HW_VA != pattern(mode, k))
			bad++;
		if (*(volatile uint32_t *)(HW_VA + 4096) != WITNESS_MARK)
			bad_witness++;
	}
	snap_after(d);
	CHECK_EQ(bad, 0, "%s, INVLPG after each store: every read saw the new frame", name);
	CHECK_EQ(bad_witness, 0, "%s, INVLPG after each store: the witness never changed", name);
	/* A store and the INVLPG (which keeps the exact shadow leaf: the read needs no exit). */
	report(name, "INVLPG after each store", d, 2);

	/* 2: stores only, one INVLPG at the end. */
	pg_check_read(HW_VA, pattern(mode, last), "%s: the frame before the stores", name);
	before_loop = last;
	snap_before();
	for (unsigned int s = 0; s < HW_STORES; s++) {
		uint64_t e = frames[(s + 1) % HW_FRAMES] | PTW_LEAF;

		store_pte(mode, pte, cur, e);
		cur = e;
	}
	snap_after(d);
	last = HW_STORES % HW_FRAMES;
	/* Without INVLPG the processor may still use the translation from before the loop
	 * (SDM Vol. 3A 4.10.4.3), or the last store's; no other. */
	v = *(volatile uint32_t *)HW_VA;
	CHECK(v == pattern(mode, last) || v == pattern(mode, before_loop),
	      "%s, no INVLPG between stores: before the INVLPG, the first or the last frame", name);
	gprintf("%s, no INVLPG between stores: before the INVLPG, frame %s\n", name,
		v == pattern(mode, last) ? "of the last store" : "from before the loop");
	pg_invlpg(HW_VA);
	pg_check_read(HW_VA, pattern(mode, last), "%s, no INVLPG between stores: the last store wins",
		      name);
	pg_check_read(HW_VA + 4096, WITNESS_MARK, "%s, no INVLPG between stores: the witness "
		      "unchanged", name);
	/* A few trapped stores, then the table is out of sync: the one-off allowance. */
	report(name, "no INVLPG between stores", d, 0);

	/* 3: a PTE naming memory that is not guest RAM. */
	{
		uint64_t nr0 = umbra ? ptw_counter(UMBRA_CTR_NOT_RAM_READS) : 0;
		uint64_t e = HW_NOT_RAM | PTW_LEAF;

		store_pte(mode, pte, cur, e);
		cur = e;
		pg_invlpg(HW_VA);
		pg_check_read(HW_VA, 0xffffffffu, "%s: a PTE outside guest RAM reads all-ones", name);
		if (umbra)
			CHECK(ptw_counter(UMBRA_CTR_NOT_RAM_READS) > nr0,
			      "%s: Umbra counted a read outside guest RAM", name);
	}
	if (mode != PG_32 && pg_cpu.maxphyaddr < 52) {
		uint64_t e = (1ull << pg_cpu.maxphyaddr) | frames[1] | PTW_LEAF;

		store_pte(mode, pte, cur, e);
		cur = e;
		pg_invlpg(HW_VA);
		pg_check_fault(HW_VA, PG_READ, false, PFEC_P_RSVD,
			       "%s: a PTE with address bit %u (MAXPHYADDR): reserved-bit fault", name,
			       pg_cpu.maxphyaddr);
	}
	store_pte(mode, pte, cur, frames[2] | PTW_LEAF);
	pg_invlpg(HW_VA);
	pg_check_read(HW_VA, pattern(mode, 2), "%s: back in guest RAM: the new frame", name);
	pg_check_read(HW_VA + 4096, WITNESS_MARK, "%s: the witness unchanged at the end", name);
	pg_deactivate();
	if (nxe)
		pg_set_nxe(false);
}

void guest_main(void)
{
	pg_init();
	umbra = ptw_umbra();
	gprintf("running under Umbra: %s\n", umbra ? "yes" : "no");
	for (unsigned int k = 0; k < HW_FRAMES; k++)
		frames[k] = pg_alloc();
	witness = pg_alloc();
	*(volatile uint32_t *)witness = WITNESS_MARK;
	for (int i = C_KIND0; i < NCTR; i++)
		ctr_index[i] = UMBRA_CTR_EXITS_BY_KIND + (i - C_KIND0);
	run(PG_32);
	run(PG_PAE);
	if (pg_cpu.lm)
		run(PG_LM);
	else
		SKIP("4-level: no long mode");
}
