/*
 * pg_large: large pages. 4 MiB pages in 32-bit paging with CR4.PSE (and PS ignored without
 * it), 2 MiB pages in PAE and 4-level paging, 1 GiB pages when CPUID has them. Reads at several
 * offsets reach the right frames; A and D are set in the large leaf; a large page split into a
 * page table is seen after INVLPG.
 */
#include "guest.h"
#include "lib/format.h"
#include "paging.h"

/* Patterns at these offsets of the frames at PG_LARGE_PA (16 MiB). */
static const uint32_t offsets[] = { 0x0, 0x1ff004, 0x200008, 0x3ffffc };

static volatile uint32_t pat_probe = 0x600d1a7e;

static uint32_t pat(uint32_t off)
{
	return 0x1a000000u ^ off;
}

static void check_offsets(const char *what, uint64_t va, uint32_t size)
{
	for (unsigned int i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		if (offsets[i] < size)
			pg_check_read(va + offsets[i], pat(offsets[i]), "%s +0x%x", what,
				      offsets[i]);
}

static void check_ad(const char *what, const struct pg_space *as, uint64_t va, int level,
		     uint64_t want)
{
	CHECK_EQ(pg_get(as, va, level) & (PTE_A | PTE_D), want, "%s: large leaf has %s", what,
		 want & PTE_D ? "A and D after a write" : "A, not D, after reads");
}

static void run(enum pg_mode mode, uint64_t va, int level, uint32_t size, uint32_t pa)
{
	struct pg_space as;
	char what[64];
	uint32_t pt;

	snprintk(what, sizeof(what), "%s %u MiB page", pg_mode_name(mode), size >> 20);
	pg_space_init(&as, mode);
	pg_map(&as, va, pa, level, PTE_P | PTE_W);
	pg_activate(&as);
	check_offsets(what, va, size);
	check_ad(what, &as, va, level, PTE_A);
	pg_probe(va + 0x10, PG_WRITE, false, 0);
	check_ad(what, &as, va, level, PTE_A | PTE_D);
	CHECK_EQ(*(volatile uint32_t *)(PG_LARGE_PA + 0x10), 0,
		 "%s: the write reached the frame", what);
	pg_check_fault(va + size, PG_READ, false, 0, "%s: the next page is unmapped", what);
	/* Split: a page table whose entry for va maps a 4 KiB frame of its own. */
	pt = pg_alloc();
	pg_write_pte(mode, pt + (mode == PG_32 ? 4 : 8) * pg_index(mode, va, 1),
		     (PG_LARGE_PA + 0x1ff000) | PTE_P | PTE_W);
	if (level == 2) {
		pg_set(&as, va, 2, pt | PTE_P | PTE_W);
		pg_invlpg(va);
		pg_check_read(va + 4, pat(0x1ff004), "%s: split into 4 KiB pages, INVLPG", what);
		pg_check_fault(va + 0x1000, PG_READ, false, 0, "%s: split: the rest unmapped",
			       what);
	}
	pg_deactivate();
}

void guest_main(void)
{
	unsigned long cr4 = read_cr4();

	pg_init();
	for (unsigned int i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		*(volatile uint32_t *)(PG_LARGE_PA + offsets[i]) = pat(offsets[i]);
	*(volatile uint32_t *)(PG_LARGE_PA + 0x10) = 0x77;

	/* 32-bit, CR4.PSE = 0: PS in a PDE is ignored, the PDE points to a page table. */
	{
		struct pg_space as;
		uint32_t pt = pg_alloc();
		const uint64_t va = 0x41000000ull;

		pg_space_init(&as, PG_32);
		*(volatile uint32_t *)(pt + 4 * 1) = (PG_LARGE_PA + 0x1ff000) | PTE_P;
		pg_set(&as, va, 2, pt | PTE_P | PTE_W | PTE_PS);
		write_cr4(cr4 & ~CR4_PSE);
		pg_activate(&as);
		pg_check_read(va + 0x1004, pat(0x1ff004),
			      "32-bit, CR4.PSE=0: PDE.PS ignored, the PDE maps a page table");
		pg_deactivate();
	}
	if (pg_cpu.pse) {
		write_cr4(cr4 | CR4_PSE);
		*(volatile uint32_t *)(PG_LARGE_PA + 0x10) = 0x77;
		run(PG_32, 0x41000000ull, 2, 0x400000, PG_LARGE_PA);
		write_cr4(cr4);
	} else {
		SKIP("no PSE");
	}
	*(volatile uint32_t *)(PG_LARGE_PA + 0x10) = 0x77;
	run(PG_PAE, 0x41000000ull, 2, 0x200000, PG_LARGE_PA);
	if (pg_cpu.lm) {
		*(volatile uint32_t *)(PG_LARGE_PA + 0x10) = 0x77;
		run(PG_LM, 0xffff800041000000ull, 2, 0x200000, PG_LARGE_PA);
		if (pg_cpu.page1g) {
			/* A 1 GiB page at physical 0: the patterns sit at offset 16 MiB. */
			struct pg_space as;
			const uint64_t va = 0x0000008040000000ull;

			pg_space_init(&as, PG_LM);
			pg_map(&as, va, 0, 3, PTE_P | PTE_W);
			pg_activate(&as);
			check_offsets("4-level 1 GiB page", va + PG_LARGE_PA, 0x400000);
			CHECK_EQ(pg_get(&as, va, 3) & PTE_A, PTE_A, "4-level 1 GiB page: A set");
			pg_check_read(va + (uint32_t)&pat_probe, pat_probe,
				      "4-level 1 GiB page: the guest's own data at its offset");
			pg_deactivate();
		} else {
			SKIP("no 1 GiB pages");
		}
	} else {
		SKIP("no long mode");
	}
}
