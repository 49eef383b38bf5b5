/*
 * The shadow MMU audit: every shadow entry reachable from the current root against a fresh,
 * read-only guest walk; write protection of every shadowed guest table; quadrants and roles;
 * the reverse map. It reads guest memory, never the MMU's cached view of it, so a guest entry
 * that changed without Umbra seeing the write shows up as a violation. It changes nothing.
 */
#include <stdarg.h>

#include "mm/mmu_audit.h"
#include "mm/guest_mem.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/spte.h"
#include "mm/walk.h"
#include "arch/pt.h"
#include "lib/format.h"

#define SPTE_ADDR(e)		((e) & PT_ADDR_MASK)
#define GPTE4_ADDR_MASK		0xfffff000ULL	/* 32-bit paging: table / 4 KiB frame address */
#define GPTE4_LARGE_MASK	0xffc00000ULL	/* 32-bit paging: 4 MiB frame, bits 31:22 */
#define PAE_ROOT_ENTRIES	4
#define U64(v)			((unsigned long long)(v))

/* One audit in progress: what it checks against and where it reports. */
struct audit {
	struct mmu *m;
	const struct paging_state *ps;
	enum paging_mode mode;
	union sp_role base;		/* role bits of every non-direct page built for ps */
	void (*report)(void *ctx, const char *line);
	void *ctx;
	struct mmu_audit_report *out;
};

/* What a shadow page hanging from one entry must be, from the guest state. */
struct audit_expect {
	uint64_t gfn;
	unsigned level, quadrant, access;
	bool direct;
	bool dirty;		/* direct: the guest large page is dirty, or paging is off */
};

static void audit_fail(struct audit *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Counts one violation and reports it while fewer than MMU_AUDIT_MAX_LINES were. */
static void audit_fail(struct audit *a, const char *fmt, ...)
{
	char line[MMU_AUDIT_LINE_MAX];
	va_list ap;

	if (++a->out->violations > MMU_AUDIT_MAX_LINES || !a->report)
		return;
	va_start(ap, fmt);
	vsnprintk(line, sizeof(line), fmt, ap);
	va_end(ap);
	a->report(a->ctx, line);
}

/* ---- guest state ------------------------------------------------------------------------ */

/* The role bits that depend on the guest's control registers. */
static uint32_t audit_state_bits(void)
{
	union sp_role mask = { .word = 0 };

	mask.gpte4 = 1;
	mask.cr0_wp = 1;
	mask.efer_nxe = 1;
	mask.cr4_smep = 1;
	mask.cr4_smap = 1;
	mask.cr4_pse = 1;
	return mask.word;
}

static bool audit_mem_read(void *ctx, uint64_t gpa, void *buf, unsigned len)
{
	return guest_mem_read(ctx, gpa, buf, len);
}

/* The audit never writes guest memory: a write attempt fails. */
static bool audit_mem_write(void *ctx, uint64_t gpa, const void *buf, unsigned len)
{
	(void)ctx;
	(void)gpa;
	(void)buf;
	(void)len;
	return false;
}

/* A fresh guest walk of va that sets no A/D bit: a supervisor read with EFLAGS.AC = 1, so
 * that SMAP does not hide the translation (SDM 4.6.1); rights are checked from w->access. */
static void audit_walk(struct audit *a, uint64_t va, struct walk_result *w)
{
	struct walk_mem mem = { audit_mem_read, audit_mem_write, a->m->mem };
	struct walk_request req = {
		.ps = *a->ps, .addr = va, .access = WALK_RFLAGS_AC,
		.maxphyaddr = a->m->cpu.maxphyaddr, .pse36 = a->m->cpu.pse36,
		.gb_pages = a->m->cpu.gb_pages, .set_ad = false,
	};

	for (unsigned i = 0; i < PAE_ROOT_ENTRIES; i++)
		req.pdptes[i] = a->ps->pdptes[i];
	walk_guest(&req, &mem, w);
}

/* The rights one guest paging-structure entry allows (ACC_*, SDM 4.6). */
static unsigned audit_entry_rights(const struct audit *a, uint64_t e)
{
	unsigned acc = ACC_ALL;

	if (!(e & PT_US))
		acc &= ~ACC_USER;
	if (!(e & PT_RW))
		acc &= ~ACC_WRITE;
	/* XD exists only in PAE and 4-level entries, with EFER.NXE (SDM 4.4, 4.5). */
	if (a->mode != PAGING_32 && (a->ps->efer & EFER_NXE) && (e & PT_NX))
		acc &= ~ACC_EXEC;
	return acc;
}

/* 1 when guest entry e at level maps a page, 0 when it names a table, -1 when its PS bit is
 * reserved (SDM 4.3 table 4-4, 4.5 tables 4-15 and 4-17). */
static int audit_entry_large(const struct audit *a, unsigned level, uint64_t e)
{
	if (!(e & PT_PS))
		return 0;
	if (level == 2)
		return a->mode != PAGING_32 || (a->ps->cr4 & CR4_PSE);
	if (level == 3 && a->m->cpu.gb_pages)
		return 1;
	return -1;
}

/* The guest-physical base of the large page guest entry e at level maps (SDM 4.3 PSE-36). */
static uint64_t audit_large_base(const struct audit *a, unsigned level, uint64_t e)
{
	if (a->mode == PAGING_32) {
		uint64_t base = e & GPTE4_LARGE_MASK;

		if (a->m->cpu.pse36)
			base |= ((e >> 13) & 0xff) << 32;
		return base;
	}
	return e & PT_ADDR_MASK & ~((1ULL << (PAGE_SHIFT + 9 * (level - 1))) - 1);
}

/* ---- host state ------------------------------------------------------------------------- */

/* True when gfn has a non-direct shadow page, so every mapping of it must be read-only
 * (shadow-mmu.md 2). */
static bool audit_gfn_shadowed(struct mmu *m, uint64_t gfn)
{
	for (struct shadow_page *sp = sp_next_of_gfn(&m->cache, gfn, NULL); sp;
	     sp = sp_next_of_gfn(&m->cache, gfn, sp))
		if (!sp->role.direct && !sp->unsync)
			return true;	/* out of sync: writable (mm/unsync_state.h) */
	return false;
}

/* The guest-physical address host frame hpa backs; false when it backs no guest RAM. */
static bool audit_hpa_to_gpa(const struct mmu *m, uint64_t hpa, uint64_t *gpa)
{
	const struct guest_mem *gm = m->mem;

	for (unsigned i = 0; i < gm->count; i++) {
		const struct mem_slot *s = &gm->slots[i];

		if (hpa >= s->hpa && hpa - s->hpa < s->size) {
			*gpa = s->gpa + (hpa - s->hpa);
			return true;
		}
	}
	return false;
}

/* True when present shadow entry spte of sp maps a page rather than a table. */
static bool audit_spte_is_leaf(const struct shadow_page *sp, uint64_t spte)
{
	return sp->role.level == 1 || (spte & PT_PS);
}

/* The linear address entry idx of a level-`level` shadow page at va starts at (4-level
 * addresses are canonical, SDM 3.3.7.1). */
static uint64_t audit_entry_va(const struct audit *a, uint64_t va, unsigned level, unsigned idx)
{
	va += (uint64_t)idx << (PAGE_SHIFT + 9 * (level - 1));
	if (a->mode == PAGING_4LEVEL && (va & (1ULL << 47)))
		va |= 0xffff000000000000ULL;
	return va;
}

/* ---- descent from the root -------------------------------------------------------------- */

static void audit_page(struct audit *a, struct shadow_page *sp, uint64_t va);

/* True when a child with role access acc may hang where the guest allows x->access. */
static bool audit_access_ok(unsigned acc, const struct audit_expect *x)
{
	/*
	 * mm/mmu.c builds a direct table from a fault on memory that is not RAM with W removed
	 * (README "Other rules": such memory is mapped read-only), so a direct table may carry
	 * the guest's rights without W. Fewer rights are safe; its leaves are still checked
	 * against the guest walk one by one.
	 */
	return acc == x->access || (x->direct && acc == (x->access & ~(unsigned)ACC_WRITE));
}

/* Reports how child differs from x (found at index idx of a level-`level` table, covering
 * va); true when it matches. */
static bool audit_child(struct audit *a, uint64_t va, unsigned level, unsigned idx,
			const struct shadow_page *child, const struct audit_expect *x)
{
	if (child->gfn == x->gfn && child->role.level == x->level &&
	    child->role.quadrant == x->quadrant && child->role.direct == x->direct &&
	    child->role.dirty == x->dirty && audit_access_ok(child->role.access, x))
		return true;
	audit_fail(a, "role: va %llx L%u idx %u: child gfn %llx L%u q%u d%u acc %u, guest wants "
		   "gfn %llx L%u q%u d%u acc %u (dirty %u, wants %u)", U64(va), level, idx,
		   U64(child->gfn), child->role.level, child->role.quadrant, child->role.direct,
		   child->role.access, U64(x->gfn), x->level, x->quadrant, x->direct, x->access,
		   child->role.dirty, x->dirty);
	return false;
}

/* Fills *x with the child guest entry g (at level, index idx of guest table sp->gfn) names;
 * false, having reported why, when g names nothing. */
static bool audit_expect_from_guest(struct audit *a, const struct shadow_page *sp, unsigned idx,
				    uint64_t va, uint64_t g, uint64_t g_gpa,
				    struct audit_expect *x)
{
	unsigned level = sp->role.level;
	int large = audit_entry_large(a, level, g);

	if (!(g & PT_P)) {
		audit_fail(a, "stale: va %llx L%u idx %u: shadow entry present, guest entry %llx at "
			   "gpa %llx is not", U64(va), level, idx, U64(g), U64(g_gpa));
		return false;
	}
	if (large < 0) {
		audit_fail(a, "stale: va %llx L%u idx %u: guest entry %llx at gpa %llx has a "
			   "reserved PS bit", U64(va), level, idx, U64(g), U64(g_gpa));
		return false;
	}
	x->level = level - 1;
	x->access = sp->role.access & audit_entry_rights(a, g);
	if (large) {
		/* README "fault path" 7: a guest large page is mapped through direct tables of
		 * 4 KiB entries; the child maps the part of the page that va falls in. */
		uint64_t size = a->mode == PAGING_32 ? 1ULL << 22 :
			1ULL << (PAGE_SHIFT + 9 * (level - 1));
		uint64_t gpa = audit_large_base(a, level, g) + (va & (size - 1));

		x->direct = true;
		x->quadrant = 0;
		x->gfn = (gpa >> PAGE_SHIFT) & ~((1ULL << (9 * (level - 1))) - 1);
		/* SDM 4.8: the pieces of a clean large page are read-only until a write sets D. */
		x->dirty = g & PT_D;
	} else {
		x->direct = false;
		x->dirty = false;
		/* shadow-mmu.md 3: a level-1 child of a 4-byte guest takes the half idx % 2. */
		x->quadrant = sp->role.gpte4 && level == 2 ? idx % 2 : 0;
		x->gfn = ((a->mode == PAGING_32 ? g & GPTE4_ADDR_MASK : g & PT_ADDR_MASK)) >>
			 PAGE_SHIFT;
	}
	return true;
}

/* Checks non-leaf entry idx of sp (covering va) against the guest entry it shadows, read
 * from guest memory now, and descends into the child when it is the right one. */
static void audit_nonleaf(struct audit *a, struct shadow_page *sp, unsigned idx, uint64_t va)
{
	uint64_t e = sp->spt[idx], g = 0, g_gpa;
	unsigned level = sp->role.level, size = sp->role.gpte4 ? 4 : 8, gi = idx;
	struct shadow_page *child;
	struct audit_expect x;

	if (e & PT_PS) {
		/* README "fault path" 7: no large shadow mapping may cover a protected frame. */
		audit_fail(a, "role: va %llx L%u idx %u: large shadow mapping %llx", U64(va), level,
			   idx, U64(e));
		return;
	}
	child = sp_by_hpa(&a->m->cache, SPTE_ADDR(e));
	if (!child || !child->in_use) {
		audit_fail(a, "role: va %llx L%u idx %u: entry %llx names no shadow page", U64(va),
			   level, idx, U64(e));
		return;
	}
	if (sp->role.direct) {
		/* A direct table maps guest-physical memory linearly from its gfn. */
		x = (struct audit_expect){
			.gfn = sp->gfn + ((uint64_t)idx << (9 * (level - 1))), .level = level - 1,
			.access = sp->role.access, .direct = true, .dirty = sp->role.dirty,
		};
	} else {
		/* shadow-mmu.md 3: shadow index idx of a level-2 page of quadrant q is guest
		 * PDE 256q + idx / 2 of a 4-byte guest. */
		if (sp->role.gpte4)
			gi = 256 * sp->role.quadrant + idx / 2;
		g_gpa = (sp->gfn << PAGE_SHIFT) + (uint64_t)gi * size;
		if (!guest_mem_read(a->m->mem, g_gpa, &g, size)) {
			audit_fail(a, "stale: va %llx L%u idx %u: guest table at gpa %llx is not RAM",
				   U64(va), level, idx, U64(g_gpa));
			return;
		}
		if (!audit_expect_from_guest(a, sp, idx, va, g, g_gpa, &x))
			return;
	}
	if (audit_child(a, va, level, idx, child, &x))
		audit_page(a, child, va);
}

/* Reports the rights leaf spte e (for va) grants beyond the guest walk w (SDM 4.6, 4.8). */
static void audit_rights(struct audit *a, uint64_t va, uint64_t e, const struct walk_result *w,
			 bool ram)
{
	bool dirty = w->dirty || a->mode == PAGING_OFF;
	bool wp0 = !(a->ps->cr0 & CR0_WP);

	if ((e & PT_US) && !(w->access & ACC_USER))
		audit_fail(a, "rights: va %llx spte %llx grants U, guest denies", U64(va), U64(e));
	/*
	 * The processor applies SMEP and SMAP from the shadow entry's U/S (the guest's CR4 bits
	 * reach the real CR4). An entry that shows a guest user page as supervisor-only (the
	 * CR0.WP = 0 rule of mm/mmu.c) must not give a supervisor access what they deny: under
	 * SMEP it must carry XD, and under SMAP it must not exist (SDM 4.6.1).
	 */
	if (!(e & PT_US) && (w->access & ACC_USER) && a->mode != PAGING_OFF) {
		if (a->ps->cr4 & CR4_SMAP)
			audit_fail(a, "rights: va %llx spte %llx hides a user page from SMAP",
				   U64(va), U64(e));
		if ((a->ps->cr4 & CR4_SMEP) && (w->access & ACC_EXEC) &&
		    !(a->m->cpu.host_nx && (e & PT_NX)))
			audit_fail(a, "rights: va %llx spte %llx hides a user page from SMEP",
				   U64(va), U64(e));
	}
	if (e & PT_RW) {
		/* Frames of shadowed guest tables are the "wp" check's (audit_leaves). */
		if (!ram)
			audit_fail(a, "rights: va %llx spte %llx grants W to the all-ones page",
				   U64(va), U64(e));
		else if (!dirty)
			audit_fail(a, "rights: va %llx spte %llx grants W, guest leaf is clean",
				   U64(va), U64(e));
		/* shadow-mmu.md 6: with CR0.WP = 0 a supervisor-only writable entry is right. */
		else if (!(w->access & ACC_WRITE) && !(wp0 && !(e & PT_US)))
			audit_fail(a, "rights: va %llx spte %llx grants W, guest denies", U64(va),
				   U64(e));
	}
	if (a->m->cpu.host_nx && !(e & PT_NX) && !(w->access & ACC_EXEC))
		audit_fail(a, "rights: va %llx spte %llx grants X, guest denies", U64(va), U64(e));
	if (!a->m->cpu.host_nx && (e & PT_NX))
		audit_fail(a, "rights: va %llx spte %llx sets XD without host NXE", U64(va), U64(e));
}

/* Checks leaf entry e (for va) against a fresh guest walk of va. */
static void audit_leaf(struct audit *a, uint64_t va, uint64_t e)
{
	struct walk_result w;
	uint64_t gpa, want;
	bool ram;

	audit_walk(a, va, &w);
	if (w.not_ram) {
		audit_fail(a, "stale: va %llx spte %llx: a guest table on the walk is not RAM",
			   U64(va), U64(e));
		return;
	}
	if (w.fault) {
		audit_fail(a, "stale: va %llx spte %llx: guest walk faults (pfec %x)", U64(va),
			   U64(e), w.pfec);
		return;
	}
	gpa = w.gpa & ~(uint64_t)(PAGE_SIZE - 1);
	ram = guest_mem_gpa_to_hpa(a->m->mem, gpa, &want);
	if (!ram)
		want = a->m->ones_page;	/* README "other rules": non-RAM reads see all-ones */
	if (SPTE_ADDR(e) != want)
		audit_fail(a, "frame: va %llx spte %llx maps hpa %llx, guest gpa %llx is hpa %llx",
			   U64(va), U64(e), U64(SPTE_ADDR(e)), U64(gpa), U64(want));
	audit_rights(a, va, e, &w, ram);
}

/* Reports a page whose role was built for another guest state than ps. */
static void audit_role_bits(struct audit *a, const struct shadow_page *sp)
{
	uint32_t mask = audit_state_bits();
	union sp_role want = a->base;

	if (sp->role.direct) {
		/* Direct pages carry the guest settings but not the table-format bits, and with
		 * paging off none at all (mm/mmu.c). */
		want.gpte4 = 0;
		want.cr4_pse = 0;
		if (a->mode == PAGING_OFF)
			want.word = 0;
	}
	if ((sp->role.word & mask) != (want.word & mask))
		audit_fail(a, "role: sp gfn %llx L%u q%u: role %x is not for this state (%x)",
			   U64(sp->gfn), sp->role.level, sp->role.quadrant, sp->role.word & mask,
			   want.word & mask);
}

/*
 * An absent entry 0 (with markers in use) says "not present in the guest" (mm/spte.h): the
 * processor's P = 0 fault may go to the guest without an exit, so the guest entry must be not
 * present, its writes seen, and the error code exact; anything else must be the marker.
 */
static void audit_absent(struct audit *a, const struct shadow_page *sp, unsigned idx,
			 uint64_t va)
{
	unsigned size = sp->role.gpte4 ? 4 : 8, gi = idx;
	uint64_t g = 0, g_gpa;

	if (!a->m->trap)
		return;		/* no marker: every #PF exits, an empty entry only costs one */
	if (sp->role.direct || !sp_guest_writes_visible(sp) ||
	    !spte_np_exact(sp->role, a->m->cpu.host_nx)) {
		audit_fail(a, "np: va %llx sp gfn %llx L%u q%u idx %u: entry 0 where only the "
			   "marker is right", U64(va), U64(sp->gfn), sp->role.level,
			   sp->role.quadrant, idx);
		return;
	}
	if (sp->role.gpte4)
		gi = sp->role.level == 1 ? 512 * sp->role.quadrant + idx :
			256 * sp->role.quadrant + idx / 2;
	g_gpa = (sp->gfn << PAGE_SHIFT) + (uint64_t)gi * size;
	if (!guest_mem_read(a->m->mem, g_gpa, &g, size) || (g & PT_P))
		audit_fail(a, "np: va %llx sp gfn %llx L%u q%u idx %u: entry 0, guest entry %llx "
			   "at gpa %llx is present", U64(va), U64(sp->gfn), sp->role.level,
			   sp->role.quadrant, idx, U64(g), U64(g_gpa));
}

/* Checks every present entry of sp, whose first entry maps linear address va. */
static void audit_page(struct audit *a, struct shadow_page *sp, uint64_t va)
{
	unsigned level = sp->role.level;

	audit_role_bits(a, sp);
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = sp->spt[i];
		uint64_t eva = audit_entry_va(a, va, level, i);

		if (spte_is_trap(e))
			continue;	/* "not yet shadowed": the access exits (mm/spte.h) */
		if (!(e & PT_P)) {
			audit_absent(a, sp, i, eva);
			continue;
		}
		/* mm/unsync_state.h: an out-of-sync page's entry may be stale while its guest
		 * entry differs from the snapshot; one that does not (every entry, right after
		 * a sync) is checked like any other. */
		if (level == 1 && mmu_unsync_entry_stale(a->m, sp, i))
			continue;
		a->out->checked_sptes++;
		if (level == 1)
			audit_leaf(a, eva, e);
		else
			audit_nonleaf(a, sp, i, eva);
	}
}

/* The page directory PAE-root slot i must hold for the current state; false when none. */
static bool audit_slot_expect(struct audit *a, unsigned i, struct audit_expect *x)
{
	uint64_t pdpte = a->ps->pdptes[i];

	*x = (struct audit_expect){ .level = 2, .access = ACC_ALL };
	switch (a->mode) {
	case PAGING_OFF:
		x->direct = true;
		x->dirty = true;
		x->gfn = (uint64_t)i << (30 - PAGE_SHIFT);
		return true;
	case PAGING_32:
		/* shadow-mmu.md 3: the four slots hold quadrants 0-3 of the directory at CR3. */
		x->quadrant = i;
		x->gfn = (a->ps->cr3 & GPTE4_ADDR_MASK) >> PAGE_SHIFT;
		return true;
	default:
		/* shadow-mmu.md 4: the cached PDPTEs, never memory. */
		x->gfn = (pdpte & PT_ADDR_MASK) >> PAGE_SHIFT;
		return (pdpte & PT_P) && guest_mem_find(a->m->mem, x->gfn << PAGE_SHIFT);
	}
}

/* Checks Umbra's PAE root (paging off, 32-bit, PAE) and descends from each slot. */
static void audit_pae_root(struct audit *a)
{
	uint64_t *pdpt = phys_to_virt(a->m->pae_root);

	if (a->m->root != a->m->pae_root) {
		audit_fail(a, "root: %s guest, root %llx is not the PAE root %llx",
			   paging_mode_name(a->mode), U64(a->m->root), U64(a->m->pae_root));
		return;
	}
	for (unsigned i = 0; i < PAE_ROOT_ENTRIES; i++) {
		uint64_t e = pdpt[i];
		struct shadow_page *sp;
		struct audit_expect x;
		bool want = audit_slot_expect(a, i, &x);

		if (!(e & PT_P)) {
			/* mm/spte.h: an empty slot gives the guest a P = 0 fault directly. */
			if (a->m->trap && (want || !spte_np_exact(a->base, a->m->cpu.host_nx) ||
					   (a->ps->pdptes[i] & PT_P)))
				audit_fail(a, "np: PAE-root slot %u empty, PDPTE %llx", i,
					   U64(a->ps->pdptes[i]));
			continue;
		}
		if (a->m->trap && SPTE_ADDR(e) == a->m->trap_table)
			continue;	/* the trap table: every access exits */
		a->out->checked_sptes++;
		if (!want) {
			audit_fail(a, "root: PAE-root slot %u is %llx, PDPTE %llx maps nothing", i,
				   U64(e), U64(a->ps->pdptes[i]));
			continue;
		}
		sp = sp_by_hpa(&a->m->cache, SPTE_ADDR(e));
		if (!sp || !sp->in_use) {
			audit_fail(a, "root: PAE-root slot %u is %llx, not a shadow page", i, U64(e));
			continue;
		}
		if (audit_child(a, (uint64_t)i << 30, 3, i, sp, &x))
			audit_page(a, sp, (uint64_t)i << 30);
	}
}

/* Checks the 4-level root page (the shadow of the PML4 at CR3) and descends from it. */
static void audit_root_4level(struct audit *a)
{
	struct shadow_page *sp = a->m->root_sp;
	struct audit_expect x = {
		.gfn = (a->ps->cr3 & PT_ADDR_MASK) >> PAGE_SHIFT, .level = 4, .access = ACC_ALL,
	};

	if (!sp || !sp->in_use || a->m->root != sp->hpa) {
		audit_fail(a, "root: 4-level guest, root %llx is not a live root page",
			   U64(a->m->root));
		return;
	}
	a->out->checked_sptes++;
	/* CR3 is the entry above the PML4: "L5 idx 0" in a role line. */
	if (audit_child(a, 0, 5, 0, sp, &x))
		audit_page(a, sp, 0);
}

/* ---- write protection and the reverse map ----------------------------------------------- */

/* True when the reverse map records that spte maps hpa. Scans the whole map: used only to
 * name the entries a count mismatch says are missing. */
static bool audit_rmap_has(const struct rmap *r, uint64_t hpa, const uint64_t *spte)
{
	for (unsigned b = 0; b < r->nbuckets; b++)
		for (const struct rmap_entry *e = r->buckets[b]; e; e = e->next)
			if (e->hpa == hpa && e->spte == spte)
				return true;
	return false;
}

/* Reports leaf entry e of sp when it maps the frame of a shadowed guest table writable
 * (shadow-mmu.md 2). */
static void audit_wp(struct audit *a, const struct shadow_page *sp, unsigned idx, uint64_t e)
{
	uint64_t gpa;

	if (!(e & PT_RW) || !audit_hpa_to_gpa(a->m, SPTE_ADDR(e), &gpa) ||
	    !audit_gfn_shadowed(a->m, gpa >> PAGE_SHIFT))
		return;
	audit_fail(a, "wp: gfn %llx is a shadowed guest table, mapped writable by sp gfn %llx "
		   "L%u q%u idx %u (%llx)", U64(gpa >> PAGE_SHIFT), U64(sp->gfn), sp->role.level,
		   sp->role.quadrant, idx, U64(e));
}

/* An out-of-sync page must be a level-1 guest-table page whose frame is out of sync and is
 * shadowed in no other role; its absent entries are checked by audit_absent. */
static void audit_unsync(struct audit *a, const struct shadow_page *sp)
{
	if (sp->role.level != 1 || sp->role.direct || !mmu_gfn_unsync(a->m, sp->gfn))
		audit_fail(a, "unsync: sp gfn %llx L%u q%u direct %u is out of sync, frame %s",
			   U64(sp->gfn), sp->role.level, sp->role.quadrant, sp->role.direct,
			   mmu_gfn_unsync(a->m, sp->gfn) ? "out of sync" : "not out of sync");
	for (struct shadow_page *o = sp_next_of_gfn(&a->m->cache, sp->gfn, NULL); o;
	     o = sp_next_of_gfn(&a->m->cache, sp->gfn, o))
		if (!o->role.direct && !o->unsync)
			audit_fail(a, "unsync: gfn %llx is out of sync, yet sp L%u q%u of it is "
				   "in sync (write-protection is per frame)", U64(sp->gfn),
				   o->role.level, o->role.quadrant);
}

/* Checks the leaves of every cached shadow page, reachable or not (they may be reused);
 * returns how many present leaf entries there are. */
static unsigned audit_leaves(struct audit *a)
{
	struct sp_cache *c = &a->m->cache;
	unsigned leaves = 0;

	for (unsigned i = 0; i < c->capacity; i++) {
		const struct shadow_page *sp = &c->pool[i];

		if (!sp->in_use)
			continue;
		a->out->checked_pages++;
		if (sp->unsync)
			audit_unsync(a, sp);
		for (unsigned j = 0; j < PT_ENTRIES; j++) {
			uint64_t e = sp->spt[j];

			if (!spte_present(e) || !audit_spte_is_leaf(sp, e))
				continue;
			leaves++;
			audit_wp(a, sp, j, e);
			/* SDM 4.8: a clean large page's pieces stay read-only until D is set. */
			if (sp->role.direct && !sp->role.dirty && (e & PT_RW))
				audit_fail(a, "role: clean direct sp gfn %llx L%u idx %u is writable "
					   "(%llx)", U64(sp->gfn), sp->role.level, j, U64(e));
		}
	}
	return leaves;
}

/* True when rmap entry re names a present leaf entry of a live shadow page mapping re->hpa. */
static bool audit_rmap_entry_ok(struct audit *a, const struct rmap_entry *re)
{
	uint64_t where = virt_to_phys(re->spte);
	struct shadow_page *sp = sp_by_hpa(&a->m->cache, where & ~(uint64_t)(PAGE_SIZE - 1));

	/* Only dereference the entry once it is known to lie in a live table page. */
	if (!sp || !sp->in_use || (where & 7))
		return false;
	return spte_present(*re->spte) && audit_spte_is_leaf(sp, *re->spte) &&
	       SPTE_ADDR(*re->spte) == re->hpa;
}

/* Checks every reverse-map entry; returns how many are right. */
static unsigned audit_rmap_entries(struct audit *a)
{
	const struct rmap *r = &a->m->rmap;
	unsigned ok = 0;

	for (unsigned b = 0; b < r->nbuckets; b++) {
		for (const struct rmap_entry *re = r->buckets[b]; re; re = re->next) {
			if (audit_rmap_entry_ok(a, re)) {
				ok++;
				continue;
			}
			audit_fail(a, "rmap: entry for hpa %llx names %llx, not a leaf mapping it",
				   U64(re->hpa), U64(virt_to_phys(re->spte)));
		}
	}
	return ok;
}

/* Names the leaves the reverse map lacks (rmap_write_protect would miss them), given that
 * `missing` of them are; every one is counted, the first few are named. */
static void audit_rmap_missing(struct audit *a, unsigned missing)
{
	struct sp_cache *c = &a->m->cache;
	unsigned named = 0;

	for (unsigned i = 0; i < c->capacity && named < missing &&
	     a->out->violations < MMU_AUDIT_MAX_LINES; i++) {
		struct shadow_page *sp = &c->pool[i];

		for (unsigned j = 0; sp->in_use && j < PT_ENTRIES && named < missing; j++) {
			uint64_t e = sp->spt[j];

			if (!spte_present(e) || !audit_spte_is_leaf(sp, e) ||
			    audit_rmap_has(&a->m->rmap, SPTE_ADDR(e), &sp->spt[j]))
				continue;
			audit_fail(a, "rmap: sp gfn %llx L%u q%u idx %u maps hpa %llx, no rmap entry",
				   U64(sp->gfn), sp->role.level, sp->role.quadrant, j,
				   U64(SPTE_ADDR(e)));
			named++;
		}
	}
	a->out->violations += missing - named;
}

void mmu_audit(struct mmu *m, const struct paging_state *ps,
	       void (*report)(void *ctx, const char *line), void *ctx,
	       struct mmu_audit_report *out)
{
	struct audit a = {
		.m = m, .ps = ps, .mode = paging_mode_of(ps), .base = mmu_base_role(ps),
		.report = report, .ctx = ctx, .out = out,
	};
	unsigned leaves, mapped;

	*out = (struct mmu_audit_report){ 0 };
	/* Without a valid root nothing is live: the next entry loads one. */
	if (m->root_valid) {
		if (a.mode == PAGING_4LEVEL)
			audit_root_4level(&a);
		else
			audit_pae_root(&a);
	}
	leaves = audit_leaves(&a);
	mapped = audit_rmap_entries(&a);
	/* Each right rmap entry names a distinct present leaf (mm/mmu.c records each once);
	 * fewer right entries than leaves means some leaf is unrecorded. */
	if (mapped < leaves)
		audit_rmap_missing(&a, leaves - mapped);
}
