/*
 * pt_quadrant: 32-bit paging, whose 4-byte-entry tables Umbra shadows by quadrants
 * (shadow-mmu.md 3): a page table by two 512-entry shadow tables, the page directory by four.
 * A PTE written in the upper half of a live page table, and a PDE written in each quarter of
 * the live page directory, must translate at once; the entries at the same index of the other
 * quadrants (the aliases a wrong quadrant would hit) must keep translating as before.
 *
 * Every write happens after a CR3 reload and with the address not accessed since, so the
 * processor's TLB holds nothing stale and any stale translation would be Umbra's shadow.
 */
#include "guest.h"
#include "lib/format.h"
#include "paging.h"
#include "ptw.h"
#include "guest/umbra_abi.h"

/* PDEs 64, 320, 576 and 832: the same index in each quarter of the directory. */
static const uint32_t quarter_va[4] = { 0x10000000u, 0x50000000u, 0x90000000u, 0xd0000000u };
#define PT_LO		188u		/* a PTE of quadrant 0 ... */
#define PT_HI		(512u + PT_LO)	/* ... and its alias in quadrant 1 */
#define PT_2ND		612u		/* in the PDE's second 2 MiB (two shadow PDEs per PDE) */

static uint32_t new_frame(uint32_t mark)
{
	uint32_t f = pg_alloc();

	*(volatile uint32_t *)f = mark;
	return f;
}

static uint32_t mark_of(uint32_t frame)
{
	return *(volatile uint32_t *)frame;
}

struct quarter {
	uint32_t pt[2];			/* the current page table, and another one */
	uint32_t frame[2][3];		/* [table][lo page, hi page, second-half page] */
	int cur;
};

static struct quarter q[4];

static void map_quarter(struct pg_space *as, int i)
{
	for (int t = 0; t < 2; t++) {
		uint32_t *f = q[i].frame[t];

		q[i].pt[t] = pg_alloc();
		f[0] = new_frame(0x9a000000u | (uint32_t)(i << 8) | (uint32_t)(t << 4) | 0);
		f[1] = new_frame(0x9a000000u | (uint32_t)(i << 8) | (uint32_t)(t << 4) | 1);
		f[2] = new_frame(0x9a000000u | (uint32_t)(i << 8) | (uint32_t)(t << 4) | 2);
		((volatile uint32_t *)q[i].pt[t])[PT_LO] = f[0] | PTW_LEAF;
		((volatile uint32_t *)q[i].pt[t])[PT_HI] = f[1] | PTW_LEAF;
		((volatile uint32_t *)q[i].pt[t])[PT_2ND] = f[2] | PTW_LEAF;
	}
	q[i].cur = 0;
	pg_set(as, quarter_va[i], 2, q[i].pt[0] | PTE_P | PTE_W | PTE_U | PTE_A);
}

/* Reads every quarter's three pages: each must show its current table's frames. */
static void check_all(const char *what)
{
	for (int i = 0; i < 4; i++) {
		uint32_t *f = q[i].frame[q[i].cur];
		uint32_t va = quarter_va[i];

		pg_check_read(va + PT_LO * 4096, mark_of(f[0]), "%s: quarter %d PTE %u", what, i,
			      PT_LO);
		pg_check_read(va + PT_HI * 4096, mark_of(f[1]), "%s: quarter %d PTE %u", what, i,
			      PT_HI);
		pg_check_read(va + PT_2ND * 4096, mark_of(f[2]), "%s: quarter %d PTE %u", what, i,
			      PT_2ND);
	}
}

void guest_main(void)
{
	struct pg_space as;
	bool umbra;
	uint32_t spare, pde;
	uint64_t writes, updated, zapped;
	volatile uint32_t *pte_hi, *pte_lo;

	pg_init();
	umbra = ptw_umbra();
	gprintf("running under Umbra: %s\n", umbra ? "yes" : "no");
	pg_space_init(&as, PG_32);
	for (int i = 0; i < 4; i++)
		map_quarter(&as, i);
	spare = new_frame(0x9aff0000u);
	pg_activate(&as);
	write_cr0(read_cr0() | CR0_WP);

	/* Every table in use: both halves of each page table, all four directory quadrants. */
	check_all("in use");

	/* A PTE in the upper half of quarter 1's page table. */
	pte_hi = (volatile uint32_t *)q[1].pt[0] + PT_HI;
	pte_lo = (volatile uint32_t *)q[1].pt[0] + PT_LO;
	pg_flush();
	writes = ptw_counter(UMBRA_CTR_PT_WRITES);
	updated = ptw_counter(UMBRA_CTR_PT_UPDATED);
	zapped = ptw_counter(UMBRA_CTR_PT_ZAPPED);
	*pte_hi = spare | PTW_LEAF;
	writes = ptw_counter(UMBRA_CTR_PT_WRITES) - writes;
	updated = ptw_counter(UMBRA_CTR_PT_UPDATED) - updated;
	zapped = ptw_counter(UMBRA_CTR_PT_ZAPPED) - zapped;
	pg_check_read(quarter_va[1] + PT_HI * 4096, mark_of(spare),
		      "PTE %u (upper half) written: maps the new frame at once", PT_HI);
	pg_check_read(quarter_va[1] + PT_LO * 4096, mark_of(q[1].frame[0][0]),
		      "PTE %u (its alias in the lower half) unchanged", PT_LO);
	if (umbra) {
		gprintf("upper-half PTE write: pt writes %llu, updated %llu, zapped %llu\n",
			(unsigned long long)writes, (unsigned long long)updated,
			(unsigned long long)zapped);
		CHECK_EQ(writes, 1, "upper-half PTE write emulated");
		CHECK_EQ(updated, 1, "upper-half PTE write updated one shadow entry in place");
		CHECK_EQ(zapped, 0, "upper-half PTE write zapped nothing");
	} else {
		SKIP("PT_UPDATED for the upper-half PTE write (not running under Umbra)");
	}
	/* The lower half too, and back. */
	pg_flush();
	*pte_lo = spare | PTW_LEAF;
	pg_check_read(quarter_va[1] + PT_LO * 4096, mark_of(spare),
		      "PTE %u (lower half) written: maps the new frame at once", PT_LO);
	pg_check_read(quarter_va[1] + PT_HI * 4096, mark_of(spare),
		      "PTE %u still maps the frame written before", PT_HI);
	pg_flush();
	*pte_lo = q[1].frame[0][0] | PTW_LEAF;
	*pte_hi = q[1].frame[0][1] | PTW_LEAF;
	check_all("PTEs restored");

	/* A PDE in each quarter: to the other page table, then back. */
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 4; i++) {
			char what[64];

			pde = pg_entry_pa(&as, quarter_va[i], 2, false);
			pg_flush();
			q[i].cur ^= 1;
			*(volatile uint32_t *)pde = q[i].pt[q[i].cur] | PTE_P | PTE_W | PTE_U | PTE_A;
			snprintk(what, sizeof(what), "round %d, PDE %u (quarter %d) to table %d",
				 round, pg_index(PG_32, quarter_va[i], 2), i, q[i].cur);
			check_all(what);
		}
	}
	/* A PDE made not present, then present again, in each quarter. */
	for (int i = 0; i < 4; i++) {
		pde = pg_entry_pa(&as, quarter_va[i], 2, false);
		pg_flush();
		*(volatile uint32_t *)pde &= ~(uint32_t)PTE_P;
		pg_check_fault(quarter_va[i] + PT_HI * 4096, PG_READ, false, 0,
			       "quarter %d PDE cleared: not present at once", i);
		for (int j = 0; j < 4; j++)
			if (j != i)
				pg_check_read(quarter_va[j] + PT_LO * 4096,
					      mark_of(q[j].frame[q[j].cur][0]),
					      "quarter %d PDE cleared: quarter %d unchanged", i, j);
		*(volatile uint32_t *)pde |= PTE_P;
	}
	check_all("PDEs present again");
	pg_deactivate();
}
