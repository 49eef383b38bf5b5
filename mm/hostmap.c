/*
 * Umbra's page tables. Layout (identity, physical == virtual):
 *   [0, 2 MiB)        4 KiB pages: the legacy area mixes memory types (SDM Vol. 3A 11.11.9 warns
 *                     against large pages that span MTRR ranges of different types)
 *   [2 MiB, 4 GiB)    2 MiB pages
 *   [4 GiB, top)      1 GiB pages when the CPU has them, 2 MiB pages otherwise
 */
#include "mm/hostmap.h"
#include "mm/pmm.h"
#include "arch/cpu.h"
#include "arch/pt.h"
#include "lib/string.h"

#define GIB		(1ULL << 30)
#define MIB2		(1ULL << 21)
#define FOUR_GIB	(4 * GIB)
#define TABLE_FLAGS	(PT_P | PT_RW)
#define LEAF_FLAGS	(PT_P | PT_RW | PT_A | PT_D)

uint64_t hostmap_alloc_zeroed_page(struct pmm *pmm, uint64_t limit)
{
	uint64_t pa = pmm_alloc(pmm, 1, PAGE_SIZE, limit);

	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

/* Returns the table that entry idx of table points to, allocating it when absent (0 on failure). */
static uint64_t *hostmap_child(struct hostmap *hm, struct pmm *pmm, uint64_t *table, unsigned idx)
{
	uint64_t pa;

	if (table[idx] & PT_P)
		return phys_to_virt(table[idx] & PT_ADDR_MASK);
	pa = hostmap_alloc_zeroed_page(pmm, FOUR_GIB);
	if (!pa)
		return NULL;
	hm->table_pages++;
	table[idx] = pa | TABLE_FLAGS;
	return phys_to_virt(pa);
}

static unsigned pt_index(uint64_t va, unsigned shift)
{
	return (va >> shift) & (PT_ENTRIES - 1);
}

/* Maps one page of size 1 << shift (shift 12, 21 or 30) at va, identity. */
static bool hostmap_map(struct hostmap *hm, struct pmm *pmm, uint64_t va, unsigned shift)
{
	uint64_t *table = phys_to_virt(hm->pml4);

	for (unsigned level_shift = PT_SHIFT_L4; level_shift > shift; level_shift -= 9) {
		table = hostmap_child(hm, pmm, table, pt_index(va, level_shift));
		if (!table)
			return false;
	}
	table[pt_index(va, shift)] = va | LEAF_FLAGS | (shift > PT_SHIFT_L1 ? PT_PS : 0);
	return true;
}

bool hostmap_init(struct hostmap *hm, struct pmm *pmm, uint64_t top, bool gb_pages)
{
	uint64_t va;

	memset(hm, 0, sizeof(*hm));
	hm->gb_pages = gb_pages;
	hm->top = top < FOUR_GIB ? FOUR_GIB : (top + GIB - 1) & ~(GIB - 1);
	hm->pml4 = hostmap_alloc_zeroed_page(pmm, FOUR_GIB);
	if (!hm->pml4)
		return false;
	hm->table_pages = 1;

	for (va = 0; va < MIB2; va += PAGE_SIZE)
		if (!hostmap_map(hm, pmm, va, PT_SHIFT_L1))
			return false;
	for (; va < FOUR_GIB; va += MIB2)
		if (!hostmap_map(hm, pmm, va, PT_SHIFT_L2))
			return false;
	while (va < hm->top) {
		unsigned shift = gb_pages ? PT_SHIFT_L3 : PT_SHIFT_L2;

		if (!hostmap_map(hm, pmm, va, shift))
			return false;
		va += 1ULL << shift;
	}
	write_cr3(hm->pml4);
	return true;
}
