/*
 * Out-of-sync (unsync) leaf shadow tables: the state (mm/unsync.c has the code, mm/mmu.h its
 * declarations).
 *
 * Every shadowed guest page table is write-protected, and each guest write to it is trapped
 * and emulated (mm/mmu.c, update in place). A guest that rewrites a last-level table in bursts
 * (fork write-protecting a parent's pages for copy-on-write, mprotect, a rebuild) pays an exit
 * per entry. Such a table goes out of sync instead: its frame is mapped writable again, the
 * guest writes it freely, and its shadow entries may be stale until the next sync point.
 *
 * Why stale entries are allowed (SDM Vol. 3A 4.10.4): after changing a paging-structure entry
 * the guest must invalidate (INVLPG, MOV CR3, a CR0/CR4 change that flushes) before it may rely
 * on the change, except for an entry made present from not present (4.10.4.3: not-present
 * entries are never cached). So a stale shadow entry is what a stale TLB entry would be, and is
 * fixed at those events; the exception is covered by SPTE_TRAP: an unsync page holds no
 * "not present in the guest" 0 entries (mm/spte.h, sp_guest_writes_visible), so a fault on an
 * absent entry always exits and the walk reads the guest's table as it is now.
 *
 * Which pages: level 1, not direct (a real guest 4 KiB-page table, any quadrant), whose frame is
 * shadowed in no other role than level-1 ones; all level-1 pages of the frame go out of sync
 * together, since write protection is per frame. At most MMU_UNSYNC_MAX frames at once.
 *
 * The snapshot: when a frame goes out of sync, its 4 KiB are copied. A sync compares the guest's
 * table with the snapshot and recomputes in place (as for an emulated write) exactly the entries
 * that differ, then takes the guest's table as the new snapshot. The audit uses the same
 * comparison: an entry equal to its snapshot must be in sync.
 *
 * After a sync: a frame in which the sync found no change is write-protected again (the guest
 * has stopped writing it: it costs no sync work any more, and its absent entries may become
 * 0 again); one with changes stays out of sync but resynced (the guest is writing it now, and
 * write-protecting it would only bring the exits back for the next burst). Before a frame is
 * shadowed in any further role (e.g. it becomes a page directory), it is synced and
 * write-protected whatever the sync found.
 *
 * Sync points (all in mm/mmu.c): every root load (MOV CR3, and the CR0/CR4/EFER changes that
 * flush, which reload the root) and INVLPG sync every unsync frame (INVLPG too: the table
 * holding the address's entry may not be linked in the current root just now); a #PF exit
 * syncs the faulting address's leaf entry before the walk decides anything; a fill into an unsync page syncs that entry first. Work per sync: at most
 * MMU_UNSYNC_MAX frames of 4 KiB compared, and a recompute per changed entry.
 */
#ifndef UMBRA_MM_UNSYNC_STATE_H
#define UMBRA_MM_UNSYNC_STATE_H

#include <stdbool.h>
#include <stdint.h>

/* Frames that may be out of sync at once (each holds a 4 KiB snapshot). */
#define MMU_UNSYNC_MAX		64
/* A level-1 table that takes more emulated writes than this between two root loads goes out
 * of sync (measured on linux-cloud-amd64, see the commit that set it). */
#define MMU_UNSYNC_THRESHOLD	3

struct unsync_slot {
	uint64_t gfn;
	uint8_t *snapshot;	/* the guest table as the shadow entries last reflected it */
	bool used;
};

struct mmu_unsync {
	struct unsync_slot slot[MMU_UNSYNC_MAX];
	unsigned count;		/* slots in use */
};

#endif
