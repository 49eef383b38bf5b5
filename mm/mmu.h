/*
 * The shadow MMU: builds the page tables the processor really walks while the guest runs.
 * Vendor-neutral: it takes the guest's paging state by value and returns what to do; it never
 * calls into a backend. The caller (guest/) reloads the root when root_valid drops and flushes
 * the guest TLB when need_flush is set.
 */
#ifndef UMBRA_MM_MMU_H
#define UMBRA_MM_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/pfec.h"
#include "mm/paging_mode.h"
#include "mm/rmap.h"
#include "mm/shadow_page.h"
#include "mm/shadow_pool.h"
#include "mm/unsync_state.h"

struct guest_mem;
struct pmm;


struct mmu_stats {
	uint64_t faults;		/* #PF exits seen */
	uint64_t fills;			/* leaf entries installed */
	uint64_t reflected;		/* faults given back to the guest */
	uint64_t emulated_writes;	/* guest writes to its page tables, emulated */
	uint64_t pte_updated;		/* shadow entries recomputed in place after such a write */
	uint64_t pte_zapped;		/* shadow entries cleared after such a write */
	uint64_t unshadowed;		/* shadow pages dropped because the guest flooded them */
	uint64_t not_ram_reads;		/* reads of guest-physical memory that is not RAM */
	uint64_t mmio;			/* accesses to MMIO windows, handed to the emulator */
	uint64_t shadow_pages_created;
	uint64_t shadow_pages_zapped;
	uint64_t roots_built;		/* root loads that created the top shadow page(s) */
	uint64_t roots_reused;		/* root loads that found them in the cache */
	uint64_t resets;		/* whole-MMU resets (mode changes, or the last resort when
					 * eviction cannot make room) */
	uint64_t evictions;		/* shadow pages zapped to make room in the pool */
	uint64_t retries;		/* fetches abandoned because a guest entry changed */
	uint64_t wp0_emulated_writes;	/* CR0.WP = 0 writes to user pages emulated (SMAP) */
	uint64_t delivery_unshadowed;	/* tables unshadowed because a delivery wrote them */
	uint64_t trap_faults;		/* #PF exits with P = 1 and RSVD = 1 (mm/spte.h marker) */
	uint64_t prefetched;		/* leaf entries filled by prefetch (mm/prefetch.c) */
	uint64_t unsync_pages;		/* shadow pages let out of sync (mm/unsync_state.h) */
	uint64_t syncs;			/* syncs of an out-of-sync frame */
	uint64_t sync_changed;		/* guest entries a sync found changed, and recomputed */
	uint64_t unsync_full;		/* frames kept in sync: MMU_UNSYNC_MAX were out already */
};

/* What the MMU needs to know of the processor the guest sees. */
struct mmu_cpu {
	uint8_t maxphyaddr;
	uint8_t host_maxphyaddr;	/* the host's: which shadow-entry bits are reserved */
	bool pse36, gb_pages;
	/* The real EFER.NXE is on: shadow entries may use XD. The backends keep the real CR4.PAE
	 * on and the real CR4.SMEP equal to the guest's (mm/spte.h relies on both). */
	bool host_nx;
};

struct mmu {
	struct guest_mem *mem;
	struct mmu_cpu cpu;
	struct sp_cache cache;
	struct rmap rmap;
	uint64_t pae_root;		/* a PAE PDPT below 4 GiB, Umbra's own (paging off, 32-bit, PAE) */
	uint64_t ones_page;		/* read-only page of all-ones bytes: what non-RAM reads see */
	uint64_t trap;			/* SPTE_TRAP, or 0 when the host reserves no bit for it */
	uint64_t trap_table;		/* a page directory of SPTE_TRAP, for PAE-root slots */
	uint64_t root;			/* what CR3 must hold for the current state */
	struct shadow_page *root_sp;	/* the 4-level root page, when the guest uses 4-level paging */
	struct paging_state root_ps;	/* the state the root was built for */
	bool root_valid;		/* false: mmu_load_root() must run before the next entry */
	bool need_flush;		/* shadow entries were removed or restricted: flush the guest TLB */
	struct mmu_unsync unsync;	/* out-of-sync leaf tables (mm/unsync_state.h) */
	uint64_t sync_epoch;		/* root loads so far: the unsync threshold counts per epoch */
	uint64_t demand_pte_gpa;	/* mmu_pt_write_begin: the PTE of the last fault, or ~0 */
	uint64_t demand_cr2;		/* mmu_pt_write_begin: the CR2 it was given */
	/* The CR2 whose PTE a write already filled (mmu_write_frame), or ~0: CR2 keeps its value
	 * until the next guest #PF, so later writes to that PTE are no fill (mmu_pt_write_begin).
	 * A #PF Umbra delivers clears it (the guest's CR2 is set anew, even to the same address). */
	uint64_t demand_filled_cr2;
	struct mmu_stats stats;
};

enum mmu_action {
	MMU_RETRY,		/* the shadow tables now allow the access (or will): re-execute */
	MMU_INJECT_PF,		/* a real guest fault: deliver #PF with error_code and cr2 */
	MMU_EMULATE_WRITE,	/* a write to a guest page table, or one that CR0.WP = 0 allows and
				 * no shadow entry can grant (SMAP): emulate the instruction */
	MMU_GUEST_FATAL,	/* the guest did something Umbra does not support: stop it */
	MMU_EMULATE_MMIO,	/* an access to an MMIO window (guest_mem_is_mmio): emulate the
				 * instruction against the device; no shadow entry is made */
};

struct mmu_outcome {
	enum mmu_action action;
	uint32_t error_code;
	uint64_t cr2;
	uint64_t gpa;		/* MMU_EMULATE_WRITE/MMIO: the guest-physical address accessed; a
				 * delivery's write that unshadowed a page table: the one written */
	bool delivery_unshadowed;	/* MMU_RETRY after unshadowing the frame at gpa */
	char why[96];		/* MMU_GUEST_FATAL */
};

/* The pool mmu_init gives: today's fixed size (4096 shadow pages), for tests. */
#define MMU_TEST_SHADOW_PAGES	4096
bool mmu_init(struct mmu *m, struct guest_mem *mem, struct pmm *pmm, const struct mmu_cpu *cpu);
/* The same with a pool of the given size (shadow_pool_from_bytes); false when pmm cannot hold
 * it. Every byte of the pool is taken now: the MMU never allocates host memory later. */
bool mmu_init_pool(struct mmu *m, struct guest_mem *mem, struct pmm *pmm,
		   const struct mmu_cpu *cpu, const struct shadow_pool *pool);
/* Returns the shadow root for ps (CR3 value for the real processor), building what is missing;
 * 0 when memory runs out. Shadow pages of earlier roots stay cached for reuse. */
uint64_t mmu_load_root(struct mmu *m, const struct paging_state *ps);
/*
 * Handles a #PF exit at linear address addr with the hardware error code; cpl is the guest's
 * CPL and rflags_ac its EFLAGS.AC when the access faulted (SMAP, and telling implicit
 * supervisor accesses from explicit ones: SDM 4.6). delivery: the access was made by the
 * delivery of an event (an exception frame pushed, a descriptor read), not by the instruction
 * at RIP, so there is no instruction to emulate: a write to a shadowed guest page table then
 * unshadows the frame, so that the delivery, redone, writes it directly (MMU_RETRY with
 * delivery_unshadowed), and a write only emulation could make (MMU_EMULATE_WRITE otherwise)
 * stops the guest.
 */
void mmu_page_fault(struct mmu *m, const struct paging_state *ps, uint64_t addr, uint32_t error,
		    unsigned cpl, bool rflags_ac, bool delivery, struct mmu_outcome *out);
/* Translates addr for access (WALK_* bits of mm/walk.h) as the guest would, setting A/D bits.
 * Returns 0 and *gpa, 1 with *pfec for a guest page fault, -1 when a table is not RAM. */
int mmu_translate(struct mmu *m, const struct paging_state *ps, uint64_t addr, uint32_t access,
		  uint64_t *gpa, uint32_t *pfec);
/* A shadowed guest page table that takes more emulated writes than this without being used by a
 * fetch, or updated with a present entry, in between is unshadowed: the guest is reusing it as
 * data or rebuilding it. pt_flood measures 4 emulated writes before 100 data stores stop
 * costing exits; demand paging (one present PTE per fault) never trips it. */
#define MMU_FLOOD_THRESHOLD	3

/*
 * The guest (or Umbra on its behalf) wrote len bytes at gpa, and guest memory already holds
 * them. Every shadow entry that corresponds to a written guest entry, in the shadow pages of
 * the matching quadrant only, is recomputed in place from the complete entry read back from
 * guest memory when that is a present, accessed leaf entry; otherwise it is cleared. A write
 * that covers only part of an entry clears it (no half-written entry is ever installed).
 * Runs in the same exit as the emulated write, so the pair is one critical section.
 */
void mmu_guest_wrote(struct mmu *m, uint64_t gpa, unsigned len);
/*
 * Brackets the emulation of an instruction that writes a guest page table (guest/exits/
 * pt_write.c); cr2 is the guest's CR2 then, the address of its last page fault. The first write
 * that covers that address's PTE is the guest's #PF handler filling it (demand paging): it does
 * not count toward letting the table go out of sync (mm/unsync_state.h). CR2 holds its value
 * until the next #PF (SDM Vol. 3A 6.15, interrupt 14: CR2 is loaded with the faulting address
 * only when a #PF is delivered), so later writes to the same PTE with the same CR2 are the guest
 * changing a live entry, and count like any other.
 */
void mmu_pt_write_begin(struct mmu *m, const struct paging_state *ps, uint64_t cr2);
void mmu_pt_write_end(struct mmu *m);
/* True when [offset, offset + len) of frame gfn holds the PTE mmu_pt_write_begin named. */
bool mmu_write_is_demand_fill(const struct mmu *m, uint64_t gfn, unsigned offset, unsigned len);
/* Drops every shadow page of guest frame gfn, so it is no longer write-protected (until a
 * fetch uses it as a table again). */
void mmu_unshadow_gfn(struct mmu *m, uint64_t gfn);
/* INVLPG addr: drops the shadow translation of addr. */
void mmu_invlpg(struct mmu *m, const struct paging_state *ps, uint64_t addr);
/* True when a #PF with P = 0 that the processor raises through the shadow tables built for
 * ps carries the guest's own error code (mm/spte.h), so a backend that can may let it reach
 * the guest without an exit. */
bool mmu_np_faults_exact(const struct mmu *m, const struct paging_state *ps);
/* Forgets every shadow page: the next root load rebuilds from scratch. */
void mmu_reset(struct mmu *m);
/* Removes one shadow page: its entries, the entries pointing to it, then the page itself. */
void mmu_zap_page(struct mmu *m, struct shadow_page *sp);
/*
 * Makes sure the pool has at least pages free shadow pages, links free parent links and rmaps
 * free reverse-map entries, by evicting least recently used pages (mm/mmu_evict.c): never a
 * page of the active root, pages that were roots last, at most MMU_EVICT_MAX per call. When
 * that is not enough, resets the whole MMU (counted in resets) and returns false.
 */
#define MMU_EVICT_MAX	64
bool mmu_make_room(struct mmu *m, unsigned pages, unsigned links, unsigned rmaps);
/* The page eviction would take next, or NULL when every page is part of the active root. */
struct shadow_page *mmu_evict_victim(struct mmu *m);
/* The role bits every non-direct shadow page of paging state ps carries (SDM 4.6 inputs:
 * 32-bit entries, CR0.WP, EFER.NXE, CR4.SMEP/SMAP, and CR4.PSE with 32-bit entries); the
 * audit checks pages against it. */
union sp_role mmu_base_role(const struct paging_state *ps);

/* For the MMU's own files. The leaf shadow entry for guest entry gpte of the level-1 shadow
 * page sp, or 0 when none may be installed (not present, not accessed, a reserved bit, not
 * RAM). Writable only when the guest entry and the upper levels allow writes, D = 1 and the
 * frame is no shadowed guest table. */
uint64_t mmu_spte_from_gpte(struct mmu *m, const struct shadow_page *sp, uint64_t gpte);
/* For mm/unsync.c: recomputes the shadow entries of sp for guest entry gi (its index in the
 * guest table) from guest memory, as after an emulated write that covered the whole entry. */
void mmu_resync_entry(struct mmu *m, struct shadow_page *sp, unsigned gi);
/* Fills the not-present neighbours of entry index in the level-1, non-direct shadow page sp
 * from the write-protected guest table sp shadows (mm/prefetch.c). */
void mmu_prefetch(struct mmu *m, struct shadow_page *sp, unsigned index);

/* ---- out-of-sync leaf tables (mm/unsync.c, mm/unsync_state.h) ---- */
/* Takes the snapshot pages from pmm; false when it cannot give them. */
bool mmu_unsync_init(struct mmu *m, struct pmm *pmm);
/* Forgets every unsync frame (the MMU is being reset: the pages are gone). */
void mmu_unsync_clear(struct mmu *m);
/* True when guest frame gfn is out of sync. */
bool mmu_gfn_unsync(const struct mmu *m, uint64_t gfn);
/* An emulated write reached the page sp (already applied in place): counts it if sp is a
 * level-1 page in sync; true when that takes it past the threshold (the caller then tries
 * mmu_unsync_frame, once it is done with the frame's pages). */
bool mmu_unsync_count_write(struct mmu *m, struct shadow_page *sp);
/* Lets guest frame gfn go out of sync if it may (only level-1 roles, a free slot); true when
 * it did. */
bool mmu_unsync_frame(struct mmu *m, uint64_t gfn);
/* Syncs frame gfn if it is out of sync; protect: write-protect it again whatever the sync
 * finds (it is about to be shadowed in another role). */
void mmu_sync_frame(struct mmu *m, uint64_t gfn, bool protect);
/* Syncs every unsync frame (INVLPG). */
void mmu_sync_all_tables(struct mmu *m);
/* The same for a root load, which also starts a new count for the threshold. */
void mmu_sync_all(struct mmu *m);
/* Syncs entry idx of the unsync page sp (in every unsync page of its frame, and the snapshot)
 * when its guest entry changed; nothing for a page in sync. */
void mmu_sync_entry(struct mmu *m, struct shadow_page *sp, unsigned idx);
/* True when the snapshot of the unsync page sp holds value for entry idx (the fill of an
 * unsync page installs only a value the next sync will compare against). */
bool mmu_unsync_snapshot_is(struct mmu *m, const struct shadow_page *sp, unsigned idx,
			    uint64_t value);
/* The unsync page sp is being zapped: forgets its frame once no unsync page of it is left. */
void mmu_unsync_forget(struct mmu *m, struct shadow_page *sp);
/* For the audit: true when entry idx of the unsync page sp may be stale (its guest entry
 * differs from the snapshot); false for an in-sync page. */
bool mmu_unsync_entry_stale(struct mmu *m, const struct shadow_page *sp, unsigned idx);

#endif
