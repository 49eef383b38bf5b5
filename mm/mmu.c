/*
 * Shadow MMU core: roots, the page-fault path (walk, then fetch), write protection of guest
 * page tables, zapping, INVLPG.
 *
 * Shadow layout by guest mode (the host always uses 8-byte entries):
 *   off      Umbra's PAE root -> 4 direct page directories (gfn = i GiB) -> direct page tables
 *   32-bit   Umbra's PAE root -> 4 shadows of the guest page directory, quadrants 0-3
 *            -> shadows of guest page tables, quadrant 0-1 (which 2 MiB half)
 *   PAE      Umbra's PAE root -> shadows of the page directories the cached PDPTEs name
 *   4-level  shadow of the guest PML4 is the root
 * Non-leaf shadow entries allow everything; the leaf carries the combined rights of the walk.
 * Guest large pages are mapped through direct shadow tables of 4 KiB entries, so no large shadow
 * mapping ever covers a write-protected guest page table.
 */
#include "mm/mmu.h"
#include "mm/guest_mem.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/pmm.h"
#include "mm/spte.h"
#include "mm/walk.h"
#include "arch/pt.h"
#include "lib/format.h"
#include "lib/string.h"

#define FOUR_GIB		(1ULL << 32)
#define PAE_ROOT_ENTRIES	4
#define PDPTE_P			PT_P	/* PAE PDPTEs have only P, PWT, PCD and the address (SDM 4.4.1) */
#define SPTE_TABLE		(PT_P | PT_RW | PT_US | PT_A)
#define SPTE_ADDR(e)		((e) & PT_ADDR_MASK)
#define GUEST_ADDR_MASK		0x000ffffffffff000ULL

const char *paging_mode_name(enum paging_mode mode)
{
	static const char *const names[] = {
		[PAGING_OFF] = "off", [PAGING_32] = "32-bit", [PAGING_PAE] = "PAE",
		[PAGING_4LEVEL] = "4-level",
	};
	return mode <= PAGING_4LEVEL ? names[mode] : "?";
}

bool mmu_init(struct mmu *m, struct guest_mem *mem, struct pmm *pmm, const struct mmu_cpu *cpu)
{
	struct shadow_pool pool = {
		MMU_TEST_SHADOW_PAGES, MMU_TEST_SHADOW_PAGES * SHADOW_POOL_LINKS_PER_PAGE,
		MMU_TEST_SHADOW_PAGES * SHADOW_POOL_RMAP_PER_PAGE,
	};

	return mmu_init_pool(m, mem, pmm, cpu, &pool);
}

bool mmu_init_pool(struct mmu *m, struct guest_mem *mem, struct pmm *pmm,
		   const struct mmu_cpu *cpu, const struct shadow_pool *pool)
{
	memset(m, 0, sizeof(*m));
	m->mem = mem;
	m->cpu = *cpu;
	m->demand_pte_gpa = ~0ULL;
	m->demand_filled_cr2 = ~0ULL;
	if (!sp_cache_init(&m->cache, pmm, pool->pages, pool->links) ||
	    !rmap_init(&m->rmap, pmm, pool->rmap_entries) || !mmu_unsync_init(m, pmm))
		return false;
	/* CR3 holds only 32 bits in PAE mode (SDM Vol. 3A 4.4), so the PAE root lives below 4 GiB. */
	m->pae_root = hostmap_alloc_zeroed_page(pmm, FOUR_GIB);
	m->ones_page = hostmap_alloc_zeroed_page(pmm, UINT64_MAX);
	if (!m->pae_root || !m->ones_page)
		return false;
	memset(phys_to_virt(m->ones_page), 0xff, PAGE_SIZE);
	/* mm/spte.h: the "not yet shadowed" marker needs a bit the host reserves; without one
	 * every absent entry is 0 and every #PF must exit. */
	if (spte_trap_usable(cpu->host_maxphyaddr)) {
		uint64_t *t;

		m->trap_table = hostmap_alloc_zeroed_page(pmm, UINT64_MAX);
		if (!m->trap_table)
			return false;
		t = phys_to_virt(m->trap_table);
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			t[i] = SPTE_TRAP;
		m->trap = SPTE_TRAP;
	}
	return true;
}

void mmu_reset(struct mmu *m)
{
	sp_cache_clear(&m->cache);
	rmap_clear(&m->rmap);
	mmu_unsync_clear(m);
	memset(phys_to_virt(m->pae_root), 0, PAGE_SIZE);
	m->root_sp = NULL;
	m->root_valid = false;
	m->need_flush = true;
	m->stats.resets++;
}

/* ---- walking guest memory ---------------------------------------------------------------- */

static bool mmu_mem_read(void *ctx, uint64_t gpa, void *buf, unsigned len)
{
	return guest_mem_read(ctx, gpa, buf, len);
}

static bool mmu_mem_write(void *ctx, uint64_t gpa, const void *buf, unsigned len)
{
	return guest_mem_write(ctx, gpa, buf, len);
}

static void mmu_walk(struct mmu *m, const struct paging_state *ps, uint64_t addr, uint32_t access,
		     struct walk_result *w)
{
	struct walk_mem mem = { mmu_mem_read, mmu_mem_write, m->mem };
	struct walk_request req = {
		.ps = *ps, .addr = addr, .access = access, .maxphyaddr = m->cpu.maxphyaddr,
		.pse36 = m->cpu.pse36, .gb_pages = m->cpu.gb_pages, .set_ad = true,
	};

	memcpy(req.pdptes, ps->pdptes, sizeof(req.pdptes));
	walk_guest(&req, &mem, w);
}

int mmu_translate(struct mmu *m, const struct paging_state *ps, uint64_t addr, uint32_t access,
		  uint64_t *gpa, uint32_t *pfec)
{
	struct walk_result w;

	mmu_walk(m, ps, addr, access, &w);
	if (w.not_ram)
		return -1;
	if (w.fault) {
		*pfec = w.pfec;
		return 1;
	}
	*gpa = w.gpa;
	return 0;
}

/* ---- zapping ------------------------------------------------------------------------------ */

static bool spte_is_leaf(const struct shadow_page *sp, uint64_t spte)
{
	return sp->role.level == 1 || (spte & PT_PS);
}

/* Clears one shadow entry, undoing its reverse-map or parent bookkeeping. */
static void mmu_clear_spte(struct mmu *m, struct shadow_page *sp, uint64_t *spte)
{
	uint64_t e = *spte;

	if (!spte_present(e)) {
		*spte = m->trap;
		return;
	}
	if (spte_is_leaf(sp, e)) {
		rmap_remove(&m->rmap, SPTE_ADDR(e), spte);
	} else {
		struct shadow_page *child = sp_by_hpa(&m->cache, SPTE_ADDR(e));

		if (child)
			sp_remove_parent(&m->cache, child, spte);
	}
	*spte = m->trap;	/* mm/spte.h: the always-safe marker; callers that know better
				 * (mmu_update_entry) choose again */
	m->need_flush = true;
}

void mmu_zap_page(struct mmu *m, struct shadow_page *sp)
{
	uint64_t *parent;

	mmu_unsync_forget(m, sp);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		mmu_clear_spte(m, sp, &sp->spt[i]);
	/* The parent list is complete (any length), so no entry is left pointing here. */
	while ((parent = sp_pop_parent(&m->cache, sp))) {
		/* A slot of Umbra's PAE root: the root must be filled again, and a PDPTE may not
		 * hold the marker (VM entry checks its reserved bits, SDM Vol. 3C 26.3.1.5). */
		if ((uintptr_t)parent - (uintptr_t)phys_to_virt(m->pae_root) < PAGE_SIZE) {
			*parent = 0;
			m->root_valid = false;
		} else {
			*parent = m->trap;	/* the guest entry is present: it was linked */
		}
	}
	if (sp->root_count || sp == m->root_sp) {
		m->root_valid = false;
		m->root_sp = NULL;
	}
	sp_free(&m->cache, sp);
	m->stats.shadow_pages_zapped++;
	m->need_flush = true;
}

void mmu_unshadow_gfn(struct mmu *m, uint64_t gfn)
{
	struct shadow_page *sp, *next;
	uint64_t resets = m->stats.resets;

	for (sp = sp_next_of_gfn(&m->cache, gfn, NULL); sp; sp = next) {
		next = sp_next_of_gfn(&m->cache, gfn, sp);
		if (sp->role.direct)
			continue;
		mmu_zap_page(m, sp);
		if (m->stats.resets != resets)
			return;		/* a reset emptied the cache, chains included */
	}
}

/* True when gfn is shadowed as a guest page table, so its mappings must stay read-only. An
 * out-of-sync frame is not (mm/unsync_state.h): all its guest-table pages are unsync
 * together, so the first one tells. */
static bool mmu_gfn_write_protected(struct mmu *m, uint64_t gfn)
{
	for (struct shadow_page *sp = sp_next_of_gfn(&m->cache, gfn, NULL); sp;
	     sp = sp_next_of_gfn(&m->cache, gfn, sp))
		if (!sp->role.direct)
			return !sp->unsync;
	return false;
}

/* ---- roles and roots ---------------------------------------------------------------------- */

union sp_role mmu_base_role(const struct paging_state *ps)
{
	union sp_role role = { .word = 0 };

	role.gpte4 = paging_mode_of(ps) == PAGING_32;
	/* SDM 4.3: only 32-bit paging reads PDE.PS through CR4.PSE; PAE and 4-level ignore PSE. */
	role.cr4_pse = role.gpte4 && (ps->cr4 & CR4_PSE);
	role.cr0_wp = !!(ps->cr0 & CR0_WP);
	role.efer_nxe = !!(ps->efer & EFER_NXE);
	role.cr4_smep = !!(ps->cr4 & CR4_SMEP);
	role.cr4_smap = !!(ps->cr4 & CR4_SMAP);
	return role;
}

/* A direct page with paging off: linear is physical, everything allowed, nothing clean. */
static union sp_role direct_role(unsigned level)
{
	union sp_role role = { .word = 0 };

	role.level = level;
	role.direct = 1;
	role.access = ACC_ALL;
	role.dirty = 1;
	return role;
}

/* A direct page that maps part of a guest large page: the guest settings its leaves depend on
 * (CR0.WP, NXE, SMEP, SMAP; not the table-format bits), the rights of the walk and the large
 * page's D flag. */
static union sp_role large_piece_role(const struct paging_state *ps, unsigned level,
				      unsigned access, bool dirty)
{
	union sp_role role = mmu_base_role(ps);

	role.gpte4 = 0;
	role.cr4_pse = 0;
	role.level = level;
	role.direct = 1;
	role.access = access;
	role.dirty = dirty;
	return role;
}

/* The guest entry that shadow entry idx of sp shadows (shadow-mmu.md 3: a level-1 page of
 * quadrant q holds guest PTEs 512q + idx, a level-2 page guest PDE 256q + idx / 2); guest is
 * the guest table's 4 KiB. */
static bool guest_entry_present(const struct shadow_page *sp, const uint8_t *guest, unsigned idx)
{
	unsigned gi = idx;

	if (sp->role.gpte4 && sp->role.level == 1)
		gi = 512 * sp->role.quadrant + idx;
	else if (sp->role.gpte4)
		gi = 256 * sp->role.quadrant + idx / 2;
	return guest[gi * (sp->role.gpte4 ? 4 : 8)] & PT_P;
}

/* Fills a fresh shadow page with absent entries (mm/spte.h): 0 where the guest entry is not
 * present, so that the first fault there reaches the guest directly, the marker elsewhere.
 * Runs after the guest table was write-protected, so no guest write is missed after it. */
static void mmu_init_entries(struct mmu *m, struct shadow_page *sp)
{
	static uint8_t guest[PAGE_SIZE];	/* one vCPU: the MMU runs in one exit at a time */
	bool readable;

	if (!m->trap)
		return;		/* no marker: the zeroed page is today's "nothing shadowed" */
	readable = !sp->role.direct && guest_mem_read(m->mem, sp->gfn << PAGE_SHIFT, guest,
						      PAGE_SIZE);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		sp->spt[i] = spte_absent(sp, !readable || guest_entry_present(sp, guest, i),
					 m->cpu.host_nx, m->trap);
}

/* Finds or creates a shadow page; a new page of a guest table write-protects that table. */
static struct shadow_page *mmu_get_page(struct mmu *m, uint64_t gfn, union sp_role role)
{
	struct shadow_page *sp;
	bool created;
	uint64_t hpa;

	/* Room was made before the fetch or root load began (mm/mmu_evict.c): a NULL here is
	 * the pool's last resort, handled by the caller with a reset. */
	sp = sp_get(&m->cache, gfn, role, &created);
	if (!sp || !created)
		return sp;
	m->stats.shadow_pages_created++;
	/* mm/unsync_state.h: a frame shadowed in one more role is brought in sync and
	 * write-protected first, so the new page is built from what the guest has now. */
	if (!role.direct && mmu_gfn_unsync(m, gfn))
		mmu_sync_frame(m, gfn, true);
	/* shadow-mmu.md 7: write-protect the guest table before anything is built from it. */
	if (!role.direct && guest_mem_gpa_to_hpa(m->mem, gfn << PAGE_SHIFT, &hpa) &&
	    rmap_write_protect(&m->rmap, hpa))
		m->need_flush = true;
	mmu_init_entries(m, sp);
	return sp;
}

/* Points shadow entry spte (in parent, or in Umbra's PAE root when parent is NULL) at child.
 * False, with the entry cleared, when no parent link is free: an entry the child's parent
 * list does not name could outlive the child. */
static bool mmu_link(struct mmu *m, struct shadow_page *parent, uint64_t *spte,
		     struct shadow_page *child, uint64_t flags)
{
	if (spte_present(*spte) && SPTE_ADDR(*spte) == child->hpa)
		return true;
	if (parent)
		mmu_clear_spte(m, parent, spte);
	else if (*spte & PT_P) {
		struct shadow_page *old = sp_by_hpa(&m->cache, SPTE_ADDR(*spte));

		if (old)
			sp_remove_parent(&m->cache, old, spte);
	}
	/* Until linked, a parent's entry is "not yet shadowed" (mm/spte.h), never "not present
	 * in the guest"; a failed link makes the caller reset, so a root slot may stay empty. */
	*spte = parent ? m->trap : 0;
	if (!sp_add_parent(&m->cache, child, spte))
		return false;
	*spte = child->hpa | flags;
	return true;
}

/*
 * Empties PAE-root slot for a PDPTE that names no shadow page. A PDPTE cannot hold the marker
 * (VM entry and MOV CR3 check PDPTE reserved bits: SDM Vol. 3C 26.3.1.5, Vol. 3A 4.4.1), so
 * "not yet shadowed" is the trap table, a page directory of markers. 0 only for a guest
 * PDPTE that is not present, when the processor's P = 0 fault is the guest's own (mm/spte.h).
 */
static void pae_root_clear_slot(struct mmu *m, uint64_t *slot, bool guest_present,
				union sp_role role)
{
	struct shadow_page probe = { .role = role };

	if (*slot & PT_P) {
		struct shadow_page *old = sp_by_hpa(&m->cache, SPTE_ADDR(*slot));

		if (old)
			sp_remove_parent(&m->cache, old, slot);
	}
	*slot = 0;
	if (m->trap && spte_absent(&probe, guest_present, m->cpu.host_nx, m->trap))
		*slot = m->trap_table | PDPTE_P;
}

/* Hangs the four page directories of the current mode from Umbra's PAE root. Returns false
 * when memory runs out; *created_any tells whether a root page had to be built. */
static bool mmu_fill_pae_root(struct mmu *m, const struct paging_state *ps, bool *created_any)
{
	uint64_t *pdpt = phys_to_virt(m->pae_root);
	enum paging_mode mode = paging_mode_of(ps);
	union sp_role base = mmu_base_role(ps);

	for (unsigned i = 0; i < PAE_ROOT_ENTRIES; i++) {
		struct shadow_page *sp;
		union sp_role role = base;
		uint64_t gfn;
		unsigned before = m->cache.used;

		role.level = 2;
		role.access = ACC_ALL;
		if (mode == PAGING_OFF) {
			role = direct_role(2);
			gfn = (uint64_t)i << (30 - PAGE_SHIFT);
		} else if (mode == PAGING_32) {
			role.quadrant = i;	/* shadow-mmu.md 3: the PDPTE slot picks the quadrant */
			gfn = (ps->cr3 & 0xfffff000ULL) >> PAGE_SHIFT;
		} else {
			gfn = (ps->pdptes[i] & GUEST_ADDR_MASK) >> PAGE_SHIFT;
			/* A not-present PDPTE, or one naming memory that is not RAM: no shadow
			 * here, and the walk reports the fault. */
			if (!(ps->pdptes[i] & PT_P) || !guest_mem_find(m->mem, gfn << PAGE_SHIFT)) {
				pae_root_clear_slot(m, &pdpt[i], ps->pdptes[i] & PT_P, role);
				continue;
			}
		}
		sp = mmu_get_page(m, gfn, role);
		if (!sp)
			return false;
		if (m->cache.used != before)
			*created_any = true;
		sp_mark_root(&m->cache, sp);
		if (!mmu_link(m, NULL, &pdpt[i], sp, PDPTE_P))
			return false;
	}
	return true;
}

uint64_t mmu_load_root(struct mmu *m, const struct paging_state *ps)
{
	enum paging_mode mode = paging_mode_of(ps);
	bool created = false;

	/* MOV CR3 and the CR0/CR4/EFER changes that flush come here: the guest may now rely on
	 * every change it made to its tables (SDM Vol. 3A 4.10.4.1), so out-of-sync tables are
	 * synced first (mm/unsync_state.h). */
	mmu_sync_all(m);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (m->root_sp) {
			m->root_sp->root_count--;
			m->root_sp = NULL;
		}
		/* Room for the root pages before any is looked up (mm/mmu_evict.c). */
		mmu_make_room(m, PAE_ROOT_ENTRIES, PAE_ROOT_ENTRIES, 0);
		if (mode == PAGING_4LEVEL) {
			union sp_role role = mmu_base_role(ps);
			unsigned before = m->cache.used;

			role.level = 4;
			role.access = ACC_ALL;
			m->root_sp = mmu_get_page(m, (ps->cr3 & GUEST_ADDR_MASK) >> PAGE_SHIFT, role);
			if (m->root_sp) {
				sp_mark_root(&m->cache, m->root_sp);
				created = m->cache.used != before;
				m->root_sp->root_count++;
				m->root = m->root_sp->hpa;
				break;
			}
		} else if (mmu_fill_pae_root(m, ps, &created)) {
			m->root = m->pae_root;
			break;
		}
		mmu_reset(m);	/* out of shadow pages: start over once */
		m->root = 0;
	}
	m->root_ps = *ps;
	m->root_valid = m->root != 0;
	if (created)
		m->stats.roots_built++;
	else
		m->stats.roots_reused++;
	m->need_flush = true;
	return m->root;
}

/* ---- the fault path ------------------------------------------------------------------------ */

static unsigned level_shift(unsigned level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

/* The rights the guest entries at levels top..from allow (ACC_*), as the walk read them. */
static unsigned guest_access_above(const struct paging_state *ps, const struct walk_result *w,
				   unsigned from)
{
	enum paging_mode mode = paging_mode_of(ps);
	unsigned access = ACC_ALL;

	for (unsigned l = w->levels; l >= from && l >= 1; l--) {
		uint64_t e = w->pte[l];

		if (mode == PAGING_PAE && l == 3)
			continue;	/* PDPTEs carry no rights (SDM 4.4.1) */
		if (!(e & PT_US))
			access &= ~ACC_USER;
		if (!(e & PT_RW))
			access &= ~ACC_WRITE;
		if (mode != PAGING_32 && (ps->efer & EFER_NXE) && (e & PT_NX))
			access &= ~ACC_EXEC;
	}
	return access;
}

/* The guest table gfn that the walk's entry at level names (entry formats differ by mode). */
static uint64_t guest_table_gfn(const struct paging_state *ps, const struct walk_result *w,
				unsigned level)
{
	uint64_t e = w->pte[level];

	if (paging_mode_of(ps) == PAGING_32)
		return (e & 0xfffff000ULL) >> PAGE_SHIFT;
	return (e & GUEST_ADDR_MASK) >> PAGE_SHIFT;
}

/* The shadow page at the top of the walk for addr: the 4-level root, or the page directory
 * hanging from Umbra's PAE root. */
static struct shadow_page *mmu_top_page(struct mmu *m, const struct paging_state *ps,
					uint64_t addr, unsigned *level)
{
	uint64_t *pdpt = phys_to_virt(m->pae_root);

	if (paging_mode_of(ps) == PAGING_4LEVEL) {
		*level = 4;
		return m->root_sp;
	}
	*level = 2;
	if (!(pdpt[(addr >> 30) & 3] & PT_P))
		return NULL;
	return sp_by_hpa(&m->cache, SPTE_ADDR(pdpt[(addr >> 30) & 3]));
}

/* The level-1 shadow page the current shadow tables reach for addr (the page holding addr's
 * leaf entry), or NULL when an upper entry is absent. */
static struct shadow_page *mmu_shadow_leaf_page(struct mmu *m, const struct paging_state *ps,
						uint64_t addr)
{
	unsigned level;
	struct shadow_page *sp;

	if (!m->root_valid || paging_mode_of(ps) == PAGING_OFF)
		return NULL;
	for (sp = mmu_top_page(m, ps, addr, &level); sp && level > 1; level--) {
		uint64_t e = sp->spt[(addr >> level_shift(level)) & (PT_ENTRIES - 1)];

		if (!spte_present(e) || spte_is_leaf(sp, e))
			return NULL;
		sp = sp_by_hpa(&m->cache, SPTE_ADDR(e));
	}
	return sp;
}

/* True for a supervisor-mode write (explicit at CPL < 3, or implicit at any CPL). */
static bool supervisor_write(uint32_t access)
{
	return (access & WALK_WRITE) && !(access & WALK_FETCH) &&
	       (!(access & WALK_USER) || (access & WALK_IMPLICIT));
}

/*
 * How a supervisor write that CR0.WP = 0 allows through a read-only page is granted (SDM
 * 4.6.1). The processor runs the guest with CR0.WP = 1, so the shadow entry must allow the write
 * itself, by being writable and supervisor-only. For a supervisor page that is all. For a user
 * page it would hide what the processor checks from the shadow entry's U/S bit, with the
 * guest's CR4.SMEP and CR4.SMAP (which reach the real CR4 while the guest pages):
 *   SMEP  a supervisor fetch from a user page must fault: the entry also gets XD, the fetch
 *         faults into Umbra and the walk reports the SMEP fault;
 *   SMAP  a supervisor data access to a user page must fault unless it is explicit with
 *         EFLAGS.AC = 1. AC is no part of a shadow entry, so a supervisor-only entry would let
 *         later accesses with AC = 0, and implicit ones, through: the write is emulated instead
 *         and the entry stays a read-only user entry. So is it with SMEP but no XD on the host.
 */
enum wp0_grant {
	WP0_NONE,		/* not such a write: the ordinary rules apply */
	WP0_SUPERVISOR_RW,	/* writable, supervisor-only (and XD for a user page under SMEP) */
	WP0_EMULATE,		/* no shadow entry can express it: emulate the write */
};

static enum wp0_grant mmu_wp0_grant(const struct mmu *m, const struct paging_state *ps,
				    const struct walk_result *w, uint32_t access)
{
	if ((ps->cr0 & CR0_WP) || !supervisor_write(access) || (w->access & ACC_WRITE))
		return WP0_NONE;
	if (!(w->access & ACC_USER))
		return WP0_SUPERVISOR_RW;
	if ((ps->cr4 & CR4_SMAP) || ((ps->cr4 & CR4_SMEP) && !m->cpu.host_nx))
		return WP0_EMULATE;
	return WP0_SUPERVISOR_RW;
}

/* The leaf entry for the page the walk found, for the access (WALK_* bits) that faulted. */
static uint64_t mmu_leaf(struct mmu *m, const struct paging_state *ps, const struct walk_result *w,
			 uint32_t access, uint64_t hpa)
{
	uint64_t leaf = hpa | PT_P | PT_A | PT_D;
	unsigned rights = w->access;
	bool dirty = w->dirty || paging_mode_of(ps) == PAGING_OFF;
	bool protected = mmu_gfn_write_protected(m, w->gpa >> PAGE_SHIFT);

	if (rights & ACC_USER)
		leaf |= PT_US;
	/* A clean page stays read-only so that the first write faults and sets D (SDM 4.8);
	 * a page that is a shadowed guest table stays read-only so that writes are seen. */
	if ((rights & ACC_WRITE) && dirty && !protected)
		leaf |= PT_RW;
	if (m->cpu.host_nx && !(rights & ACC_EXEC))
		leaf |= PT_NX;
	/* CR0.WP = 0 (mmu_wp0_grant): a later user access faults and refills the ordinary way. */
	if (mmu_wp0_grant(m, ps, w, access) == WP0_SUPERVISOR_RW && !protected) {
		leaf = (leaf | PT_RW) & ~(uint64_t)PT_US;
		if ((rights & ACC_USER) && (ps->cr4 & CR4_SMEP))
			leaf |= PT_NX;
	}
	if (hpa == m->ones_page)
		leaf &= ~(uint64_t)PT_RW;
	return leaf;
}

/* Installs leaf at spte in the level-1 page sp, keeping the reverse map right. */
static bool mmu_set_leaf(struct mmu *m, struct shadow_page *sp, uint64_t *spte, uint64_t leaf)
{
	mmu_clear_spte(m, sp, spte);
	if (!rmap_add(&m->rmap, SPTE_ADDR(leaf), spte))
		return false;
	*spte = leaf;
	m->stats.fills++;
	return true;
}

/* What a successful walk left in its guest entry at level (SDM 4.8): the value it read, with A
 * set and, in the leaf of a write, D. An entry that is the leaf too (a table that maps itself
 * at this level) ends with the leaf's bits: the walker writes the leaf last. */
static uint64_t walk_left(const struct walk_result *w, unsigned level)
{
	unsigned leaf = w->leaf_level;

	if (w->pte_gpa[level] == w->pte_gpa[leaf])
		level = leaf;
	return w->pte[level] | PT_A | (level == leaf && w->dirty ? PT_D : 0);
}

/* The highest level whose guest entry no longer holds what the walk left there, or 0 when
 * every level is as the walk left it. */
static unsigned mmu_walk_changed(struct mmu *m, const struct paging_state *ps,
				 const struct walk_result *w)
{
	bool pae = paging_mode_of(ps) == PAGING_PAE;

	for (unsigned l = w->levels; l >= 1 && l >= w->leaf_level; l--) {
		uint64_t now = 0;

		if (pae && l == 3)
			continue;	/* the PDPTE registers, not memory (SDM 4.4.1) */
		if (!guest_mem_read(m->mem, w->pte_gpa[l], &now, w->pte_size) ||
		    now != walk_left(w, l))
			return l;
	}
	return 0;
}

/*
 * Descends the shadow tables for addr, creating what is missing, and installs the leaf.
 * shadow-mmu.md 5: the guest may change an entry of the walk between the walk and the fill.
 * Once the shadow page of a guest table exists, that table is write-protected and any later
 * write to it traps, so the check below, made when every page of the path exists and before
 * the leaf is installed, cannot be outrun: every level's guest entry is read again, and if one
 * no longer holds what the walk left there, the shadow entry built from it (and with it what
 * this fetch hung below) is cleared and the guest retries.
 */
static enum mmu_action mmu_fetch(struct mmu *m, const struct paging_state *ps, uint64_t addr,
				 const struct walk_result *w, uint32_t access, uint64_t hpa)
{
	union sp_role base = mmu_base_role(ps);
	/* With paging off there are no guest tables: every shadow page below the root is direct. */
	unsigned guest_leaf = paging_mode_of(ps) == PAGING_OFF ? 3 : w->leaf_level;
	/* The shadow entry of each level on the path, and the page it is in: guest level l is
	 * shadow level l in every mode (a PAE PDPTE is the slot of Umbra's root). */
	struct shadow_page *owner[WALK_MAX_LEVELS] = { NULL };
	uint64_t *path[WALK_MAX_LEVELS] = { NULL };
	unsigned level, changed;
	struct shadow_page *sp = mmu_top_page(m, ps, addr, &level);

	if (!sp) {
		m->root_valid = false;	/* the root lost a page: rebuild it, then retry */
		return MMU_RETRY;
	}
	for (; level > 1; level--) {
		uint64_t *spte = &sp->spt[(addr >> level_shift(level)) & (PT_ENTRIES - 1)];
		unsigned child_level = level - 1;
		union sp_role role;
		struct shadow_page *child;
		uint64_t gfn;

		if (child_level >= guest_leaf) {
			/* The guest has a table at child_level. */
			role = base;
			role.level = child_level;
			role.access = guest_access_above(ps, w, level);
			if (role.gpte4)
				role.quadrant = (addr >> 21) & 1;	/* which half of the guest table */
			gfn = guest_table_gfn(ps, w, level);
		} else {
			/* Below a guest large page: direct tables map its 4 KiB pieces. */
			role = paging_mode_of(ps) == PAGING_OFF ? direct_role(child_level) :
				large_piece_role(ps, child_level, w->access, w->dirty);
			gfn = (w->gpa >> PAGE_SHIFT) & ~((1ULL << (9 * child_level)) - 1);
		}
		child = mmu_get_page(m, gfn, role);
		if (!child || !mmu_link(m, sp, spte, child, SPTE_TABLE)) {
			mmu_reset(m);	/* cannot happen after mmu_make_room: the last resort */
			return MMU_RETRY;
		}
		owner[level] = sp;
		path[level] = spte;
		sp->write_count = 0;	/* used as a table: not flooded */
		sp = child;
	}
	owner[1] = sp;
	path[1] = &sp->spt[(addr >> PAGE_SHIFT) & (PT_ENTRIES - 1)];
	changed = mmu_walk_changed(m, ps, w);
	if (changed) {
		mmu_clear_spte(m, owner[changed], path[changed]);
		m->stats.retries++;
		return MMU_RETRY;
	}
	sp->write_count = 0;
	/* An out-of-sync page: the entry is synced first (every role of the frame, and the
	 * snapshot), since the walk may have set A or D in it; the leaf below, from the value
	 * the walk left and the re-read just confirmed, then agrees with the snapshot. */
	if (sp->unsync) {
		unsigned idx = (addr >> PAGE_SHIFT) & (PT_ENTRIES - 1);

		mmu_sync_entry(m, sp, idx);
		/* The table is not write-protected, so the re-read above could be outrun (by
		 * another vCPU; Umbra runs one): the leaf is installed only from the value the
		 * snapshot now holds, which the next sync compares against. */
		if (!mmu_unsync_snapshot_is(m, sp, idx, walk_left(w, 1))) {
			mmu_clear_spte(m, sp, path[1]);
			m->stats.retries++;
			return MMU_RETRY;
		}
	}
	if (!mmu_set_leaf(m, sp, path[1], mmu_leaf(m, ps, w, access, hpa))) {
		mmu_reset(m);
		return MMU_RETRY;
	}
	/* A leaf of a guest page table (not a piece of a large page): fill its neighbours too.
	 * The table is write-protected (its shadow page exists), so what prefetch reads cannot
	 * change behind Umbra's back. */
	if (guest_leaf == 1)
		mmu_prefetch(m, sp, (addr >> PAGE_SHIFT) & (PT_ENTRIES - 1));
	return MMU_RETRY;
}

/* The guest-virtual address as the walker sees it: 32 bits outside long mode. */
static uint64_t fault_address(const struct paging_state *ps, uint64_t addr)
{
	return (ps->efer & EFER_LMA) ? addr : addr & 0xffffffffULL;
}

/* The rights (ACC_*) the current shadow tables give addr, combined over the levels as the
 * processor combines them; false when no leaf is present. */
static bool mmu_shadow_rights(struct mmu *m, const struct paging_state *ps, uint64_t addr,
			      unsigned *rights)
{
	unsigned level;
	struct shadow_page *sp;

	*rights = ACC_ALL;
	if (!m->root_valid)
		return false;
	for (sp = mmu_top_page(m, ps, addr, &level); sp; level--) {
		uint64_t e = sp->spt[(addr >> level_shift(level)) & (PT_ENTRIES - 1)];

		if (!spte_present(e))
			return false;
		if (!(e & PT_US))
			*rights &= ~ACC_USER;
		if (!(e & PT_RW))
			*rights &= ~ACC_WRITE;
		if (m->cpu.host_nx && (e & PT_NX))
			*rights &= ~ACC_EXEC;
		if (spte_is_leaf(sp, e))
			return true;
		sp = sp_by_hpa(&m->cache, SPTE_ADDR(e));
	}
	return false;
}

/*
 * The access (WALK_* bits) that faulted, from the hardware error code, the CPL and EFLAGS.AC.
 * SDM 4.6: reads of descriptor tables, the TSS and the IDT are implicit supervisor-mode
 * accesses at any CPL, and SMAP applies to them whatever AC says; AC lifts SMAP only for
 * explicit supervisor accesses, which exist at CPL < 3 only. The error code says "supervisor"
 * for both (U/S = 0, SDM 4.7). At CPL 3 a supervisor access is therefore implicit. At CPL < 3
 * an implicit one shows only by its fault: the processor refused a supervisor data access with
 * AC = 1 that the shadow entry, a user entry that allows it, would let through if it were
 * explicit. Taken for explicit, the walk would allow it and the fill change nothing, forever.
 */
static uint32_t mmu_fault_access(struct mmu *m, const struct paging_state *ps, uint64_t addr,
				 uint32_t error, unsigned cpl, bool rflags_ac)
{
	uint32_t access = error & (WALK_WRITE | WALK_USER | WALK_FETCH);
	unsigned rights;

	if (cpl == 3)
		return (access & WALK_USER) ? access : access | WALK_USER | WALK_IMPLICIT;
	if (!rflags_ac)
		return access;
	if ((ps->cr4 & CR4_SMAP) && (error & PFEC_P) && !(access & WALK_FETCH) &&
	    mmu_shadow_rights(m, ps, addr, &rights) && (rights & ACC_USER) &&
	    (!(access & WALK_WRITE) || (rights & ACC_WRITE)))
		return access | WALK_IMPLICIT;
	return access | WALK_RFLAGS_AC;
}

void mmu_page_fault(struct mmu *m, const struct paging_state *ps, uint64_t addr, uint32_t error,
		    unsigned cpl, bool rflags_ac, bool delivery, struct mmu_outcome *out)
{
	uint32_t access;
	struct walk_result w;
	uint64_t hpa;

	m->stats.faults++;
	/* A P = 1, RSVD = 1 fault: the access met SPTE_TRAP ("not yet shadowed", mm/spte.h) or
	 * a guest entry with a reserved bit; the walk below tells which, and the error code
	 * the guest may get is the walk's, never this one. */
	if ((error & (PFEC_P | PFEC_RSVD)) == (PFEC_P | PFEC_RSVD))
		m->stats.trap_faults++;
	memset(out, 0, sizeof(*out));
	addr = fault_address(ps, addr);
	/* mm/unsync_state.h: the fault may come through a stale entry of an out-of-sync table (the
	 * guest changed it and the processor, on the fault, drops what it cached for addr: SDM
	 * Vol. 3A 4.10.4.1). The entry is synced before anything is decided from the shadow
	 * tables; a fault reflected to the guest then leaves no stale entry behind for the
	 * guest's fix-up and retry. */
	if (m->unsync.count) {
		struct shadow_page *leaf = mmu_shadow_leaf_page(m, ps, addr);

		if (leaf && leaf->unsync)
			mmu_sync_entry(m, leaf, (addr >> PAGE_SHIFT) & (PT_ENTRIES - 1));
	}
	access = mmu_fault_access(m, ps, addr, error, cpl, rflags_ac);
	mmu_walk(m, ps, addr, access, &w);
	if (w.not_ram) {
		out->action = MMU_GUEST_FATAL;
		snprintk(out->why, sizeof(out->why), "a guest page table for %llx is not in guest RAM",
			 (unsigned long long)addr);
		return;
	}
	if (w.fault) {
		m->stats.reflected++;
		m->demand_filled_cr2 = ~0ULL;	/* the guest's CR2 is this fault's (mmu.h) */
		out->action = MMU_INJECT_PF;
		out->error_code = w.pfec;
		out->cr2 = addr;
		return;
	}
	if (guest_mem_is_mmio(m->mem, w.gpa)) {
		/* A device's registers: never mapped, so every access (read or write, at any
		 * paging mode) exits here and the instruction is emulated against the device. */
		m->stats.mmio++;
		out->action = MMU_EMULATE_MMIO;
		out->gpa = w.gpa;
		return;
	}
	if (!guest_mem_gpa_to_hpa(m->mem, w.gpa & ~(PAGE_SIZE - 1), &hpa)) {
		if (error & PFEC_W) {
			out->action = MMU_GUEST_FATAL;
			snprintk(out->why, sizeof(out->why),
				 "write to guest-physical %llx, which is not RAM",
				 (unsigned long long)w.gpa);
			return;
		}
		/* Not RAM: reads see all-ones, as an empty bus would give (the leaf is made
		 * read-only in mmu_leaf; the roles keep the guest's rights). */
		hpa = m->ones_page;
		m->stats.not_ram_reads++;
	} else if ((error & PFEC_W) && mmu_gfn_write_protected(m, w.gpa >> PAGE_SHIFT) &&
		   delivery) {
		/* An event delivery writes a guest page table (its frame lands on the stack).
		 * The writer is the delivery, which the guest layer cannot emulate: the frame
		 * stops being a shadowed table, the event is delivered again and its write goes
		 * to memory directly. Shadowing it again when a walk uses it next reads what the
		 * delivery wrote, so no shadow entry is stale. */
		m->stats.delivery_unshadowed++;
		mmu_unshadow_gfn(m, w.gpa >> PAGE_SHIFT);
		out->action = MMU_RETRY;
		out->gpa = w.gpa;
		out->delivery_unshadowed = true;
		return;
	} else if ((error & PFEC_W) && mmu_gfn_write_protected(m, w.gpa >> PAGE_SHIFT)) {
		/* A write to a guest page table: the instruction is emulated so the shadow pages
		 * learn the new value. */
		m->stats.emulated_writes++;
		out->action = MMU_EMULATE_WRITE;
		out->gpa = w.gpa;
		return;
	} else if (mmu_wp0_grant(m, ps, &w, access) == WP0_EMULATE) {
		/* A CR0.WP = 0 write no shadow entry can grant without hiding a user page from
		 * SMAP or SMEP: the instruction is emulated (it reaches memory through the
		 * guest's own translation, at the guest's CPL and AC). An event delivery is no
		 * instruction: such a write by one is reported rather than done wrong. */
		if (delivery) {
			out->action = MMU_GUEST_FATAL;
			snprintk(out->why, sizeof(out->why), "an event delivery writes the "
				 "read-only user page at %llx under CR0.WP = 0 (SMAP or SMEP)",
				 (unsigned long long)addr);
			return;
		}
		m->stats.wp0_emulated_writes++;
		out->action = MMU_EMULATE_WRITE;
		out->gpa = w.gpa;
		return;
	}
	/* Eviction happens here, before the fetch holds pointers into shadow pages, and never
	 * during it (mm/mmu_evict.c): a page and a link for each level, and one leaf. */
	if (!mmu_make_room(m, WALK_MAX_LEVELS, WALK_MAX_LEVELS, 1)) {
		out->action = MMU_RETRY;	/* reset: the root is rebuilt before the retry */
		return;
	}
	out->action = mmu_fetch(m, ps, addr, &w, access, hpa);
}

/* ---- emulated writes to guest page tables ------------------------------------------------ */

/* The leaf shadow entry for guest entry gpte of the level-1 shadow page sp, or 0 when it must
 * be cleared instead (not present, not accessed, a reserved bit, not RAM). Also used by
 * mm/prefetch.c. */
uint64_t mmu_spte_from_gpte(struct mmu *m, const struct shadow_page *sp, uint64_t gpte)
{
	unsigned access = sp->role.access;
	uint64_t gfn, hpa, leaf;

	/* shadow-mmu.md 2: only a complete, present, accessed entry is installed. */
	if (!(gpte & PT_P) || !(gpte & PT_A))
		return 0;
	if (sp->role.gpte4) {
		gfn = (gpte & 0xfffff000ULL) >> PAGE_SHIFT;
	} else {
		/* Reserved bits (62:MAXPHYADDR, or 63 without NXE) are the walker's to report. */
		if ((gpte & ~(uint64_t)PT_NX) >> m->cpu.maxphyaddr ||
		    ((gpte & PT_NX) && !sp->role.efer_nxe))
			return 0;
		gfn = (gpte & GUEST_ADDR_MASK) >> PAGE_SHIFT;
		if ((gpte & PT_NX) && sp->role.efer_nxe)
			access &= ~ACC_EXEC;
	}
	if (!(gpte & PT_US))
		access &= ~ACC_USER;
	if (!(gpte & PT_RW))
		access &= ~ACC_WRITE;
	if (!guest_mem_gpa_to_hpa(m->mem, gfn << PAGE_SHIFT, &hpa))
		return 0;
	leaf = hpa | PT_P | PT_A | PT_D;
	if (access & ACC_USER)
		leaf |= PT_US;
	if ((access & ACC_WRITE) && (gpte & PT_D) && !mmu_gfn_write_protected(m, gfn))
		leaf |= PT_RW;
	if (m->cpu.host_nx && !(access & ACC_EXEC))
		leaf |= PT_NX;
	return leaf;
}

/* Recomputes or clears the shadow entries of sp for guest entry index gi, whose bytes the
 * write covered completely (complete) or in part. shadow-mmu.md 3: in a 4-byte-entry table,
 * entry gi of a level-1 table is in quadrant gi / 512 at index gi % 512; of a level-2 table in
 * quadrant gi / 256, as the two entries 2 * (gi % 256) and +1. Other quadrants are left alone. */
static bool mmu_update_entry(struct mmu *m, struct shadow_page *sp, unsigned gi, bool complete)
{
	bool installed = false;
	unsigned size = sp->role.gpte4 ? 4 : 8, first = gi, count = 1;
	uint64_t gpte = 0, leaf = 0;
	bool read;

	if (sp->role.gpte4 && sp->role.level == 1) {
		if (gi / 512 != sp->role.quadrant)
			return false;
		first = gi % 512;
	} else if (sp->role.gpte4 && sp->role.level == 2) {
		if (gi / 256 != sp->role.quadrant)
			return false;
		first = 2 * (gi % 256);
		count = 2;
	}
	read = guest_mem_read(m->mem, (sp->gfn << PAGE_SHIFT) + (uint64_t)gi * size, &gpte, size);
	if (complete && sp->role.level == 1 && read)
		leaf = mmu_spte_from_gpte(m, sp, gpte);
	for (unsigned i = first; i < first + count; i++) {
		if (leaf && mmu_set_leaf(m, sp, &sp->spt[i], leaf)) {
			m->stats.pte_updated++;
			m->need_flush = true;
			installed = true;
		} else {
			if (spte_present(sp->spt[i]))
				m->stats.pte_zapped++;
			mmu_clear_spte(m, sp, &sp->spt[i]);
			/* mm/spte.h: 0 for an entry the write made not present (memory holds the
			 * whole entry now, even after a partial write), the marker otherwise. */
			sp->spt[i] = spte_absent(sp, !read || (gpte & PT_P), m->cpu.host_nx,
						 m->trap);
		}
	}
	return installed;
}

void mmu_resync_entry(struct mmu *m, struct shadow_page *sp, unsigned gi)
{
	mmu_update_entry(m, sp, gi, true);
}

/* Applies a write of [offset, offset + len) within the guest table sp shadows; true when it
 * installed a present entry (the guest is maintaining a live table). */
static bool mmu_update_page(struct mmu *m, struct shadow_page *sp, unsigned offset, unsigned len)
{
	unsigned size = sp->role.gpte4 ? 4 : 8;
	bool installed = false;

	for (unsigned gi = offset / size; gi * size < offset + len; gi++) {
		bool complete = gi * size >= offset && (gi + 1) * size <= offset + len;

		installed |= mmu_update_entry(m, sp, gi, complete);
	}
	return installed;
}

/* Handles the write to one guest frame: flooded pages go, the others are updated. */
static void mmu_write_frame(struct mmu *m, uint64_t gfn, unsigned offset, unsigned len)
{
	struct shadow_page *sp, *next;
	uint64_t resets = m->stats.resets;
	/* Writes that are not whole 4-byte words count double: page tables are written entry by
	 * entry (or, by 32-bit PAE guests, half-entry by half-entry), data is not. */
	unsigned weight = ((offset & 3) || (len & 3)) ? 2 : 1;
	bool unsync = false;
	bool demand_fill = mmu_write_is_demand_fill(m, gfn, offset, len);

	for (sp = sp_next_of_gfn(&m->cache, gfn, NULL); sp; sp = next) {
		next = sp_next_of_gfn(&m->cache, gfn, sp);
		/* An out-of-sync page is synced at the next sync point (mm/unsync_state.h),
		 * like the guest's own writes to it, which Umbra does not see. */
		if (sp->role.direct || sp->unsync)
			continue;
		sp->write_count += weight;
		if (sp->write_count > MMU_FLOOD_THRESHOLD) {
			m->stats.unshadowed++;
			mmu_zap_page(m, sp);
			if (m->stats.resets != resets)
				return;		/* a reset emptied the cache, chains included */
			continue;
		}
		if (mmu_update_page(m, sp, offset, len)) {
			/* A write that installs a present entry is the guest keeping its table (demand
			 * paging writes one PTE per fault and the retry needs no exit): not flooding. */
			sp->write_count = 0;
		}
		/* A demand fill (the PTE of the guest's last fault address, CR2, written by its
		 * #PF handler) does not count toward going out of sync: in sync it costs one
		 * exit (none for the fault where guest-not-present faults reach the guest
		 * directly, mm/spte.h), out of sync two (absent entries are the marker there,
		 * so the fault exits, and so does the retry). Bursts of other writes (fork's
		 * copy-on-write protection and copies, remapping) count. */
		if (!demand_fill)
			unsync |= mmu_unsync_count_write(m, sp);
	}
	/* A fault is filled once: further writes to its PTE before the next fault are the guest
	 * changing a live entry (mmu_pt_write_begin). */
	if (demand_fill)
		m->demand_filled_cr2 = m->demand_cr2;
	/* Once every page of the frame has this write: a leaf table the guest keeps writing
	 * (and keeps using: flooded ones went above) goes out of sync. */
	if (unsync)
		mmu_unsync_frame(m, gfn);
}

/* The hint's walk looks only: it sets no A/D bit (set_ad is off; this refuses anyway). */
static bool mmu_mem_no_write(void *ctx, uint64_t gpa, const void *buf, unsigned len)
{
	(void)ctx, (void)gpa, (void)buf, (void)len;
	return false;
}

void mmu_pt_write_begin(struct mmu *m, const struct paging_state *ps, uint64_t cr2)
{
	struct walk_mem mem = { mmu_mem_read, mmu_mem_no_write, m->mem };
	struct walk_request req = {
		.ps = *ps, .addr = fault_address(ps, cr2), .access = 0,
		.maxphyaddr = m->cpu.maxphyaddr, .pse36 = m->cpu.pse36, .gb_pages = m->cpu.gb_pages,
		.set_ad = false,
	};
	struct walk_result w;

	m->demand_pte_gpa = ~0ULL;
	m->demand_cr2 = cr2;
	/* Its PTE was filled already and no #PF came since: the guest's CR2 is stale. */
	if (paging_mode_of(ps) == PAGING_OFF || cr2 == m->demand_filled_cr2)
		return;
	memset(&w, 0, sizeof(w));
	memcpy(req.pdptes, ps->pdptes, sizeof(req.pdptes));
	walk_guest(&req, &mem, &w);
	/* The walk records each level's entry address before looking at it, so a walk that
	 * stops at a not-present PTE still names it; one that stopped above, or at a large
	 * page, names none (pte_gpa[1] stays 0). */
	if (!w.not_ram && w.pte_gpa[1])
		m->demand_pte_gpa = w.pte_gpa[1];
}

void mmu_pt_write_end(struct mmu *m)
{
	m->demand_pte_gpa = ~0ULL;
}

bool mmu_write_is_demand_fill(const struct mmu *m, uint64_t gfn, unsigned offset, unsigned len)
{
	uint64_t gpa = (gfn << PAGE_SHIFT) + offset;

	return m->demand_pte_gpa != ~0ULL && m->demand_pte_gpa >= gpa &&
	       m->demand_pte_gpa < gpa + len;
}

void mmu_guest_wrote(struct mmu *m, uint64_t gpa, unsigned len)
{
	while (len) {
		unsigned offset = gpa & (PAGE_SIZE - 1);
		unsigned n = PAGE_SIZE - offset < len ? PAGE_SIZE - offset : len;

		mmu_write_frame(m, gpa >> PAGE_SHIFT, offset, n);
		gpa += n;
		len -= n;
	}
}

/* ---- INVLPG ----------------------------------------------------------------------------- */

void mmu_invlpg(struct mmu *m, const struct paging_state *ps, uint64_t addr)
{
	(void)ps;
	(void)addr;
	if (!m->root_valid)
		return;
	/* mm/unsync_state.h: the guest may rely on its changes to addr's leaf entry now (SDM
	 * Vol. 2A "INVLPG"). Every out-of-sync table is synced, not only the one the current
	 * shadow path reaches: the table holding addr's entry may be unlinked from this root
	 * now (its shadow entry above not built yet) and linked again later by a fill, which
	 * syncs only the entry it fills; a stale entry for addr would then be back.
	 *
	 * The shadow entries themselves stay. Once every table is in sync, each present shadow
	 * leaf is what the guest's entries give now: a write-protected guest table's every store
	 * was seen and applied in place, and mmu_spte_from_gpte installs only accessed entries,
	 * writable only when dirty, so a guest that cleared A or D still faults and has the bit
	 * set again by the walk (SDM Vol. 3A 4.8). What INVLPG must drop is the processor's
	 * cached translation of the shadow entry: the caller flushes the vCPU's TLB. Dropping the
	 * leaf too cost a refill fault after every remap and INVLPG. */
	mmu_sync_all_tables(m);
}

bool mmu_np_faults_exact(const struct mmu *m, const struct paging_state *ps)
{
	union sp_role role = mmu_base_role(ps);

	return m->trap && paging_mode_of(ps) != PAGING_OFF && spte_np_exact(role, m->cpu.host_nx);
}
