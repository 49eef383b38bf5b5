/*
 * pt_demand: demand paging costs two exits per fault, not three (shadow-mmu.md 2), and one
 * where Umbra says guest-not-present faults reach the guest directly (counter
 * UMBRA_CTR_PF_NP_DIRECT: VMX, mm/spte.h). A #PF
 * handler writes the PTE of the faulting page (present, accessed, writable, dirty) with one
 * store (a 4-byte MOV with 32-bit paging, LOCK CMPXCHG8B with PAE, an 8-byte MOV in 64-bit
 * code) and returns; the guest then stores to DP_PAGES fresh pages. Under Umbra each fault must cost one
 * page-fault exit for the guest's fault (reflected) and one for the PTE store (emulated, the
 * shadow entry updated in place), and the retried store none. Umbra's counters are read around
 * the loop only; what the reads themselves cost is measured first with an empty loop. The
 * guest's exits are the sum of the exit kinds it can cause: those the host causes (its
 * interrupts and timer) are left out.
 */
#include "guest.h"
#include "paging.h"
#include "ptw.h"
#include "guest/umbra_abi.h"
#include "guest/vm_exit.h"

#define DP_VA		0x60000000u	/* the demand region: PT indexes 0 .. DP_PAGES */
#define DP_PAGES	64
#define WARM_INDEX	100		/* a mapped page under the same page table (and half) */

enum { C_PF_KIND, C_IO_KIND, C_CR_KIND, C_PF, C_REFLECTED, C_WRITES, C_UPDATED, C_ZAPPED,
       C_UNSHADOWED, C_FALLBACKS, C_TOTAL, C_KIND0 };
#define NCTR	(C_KIND0 + EXIT_KIND_COUNT)	/* then every exit kind, C_KIND0 + kind */

static uint32_t ctr_index[NCTR] = {
	[C_PF_KIND] = UMBRA_CTR_EXITS_BY_KIND + EXIT_PAGE_FAULT,
	[C_IO_KIND] = UMBRA_CTR_EXITS_BY_KIND + EXIT_IO,
	[C_CR_KIND] = UMBRA_CTR_EXITS_BY_KIND + EXIT_CR_ACCESS,
	[C_PF] = UMBRA_CTR_PF_EXITS,
	[C_REFLECTED] = UMBRA_CTR_PF_REFLECTED,
	[C_WRITES] = UMBRA_CTR_PT_WRITES,
	[C_UPDATED] = UMBRA_CTR_PT_UPDATED,
	[C_ZAPPED] = UMBRA_CTR_PT_ZAPPED,
	[C_UNSHADOWED] = UMBRA_CTR_PT_UNSHADOWED,
	[C_FALLBACKS] = UMBRA_CTR_PT_FALLBACKS,
	[C_TOTAL] = UMBRA_CTR_EXITS_TOTAL,
};

/* Exits the host causes (its interrupts, its timer) land anywhere, in the empty loop too:
 * they are not the guest's cost. */
static bool host_kind(unsigned int kind)
{
	return kind == EXIT_NONE || kind == EXIT_EXTERNAL_INTERRUPT || kind == EXIT_NMI ||
	       kind == EXIT_PREEMPT;
}

static uint64_t before[NCTR], after[NCTR];

/* The total is read right before the loop and right after it. */
static __attribute__((noinline)) void snap_before(void)
{
	for (int i = NCTR - 1; i >= 0; i--)
		before[i] = ptw_counter(ctr_index[i]);
}

static __attribute__((noinline)) void snap_after(void)
{
	for (int i = 0; i < NCTR; i++)
		after[i] = ptw_counter(ctr_index[i]);
}

static __attribute__((noinline)) void touch(uint32_t va, unsigned int pages)
{
	for (unsigned int i = 0; i < pages; i++)
		*(volatile uint32_t *)(va + i * 4096) = 0xd0000000u | i;
}

/* The counter deltas of touch(va, pages). */
static void measure(uint64_t *delta, uint32_t va, unsigned int pages)
{
	snap_before();
	touch(va, pages);
	snap_after();
	for (int i = 0; i < NCTR; i++)
		delta[i] = after[i] - before[i];
}

/* cx8: the PAE handler writes whole entries with CMPXCHG8B; otherwise the low half only.
 * checked: the exit figures are checked, or only printed. */
static void run(enum pg_mode mode, bool cx8, bool checked, bool umbra)
{
	const char *name = mode == PG_PAE && !cx8 ? "PAE low-half MOV" : pg_mode_name(mode);
	unsigned int size = mode == PG_32 ? 4 : 8;
	struct pg_space as;
	uint32_t frames, warm, pte0;
	uint64_t base[NCTR], d[NCTR], host, exits, per;
	bool direct = false, nxe;
	char ratio[16];
	bool data_ok = true;

	pg_space_init(&as, mode);
	frames = pg_alloc();
	for (unsigned int i = 1; i <= DP_PAGES; i++)
		if (pg_alloc() != frames + i * 4096) {
			CHECK(false, "%s: contiguous frames", name);
			return;
		}
	warm = pg_alloc();
	*(volatile uint32_t *)warm = 0xabcd0000u | (uint32_t)mode;
	pg_map(&as, DP_VA + WARM_INDEX * 4096, warm, 1, PTE_P | PTE_W);
	pte0 = pg_entry_pa(&as, DP_VA, 1, false);
	/* PAE and 4-level paging run with EFER.NXE, as operating systems do (the I/D bit of a
	 * fault then follows the same rule for the guest and the host, SDM Vol. 3A 4.7). */
	nxe = mode != PG_32 && pg_cpu.nx;
	pg_set_nxe(nxe);
	pg_activate(&as);
	ptw_dp_cx8 = cx8;
	ptw_demand_install(DP_VA, DP_PAGES + 1, pte0, size, frames);
	for (unsigned int k = 0; k < EXIT_KIND_COUNT; k++)
		ctr_index[C_KIND0 + k] = UMBRA_CTR_EXITS_BY_KIND + k;

	/* The page table is in use (shadowed), and one fault warms up the handler's path. */
	pg_check_read(DP_VA + WARM_INDEX * 4096, 0xabcd0000u | (uint32_t)mode,
		      "%s: page table in use", name);
	touch(DP_VA + DP_PAGES * 4096, 1);
	CHECK_EQ(ptw_dp_count, 1, "%s: warm-up fault served by the handler", name);
	/* What Umbra says of this paging state: whether its guest-not-present faults reach
	 * the guest without an exit (VMX with the marker, mm/spte.h). */
	if (umbra)
		direct = ptw_counter(UMBRA_CTR_PF_NP_DIRECT) == 1;

	/* What reading the counters costs: an empty loop, twice (the first warms up). */
	measure(base, DP_VA, 0);
	measure(base, DP_VA, 0);
	ptw_dp_count = 0;
	measure(d, DP_VA, DP_PAGES);
	for (int i = 0; i < NCTR; i++)
		d[i] -= base[i];

	CHECK_EQ(ptw_dp_count, DP_PAGES, "%s: %u faults served by the handler", name, DP_PAGES);
	for (unsigned int i = 0; i < DP_PAGES; i++)
		if (*(volatile uint32_t *)(frames + i * 4096) != (0xd0000000u | i)) {
			data_ok = false;
			gprintf("  frame %u holds 0x%x\n", i, *(volatile uint32_t *)(frames + i * 4096));
			break;
		}
	CHECK(data_ok, "%s: every store landed in its frame", name);
	ptw_demand_remove();
	pg_deactivate();
	if (nxe)
		pg_set_nxe(false);

	if (!umbra) {
		SKIP("%s: exits per fault (not running under Umbra)", name);
		return;
	}
	/* The guest's exits: the sum over the kinds it causes. Unlike the total, it does not
	 * depend on when a host interrupt came. */
	host = exits = 0;
	for (unsigned int k = 0; k < EXIT_KIND_COUNT; k++) {
		if (host_kind(k))
			host += d[C_KIND0 + k];
		else
			exits += d[C_KIND0 + k];
	}
	gprintf("%s: empty loop: %llu I/O exits (the counter reads)\n", name,
		(unsigned long long)base[C_IO_KIND]);
	gprintf("%s: %u faults: page-fault exits %llu (mmu %llu), reflected %llu, pt writes %llu, "
		"updated %llu, zapped %llu, unshadowed %llu, fallbacks %llu, I/O %llu, CR %llu, "
		"total %llu (host-caused %lld)\n", name, DP_PAGES,
		(unsigned long long)d[C_PF_KIND], (unsigned long long)d[C_PF],
		(unsigned long long)d[C_REFLECTED], (unsigned long long)d[C_WRITES],
		(unsigned long long)d[C_UPDATED], (unsigned long long)d[C_ZAPPED],
		(unsigned long long)d[C_UNSHADOWED], (unsigned long long)d[C_FALLBACKS],
		(unsigned long long)d[C_IO_KIND], (unsigned long long)d[C_CR_KIND],
		(unsigned long long)d[C_TOTAL], (long long)host);
	ptw_ratio(ratio, sizeof(ratio), exits, DP_PAGES);
	gprintf("%s: exits per fault: %s\n", name, ratio);
	gprintf("%s: not-present faults reach the guest directly: %s\n", name,
		direct ? "yes" : "no");
	if (!checked)
		return;
	/* Directly: the fault costs no exit, the PTE store one. Otherwise the fault exits
	 * and is reflected too. */
	per = direct ? 1 : 2;
	CHECK_EQ(exits, per * DP_PAGES, "%s: exits per fault: %u.00", name, (unsigned int)per);
	ptw_ratio(ratio, sizeof(ratio), d[C_PF_KIND], DP_PAGES);
	gprintf("%s: page-fault exits per fault: %s\n", name, ratio);
	CHECK_EQ(d[C_PF_KIND], per * DP_PAGES, "%s: page-fault exits per fault: %u.00", name,
		 (unsigned int)per);
	CHECK_EQ(d[C_REFLECTED], direct ? 0 : DP_PAGES, "%s: %s reflected fault per page", name,
		 direct ? "no" : "one");
	CHECK_EQ(d[C_WRITES], DP_PAGES, "%s: one emulated PTE write per page", name);
	CHECK_EQ(d[C_UPDATED], DP_PAGES, "%s: every PTE write updated its shadow entry in place",
		 name);
	CHECK_EQ(d[C_UNSHADOWED], 0, "%s: demand paging is not flooding", name);
	CHECK_EQ(d[C_PF_KIND], exits, "%s: no exits but page faults (and the host's)", name);
}

void guest_main(void)
{
	bool umbra;

	pg_init();
	umbra = ptw_umbra();
	gprintf("running under Umbra: %s\n", umbra ? "yes" : "no");
	run(PG_32, false, true, umbra);
	run(PG_PAE, true, true, umbra);
	/* Only reported: a 4-byte store to half an 8-byte entry leaves Umbra's shadow entry to
	 * the next fault (it never installs from part of an entry). */
	run(PG_PAE, false, false, umbra);
	if (pg_cpu.lm)
		run(PG_LM, false, true, umbra);
	else
		SKIP("4-level: no long mode");
}
