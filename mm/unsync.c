/* Out-of-sync leaf shadow tables: going out of sync, syncing, write-protecting again
 * (the design and the sync points are in mm/unsync_state.h). */
#include "mm/mmu.h"
#include "mm/guest_mem.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/pmm.h"
#include "mm/spte.h"
#include "arch/pt.h"
#include "lib/string.h"

bool mmu_unsync_init(struct mmu *m, struct pmm *pmm)
{
	uint64_t pa = pmm_alloc(pmm, MMU_UNSYNC_MAX, PAGE_SIZE, UINT64_MAX);

	if (!pa)
		return false;
	memset(&m->unsync, 0, sizeof(m->unsync));
	for (unsigned i = 0; i < MMU_UNSYNC_MAX; i++)
		m->unsync.slot[i].snapshot = (uint8_t *)phys_to_virt(pa) + (uint64_t)i * PAGE_SIZE;
	return true;
}

void mmu_unsync_clear(struct mmu *m)
{
	for (unsigned i = 0; i < MMU_UNSYNC_MAX; i++)
		m->unsync.slot[i].used = false;
	m->unsync.count = 0;
}

static struct unsync_slot *slot_of(const struct mmu *m, uint64_t gfn)
{
	if (!m->unsync.count)
		return NULL;
	for (unsigned i = 0; i < MMU_UNSYNC_MAX; i++) {
		const struct unsync_slot *s = &m->unsync.slot[i];

		if (s->used && s->gfn == gfn)
			return (struct unsync_slot *)s;
	}
	return NULL;
}

bool mmu_gfn_unsync(const struct mmu *m, uint64_t gfn)
{
	return slot_of(m, gfn) != NULL;
}

/* The index in the guest table of entry idx of the level-1 page sp (shadow-mmu.md 3: a
 * 4-byte-entry table's quadrant q holds guest entries 512q ... 512q + 511). */
static unsigned guest_index(const struct shadow_page *sp, unsigned idx)
{
	return sp->role.gpte4 ? PT_ENTRIES * sp->role.quadrant + idx : idx;
}

static unsigned entry_size(const struct shadow_page *sp)
{
	return sp->role.gpte4 ? 4 : 8;
}

/* True when every guest-table role of gfn is a level-1 one (and there is at least one). */
static bool frame_may_unsync(struct mmu *m, uint64_t gfn)
{
	bool any = false;

	for (struct shadow_page *sp = sp_next_of_gfn(&m->cache, gfn, NULL); sp;
	     sp = sp_next_of_gfn(&m->cache, gfn, sp)) {
		if (sp->role.direct)
			continue;	/* maps guest memory, shadows no table */
		if (sp->role.level != 1)
			return false;
		any = true;
	}
	return any;
}

/* A shadow leaf mapping a frame that just went out of sync: writable again when what it was
 * built from allows writes now. The rights are those of its own page: a direct piece of a
 * dirty, writable guest large page, or a level-1 entry whose guest entry (read now) still maps
 * the same frame writable and dirty (mmu_spte_from_gpte). Anything else faults on the next
 * write and is filled the ordinary way. */
static void make_writable(void *ctx, uint64_t *spte)
{
	struct mmu *m = ctx;
	uint64_t e = *spte, gpte = 0, want;
	uint64_t table = virt_to_phys(spte) & ~(uint64_t)(PAGE_SIZE - 1);
	struct shadow_page *sp = sp_by_hpa(&m->cache, table);
	unsigned idx;

	if (!sp || !spte_present(e) || (e & PT_RW))
		return;
	if (sp->role.direct) {
		if ((sp->role.access & ACC_WRITE) && sp->role.dirty) {
			*spte = e | PT_RW;
			m->need_flush = true;	/* else a cached read-only translation faults */
		}
		return;
	}
	if (sp->role.level != 1)
		return;
	idx = (unsigned)(spte - sp->spt);
	if (!guest_mem_read(m->mem, (sp->gfn << PAGE_SHIFT) +
			    (uint64_t)guest_index(sp, idx) * entry_size(sp), &gpte, entry_size(sp)))
		return;
	want = mmu_spte_from_gpte(m, sp, gpte);
	if ((want & PT_RW) && (want & PT_ADDR_MASK) == (e & PT_ADDR_MASK)) {
		*spte = e | PT_RW;
		m->need_flush = true;
	}
}

bool mmu_unsync_frame(struct mmu *m, uint64_t gfn)
{
	struct unsync_slot *s = NULL;
	uint64_t hpa;

	if (slot_of(m, gfn) || !frame_may_unsync(m, gfn))
		return false;
	if (m->unsync.count == MMU_UNSYNC_MAX) {
		m->stats.unsync_full++;
		return false;
	}
	if (!guest_mem_gpa_to_hpa(m->mem, gfn << PAGE_SHIFT, &hpa))
		return false;
	for (unsigned i = 0; i < MMU_UNSYNC_MAX && !s; i++)
		if (!m->unsync.slot[i].used)
			s = &m->unsync.slot[i];
	/* The shadow entries reflect the table as it is now: it was write-protected until here. */
	if (!guest_mem_read(m->mem, gfn << PAGE_SHIFT, s->snapshot, PAGE_SIZE))
		return false;
	s->used = true;
	s->gfn = gfn;
	m->unsync.count++;
	for (struct shadow_page *sp = sp_next_of_gfn(&m->cache, gfn, NULL); sp;
	     sp = sp_next_of_gfn(&m->cache, gfn, sp)) {
		if (sp->role.direct)
			continue;
		sp->unsync = true;
		m->stats.unsync_pages++;
		/* mm/spte.h: the guest's writes are no longer seen, so no entry may say "not
		 * present in the guest": a P = 0 fault there could reach the guest without an
		 * exit after the guest made the entry present. */
		for (unsigned i = 0; i < PT_ENTRIES && m->trap; i++)
			if (!(sp->spt[i] & PT_P))
				sp->spt[i] = m->trap;
	}
	rmap_for_each(&m->rmap, hpa, make_writable, m);
	return true;
}

bool mmu_unsync_count_write(struct mmu *m, struct shadow_page *sp)
{
	if (sp->role.level != 1 || sp->role.direct || sp->unsync)
		return false;
	if (sp->sync_epoch != m->sync_epoch) {
		sp->sync_epoch = m->sync_epoch;
		sp->sync_writes = 0;
	}
	return ++sp->sync_writes > MMU_UNSYNC_THRESHOLD;
}

/* Recomputes, in every unsync page of s's frame, the entries that overlap guest bytes
 * [off, off + len) of the table. */
static void resync_range(struct mmu *m, struct unsync_slot *s, unsigned off, unsigned len)
{
	for (struct shadow_page *sp = sp_next_of_gfn(&m->cache, s->gfn, NULL); sp;
	     sp = sp_next_of_gfn(&m->cache, s->gfn, sp)) {
		unsigned size = entry_size(sp);

		if (sp->role.direct || !sp->unsync)
			continue;
		for (unsigned gi = off / size; gi * size < off + len; gi++)
			mmu_resync_entry(m, sp, gi);
	}
}

/* Sets entries of the level-1 page sp that are the marker, for guest entries not present in
 * table, back to 0 where that marker is exact (mm/spte.h): the page is write-protected again. */
static void restore_np_markers(struct mmu *m, struct shadow_page *sp, const uint8_t *table)
{
	unsigned size = entry_size(sp);

	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (spte_is_trap(sp->spt[i]) && !(table[guest_index(sp, i) * size] & PT_P))
			sp->spt[i] = spte_absent(sp, false, m->cpu.host_nx, m->trap);
}

/* Write-protects s's frame again and frees the slot; table is the frame's content now. */
static void protect_slot(struct mmu *m, struct unsync_slot *s, const uint8_t *table)
{
	uint64_t hpa;

	for (struct shadow_page *sp = sp_next_of_gfn(&m->cache, s->gfn, NULL); sp;
	     sp = sp_next_of_gfn(&m->cache, s->gfn, sp)) {
		if (sp->role.direct || !sp->unsync)
			continue;
		sp->unsync = false;
		sp->sync_writes = 0;
		if (m->trap && table)
			restore_np_markers(m, sp, table);
	}
	if (guest_mem_gpa_to_hpa(m->mem, s->gfn << PAGE_SHIFT, &hpa) &&
	    rmap_write_protect(&m->rmap, hpa))
		m->need_flush = true;
	s->used = false;
	m->unsync.count--;
}

/* Brings s's frame back in sync: every guest entry that differs from the snapshot is
 * recomputed in place in every unsync page of the frame, then the snapshot is the table. */
static void sync_slot(struct mmu *m, struct unsync_slot *s, bool protect)
{
	static uint8_t now[PAGE_SIZE];	/* one vCPU: the MMU runs in one exit at a time */
	unsigned changed = 0;

	m->stats.syncs++;
	if (!guest_mem_read(m->mem, s->gfn << PAGE_SHIFT, now, PAGE_SIZE)) {
		/* Cannot happen (the frame was RAM when it went out of sync, and guest RAM only
		 * changes with a reset): write-protected again, as it was. */
		protect_slot(m, s, NULL);
		return;
	}
	/* Compared in 8-byte chunks; resync_range recomputes the entries of each page that
	 * overlap a changed chunk, whatever their size (4- and 8-byte-entry pages of one frame
	 * exist when the guest changed paging mode). */
	for (unsigned off = 0; off < PAGE_SIZE; off += 8) {
		if (!memcmp(now + off, s->snapshot + off, 8))
			continue;
		changed++;
		resync_range(m, s, off, 8);
	}
	memcpy(s->snapshot, now, PAGE_SIZE);
	m->stats.sync_changed += changed;
	if (changed && !protect) {
		/* Being written now: stays out of sync, counted afresh. */
		for (struct shadow_page *sp = sp_next_of_gfn(&m->cache, s->gfn, NULL); sp;
		     sp = sp_next_of_gfn(&m->cache, s->gfn, sp))
			sp->sync_writes = 0;
		return;
	}
	protect_slot(m, s, now);
}

void mmu_sync_frame(struct mmu *m, uint64_t gfn, bool protect)
{
	struct unsync_slot *s = slot_of(m, gfn);

	if (s)
		sync_slot(m, s, protect);
}

void mmu_sync_all_tables(struct mmu *m)
{
	for (unsigned i = 0; i < MMU_UNSYNC_MAX && m->unsync.count; i++)
		if (m->unsync.slot[i].used)
			sync_slot(m, &m->unsync.slot[i], false);
}

void mmu_sync_all(struct mmu *m)
{
	m->sync_epoch++;
	mmu_sync_all_tables(m);
}

void mmu_sync_entry(struct mmu *m, struct shadow_page *sp, unsigned idx)
{
	struct unsync_slot *s;
	unsigned size = entry_size(sp), off = guest_index(sp, idx) * size;
	uint64_t now = 0;

	if (!sp->unsync || !(s = slot_of(m, sp->gfn)))
		return;
	if (!guest_mem_read(m->mem, (sp->gfn << PAGE_SHIFT) + off, &now, size) ||
	    !memcmp(&now, s->snapshot + off, size))
		return;
	resync_range(m, s, off, size);
	memcpy(s->snapshot + off, &now, size);
	m->stats.sync_changed++;
}

bool mmu_unsync_snapshot_is(struct mmu *m, const struct shadow_page *sp, unsigned idx,
			    uint64_t value)
{
	struct unsync_slot *s = slot_of(m, sp->gfn);
	unsigned size = entry_size(sp), off = guest_index(sp, idx) * size;

	return s && !memcmp(s->snapshot + off, &value, size);	/* little-endian: low bytes */
}

void mmu_unsync_forget(struct mmu *m, struct shadow_page *sp)
{
	struct unsync_slot *s;

	if (!sp->unsync)
		return;
	sp->unsync = false;
	for (struct shadow_page *o = sp_next_of_gfn(&m->cache, sp->gfn, NULL); o;
	     o = sp_next_of_gfn(&m->cache, sp->gfn, o))
		if (o != sp && o->unsync)
			return;
	s = slot_of(m, sp->gfn);
	if (s) {
		s->used = false;
		m->unsync.count--;
	}
}

bool mmu_unsync_entry_stale(struct mmu *m, const struct shadow_page *sp, unsigned idx)
{
	struct unsync_slot *s;
	unsigned size = entry_size(sp), off = guest_index(sp, idx) * size;
	uint64_t now = 0;

	if (!sp->unsync)
		return false;
	s = slot_of(m, sp->gfn);
	if (!s || !guest_mem_read(m->mem, (sp->gfn << PAGE_SHIFT) + off, &now, size))
		return true;
	return memcmp(&now, s->snapshot + off, size) != 0;
}
