/*
 * PTE prefetch: when a fault fills a leaf of a guest page table's shadow, the neighbouring
 * guest entries of the same table that are present and accessed are filled too, so that the
 * guest's next touches of nearby pages cost no exit.
 *
 * Why this is safe:
 *   - The guest table behind sp is write-protected from the moment its shadow page exists
 *     (mmu_get_page, shadow-mmu.md 7: write-protect before prefetching). Every later guest
 *     write to it traps and updates or clears the entry in place, so an entry read here cannot
 *     change between the read and the install without Umbra seeing it: the walk/fetch race
 *     (shadow-mmu.md 5) has nothing to race with. An out-of-sync table (mm/unsync_state.h) is
 *     not write-protected and is never prefetched from.
 *   - Nothing is written to guest memory: only entries with A = 1 are used, and a writable
 *     mapping is made only when D = 1 (mmu_spte_from_gpte, the same rule as update in place),
 *     so no A or D bit is ever set here that the guest did not set (SDM 4.8: the processor
 *     sets A on use and D on the first write; a clean entry stays read-only so that the first
 *     write faults and the walk sets D).
 *   - Entries that are already present are left alone; prefetch only adds. It fills entries
 *     holding the "not yet shadowed" marker (mm/spte.h); an entry the guest has not present
 *     gives no leaf and keeps its marker.
 */
#include "mm/mmu.h"
#include "mm/guest_mem.h"
#include "mm/page.h"
#include "mm/spte.h"
#include "arch/pt.h"

/* An aligned block of this many shadow entries around the faulting one is filled. Measured on
 * linux-cloud-amd64 (qemu-svm-bios): #PF exits 110,289 without prefetch, 106,642 with 8
 * (8,471 entries prefetched), 106,178 with 16 (12,299 prefetched): 16 buys little more. */
#define MMU_PREFETCH_WINDOW	8

void mmu_prefetch(struct mmu *m, struct shadow_page *sp, unsigned index)
{
	unsigned size = sp->role.gpte4 ? 4 : 8;
	/* shadow-mmu.md 3: a level-1 shadow of a 4-byte-entry table holds the guest entries
	 * quadrant * 512 ... + 511 of it. */
	unsigned guest_base = sp->role.gpte4 ? sp->role.quadrant * PT_ENTRIES : 0;
	unsigned first = index & ~(MMU_PREFETCH_WINDOW - 1u);

	/* An out-of-sync table is not write-protected: what is read here could change unseen
	 * before the sync that would fix it up, and the snapshot would not say so. */
	if (sp->role.level != 1 || sp->role.direct || sp->unsync)
		return;
	for (unsigned i = first; i < first + MMU_PREFETCH_WINDOW; i++) {
		uint64_t gpte = 0, leaf;
		uint64_t *spte = &sp->spt[i];

		if (i == index || spte_present(*spte))
			continue;
		if (!guest_mem_read(m->mem, (sp->gfn << PAGE_SHIFT) + (uint64_t)(guest_base + i) * size,
				    &gpte, size))
			return;
		leaf = mmu_spte_from_gpte(m, sp, gpte);
		if (!leaf)
			continue;
		if (!rmap_add(&m->rmap, leaf & PT_ADDR_MASK, spte))
			return;		/* the reverse map is full: prefetch is only a bonus */
		*spte = leaf;
		m->stats.prefetched++;
	}
}
