/*
 * Unit tests for the shadow MMU audit (mm/mmu_audit.c) on the host, with the fixture of
 * test_mmu.c: a host buffer stands in for physical memory. Shadows are built in every paging
 * mode by driving accesses through mmu_page_fault; the audit must find nothing. Then each kind
 * of corruption is injected and the audit must name it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/pt.h"
#include "boot/boot_info.h"
#include "mm/guest_mem.h"
#include "mm/mmu.h"
#include "mm/spte.h"
#include "mm/mmu_audit.h"
#include "mm/pmm.h"
#include "mm/walk.h"

#include "tests/unit/mmu_fixture.h"

/* The lines one audit reported. */
struct capture {
	char lines[MMU_AUDIT_MAX_LINES + 1][MMU_AUDIT_LINE_MAX];
	unsigned n;
	struct mmu_audit_report rep;
};


static struct paging_state state_of(enum paging_mode mode, uint64_t cr3, bool wp, bool nxe,
				    const uint64_t pdptes[4])
{
	struct paging_state ps = { .cr3 = cr3 };

	ps.cr0 = CR0_PE | (mode != PAGING_OFF ? CR0_PG : 0) | (wp ? CR0_WP : 0);
	ps.cr4 = mode == PAGING_OFF ? 0 : (mode == PAGING_32 ? CR4_PSE : CR4_PAE);
	ps.efer = (nxe ? EFER_NXE : 0) | (mode == PAGING_4LEVEL ? EFER_LME | EFER_LMA : 0);
	if (pdptes)
		memcpy(ps.pdptes, pdptes, sizeof(ps.pdptes));
	return ps;
}

/* The shadow entry at level (3 = PAE-root slot outside 4-level paging) on the way to va, or
 * NULL when the path stops before. */
static uint64_t *spte_at(struct fixture *f, const struct paging_state *ps, uint64_t va,
			 unsigned level)
{
	bool four = paging_mode_of(ps) == PAGING_4LEVEL;
	uint64_t table = f->mmu.root;

	for (unsigned l = four ? 4 : 3; ; l--) {
		unsigned idx = !four && l == 3 ? (va >> 30) & 3 : (va >> (12 + 9 * (l - 1))) & 511;
		uint64_t *e = &((uint64_t *)(uintptr_t)table)[idx];

		if (l == level)
			return e;
		if (!spte_present(*e) || (*e & PT_ADDR_MASK) == f->mmu.trap_table)
			return NULL;
		table = *e & PT_ADDR_MASK;
	}
}

/* Runs the fault path for access at va until the shadow leaf exists (or the guest faults). */
static void touch(struct fixture *f, const struct paging_state *ps, uint64_t va, uint32_t access)
{
	struct mmu_outcome out;

	for (int tries = 0; tries < 6; tries++) {
		uint64_t *leaf;

		if (!f->mmu.root_valid)
			assert_int_not_equal(mmu_load_root(&f->mmu, ps), 0);
		leaf = spte_at(f, ps, va, 1);
		if (leaf && spte_present(*leaf) && (!(access & WALK_WRITE) || (*leaf & PT_RW)))
			return;
		mmu_page_fault(&f->mmu, ps, va, access, access & WALK_USER ? 3 : 0, false, false,
			       &out);
		if (out.action != MMU_RETRY)
			fail_msg("touch %llx access %x: action %d", (unsigned long long)va, access,
				 out.action);
	}
	fail_msg("no progress at %llx", (unsigned long long)va);
}

static void capture_line(void *ctx, const char *line)
{
	struct capture *c = ctx;

	assert_true(strlen(line) < MMU_AUDIT_LINE_MAX);
	assert_null(strchr(line, '\n'));
	assert_true(c->n < MMU_AUDIT_MAX_LINES);
	snprintf(c->lines[c->n++], MMU_AUDIT_LINE_MAX, "%s", line);
}

/* Audits f under ps into *c; returns the violation count. */
static unsigned audit(struct fixture *f, const struct paging_state *ps, struct capture *c)
{
	memset(c, 0, sizeof(*c));
	mmu_audit(&f->mmu, ps, capture_line, c, &c->rep);
	return c->rep.violations;
}

static void print_capture(const struct capture *c)
{
	for (unsigned i = 0; i < c->n; i++)
		printf("    %s\n", c->lines[i]);
}

/* The audit is clean, and checked something. */
static void expect_clean(struct fixture *f, const struct paging_state *ps)
{
	struct capture c;

	if (audit(f, ps, &c)) {
		print_capture(&c);
		fail_msg("%u violations on untouched shadows", c.rep.violations);
	}
	assert_true(c.rep.checked_sptes > 0);
	assert_true(c.rep.checked_pages > 0);
}

/* The audit reports a line containing what. */
static void expect_reported(struct fixture *f, const struct paging_state *ps, const char *what)
{
	struct capture c;

	assert_true(audit(f, ps, &c) > 0);
	for (unsigned i = 0; i < c.n; i++)
		if (strstr(c.lines[i], what))
			return;
	print_capture(&c);
	fail_msg("no line reports \"%s\"", what);
}

/* Clears then sets bits of the shadow entry *e for one check, and restores it after. */
static void expect_corrupt(struct fixture *f, const struct paging_state *ps, uint64_t *e,
			   uint64_t set, uint64_t clear, const char *what)
{
	uint64_t saved = *e;

	assert_non_null(e);
	*e = (*e & ~clear) | set;
	expect_reported(f, ps, what);
	*e = saved;
	expect_clean(f, ps);
}

/* Paging off: identity; the all-ones page; a spte naming the wrong frame. */
static void test_off(void **state)
{
	struct fixture *f = fixture_new();
	struct paging_state ps = state_of(PAGING_OFF, 0, true, false, NULL);

	(void)state;
	touch(f, &ps, 0x123456, WALK_WRITE);
	touch(f, &ps, 0x5000, 0);
	touch(f, &ps, 0x40001000, 0);		/* second PAE-root slot, not RAM */
	expect_clean(f, &ps);
	expect_corrupt(f, &ps, spte_at(f, &ps, 0x123000, 1), f->mmu.ones_page, PT_ADDR_MASK,
		       "frame: va 123000");
	/* Not RAM: the all-ones page. (mm/mmu.c hangs a second direct table, without W, for
	 * this 2 MiB; the first one is unlinked, so 0x123000 is no longer reachable.) */
	touch(f, &ps, 0xb8000, 0);
	expect_clean(f, &ps);
	expect_corrupt(f, &ps, spte_at(f, &ps, 0xb8000, 1), PT_RW, 0,
		       "grants W to the all-ones page");
	/* A child of the wrong level: point the PAE-root slot at a level-1 page. */
	{
		uint64_t *slot = spte_at(f, &ps, 0x40000000, 3), *pde = spte_at(f, &ps, 0x40001000, 2);

		expect_corrupt(f, &ps, slot, *pde & PT_ADDR_MASK, PT_ADDR_MASK,
			       "role: va 40000000 L3 idx 1");
	}
	fixture_free(f);
}

/* 32-bit: PDEs in every quadrant, both halves of a page table, a 4 MiB page. */
static void test_32bit(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pd = guest_table(f), pt = guest_table(f);
	struct paging_state ps = state_of(PAGING_32, pd, true, false, NULL);
	uint64_t *slot0, *slot1;

	(void)state;
	gwrite(f, pt + 4 * 5, 0x400000 | PT_P | PT_RW | PT_US | PT_A | PT_D, 4);
	gwrite(f, pt + 4 * 700, 0x401000 | PT_P | PT_US | PT_A | PT_D, 4);
	for (unsigned q = 0; q < 4; q++)
		gwrite(f, pd + 4 * (256 * q + 3), pt | PT_P | PT_RW | PT_US | PT_A, 4);
	gwrite(f, pd + 4 * 9, 0x800000 | PT_P | PT_RW | PT_PS | PT_A | PT_D, 4);
	for (unsigned q = 0; q < 4; q++) {
		uint64_t va = (uint64_t)(256 * q + 3) << 22;

		touch(f, &ps, va | (5 << 12), WALK_USER | WALK_WRITE);
		touch(f, &ps, va | (700 << 12), WALK_USER);
	}
	touch(f, &ps, (9ULL << 22) + 0x1000, WALK_WRITE);
	touch(f, &ps, (9ULL << 22) + 0x201000, 0);
	assert_non_null(find_sp(f, pt >> 12, 1, 1));
	expect_clean(f, &ps);

	/* A spte granting W the guest denies (PTE 700 is read-only). */
	expect_corrupt(f, &ps, spte_at(f, &ps, (3ULL << 22) | (700 << 12), 1), PT_RW, 0,
		       "grants W, guest denies");
	/* A child with the wrong quadrant: the odd shadow PDE names the lower half. */
	expect_corrupt(f, &ps, spte_at(f, &ps, (3ULL << 22) | (700 << 12), 2),
		       find_sp(f, pt >> 12, 1, 0)->hpa, PT_ADDR_MASK, "q0 d0 acc 7, guest wants");
	/* The PAE-root slots hold quadrants 0-3 in order. */
	slot0 = spte_at(f, &ps, 0, 3);
	slot1 = spte_at(f, &ps, 1ULL << 30, 3);
	expect_corrupt(f, &ps, slot0, *slot1 & PT_ADDR_MASK, PT_ADDR_MASK, "role: va 0 L3 idx 0");
	/* The 4 MiB page's high half through a direct table of the wrong half. */
	expect_corrupt(f, &ps, spte_at(f, &ps, (9ULL << 22) + 0x201000, 2),
		       *spte_at(f, &ps, (9ULL << 22), 2) & PT_ADDR_MASK, PT_ADDR_MASK,
		       "guest wants gfn a00");
	/* A guest PTE cleared without mmu_guest_wrote: the shadow entry is stale. */
	gwrite(f, pt + 4 * 700, 0, 4);
	expect_reported(f, &ps, "stale: va ebc000 spte");
	fixture_free(f);
}

/* PAE: clean and dirty pages, a supervisor page, an NX page, a 2 MiB page. */
static void test_pae(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pdpt = guest_table(f), pd = guest_table(f), pt = guest_table(f);
	uint64_t pdptes[4] = { pd | PT_P, 0, 0, 0 };
	struct paging_state ps = state_of(PAGING_PAE, pdpt, true, true, pdptes);
	struct paging_state other;

	(void)state;
	gwrite(f, pdpt, pd | PT_P, 8);
	gwrite(f, pd + 8, pt | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pt + 8 * 3, 0x456000 | PT_P | PT_RW | PT_US, 8);		/* clean */
	gwrite(f, pt + 8 * 4, 0x457000 | PT_P | PT_RW, 8);			/* supervisor */
	gwrite(f, pt + 8 * 5, 0x458000 | PT_P | PT_RW | PT_US | PT_NX, 8);	/* no exec */
	gwrite(f, pd + 8 * 2, 0x600000 | PT_P | PT_RW | PT_PS | PT_D, 8);
	touch(f, &ps, 0x203000, WALK_USER);
	touch(f, &ps, 0x204000, WALK_WRITE);
	touch(f, &ps, 0x205000, WALK_USER | WALK_WRITE);
	touch(f, &ps, 0x4ff000, WALK_WRITE);
	expect_clean(f, &ps);

	expect_corrupt(f, &ps, spte_at(f, &ps, 0x203000, 1), PT_RW, 0, "guest leaf is clean");
	expect_corrupt(f, &ps, spte_at(f, &ps, 0x204000, 1), PT_US, 0, "grants U, guest denies");
	expect_corrupt(f, &ps, spte_at(f, &ps, 0x205000, 1), 0, PT_NX, "grants X, guest denies");
	expect_corrupt(f, &ps, spte_at(f, &ps, 0x4ff000, 1), f->mmu.ones_page, PT_ADDR_MASK,
		       "frame: va 4ff000");
	/* A shadow large page. */
	expect_corrupt(f, &ps, spte_at(f, &ps, 0x4ff000, 2), PT_PS, 0, "large shadow mapping");
	/* A non-leaf entry naming no shadow page. */
	expect_corrupt(f, &ps, spte_at(f, &ps, 0x203000, 2), f->mmu.ones_page, PT_ADDR_MASK,
		       "names no shadow page");
	/* A page-table shadow whose role access is not what the PDE allows. */
	{
		struct shadow_page *sp = find_sp(f, pt >> 12, 1, 0);

		sp->role.access = ACC_USER | ACC_EXEC;
		expect_reported(f, &ps, "acc 5, guest wants gfn 202 L1 q0 d0 acc 7");
		sp->role.access = ACC_ALL;
		expect_clean(f, &ps);
	}
	/* The PDPTE registers now say slot 0 is empty: the root still holds it. */
	other = ps;
	other.pdptes[0] = 0;
	expect_reported(f, &other, "root: PAE-root slot 0");
	/* CR0.WP changed without a root load: every page was built for another state. */
	other = ps;
	other.cr0 &= ~(uint64_t)CR0_WP;
	expect_reported(f, &other, "is not for this state");
	/* A PAE-root slot naming a page that is not a shadow page. */
	expect_corrupt(f, &ps, spte_at(f, &ps, 0, 3), f->mmu.ones_page, PT_ADDR_MASK,
		       "root: PAE-root slot 0 is");
	/* The guest went to 4-level paging and the root was not reloaded. */
	other = state_of(PAGING_4LEVEL, pdpt, true, true, NULL);
	expect_reported(f, &other, "root: 4-level guest, root");
	/* XD in a shadow entry while the host runs without EFER.NXE. */
	f->mmu.cpu.host_nx = false;
	expect_reported(f, &ps, "rights: va 205000 spte");
	f->mmu.cpu.host_nx = true;
	expect_clean(f, &ps);
	fixture_free(f);
}

/* 4-level: a page table mapped through itself, a 2 MiB and a 1 GiB page; write protection,
 * the reverse map, levels, and guest entries changed behind Umbra's back. */
static void test_4level(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pml4 = guest_table(f), pdpt = guest_table(f), pd = guest_table(f),
		 pt = guest_table(f), pt2 = guest_table(f);
	struct paging_state ps = state_of(PAGING_4LEVEL, pml4, true, true, NULL);
	uint64_t *leaf, hpa;

	(void)state;
	gwrite(f, pml4, pdpt | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pdpt, pd | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pdpt + 8, 0 | PT_P | PT_RW | PT_PS | PT_D, 8);		/* 1 GiB at 1 GiB */
	gwrite(f, pd, pt | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pd + 8 * 3, 0xa00000 | PT_P | PT_RW | PT_PS | PT_D, 8);	/* 2 MiB at 6 MiB */
	gwrite(f, pt + 8 * 0x10, 0x10000 | PT_P | PT_RW | PT_US | PT_D, 8);
	gwrite(f, pt + 8 * 0x11, pt | PT_P | PT_RW | PT_D, 8);		/* the table itself */
	gwrite(f, pt + 8 * 0x12, 0x12000 | PT_P | PT_RW | PT_D, 8);
	touch(f, &ps, 0x10000, WALK_USER | WALK_WRITE);
	touch(f, &ps, 0x11000, 0);
	touch(f, &ps, 0x12000, WALK_WRITE);
	touch(f, &ps, 0x6ff000, WALK_WRITE);
	touch(f, &ps, 0x40201000, 0);
	touch(f, &ps, 0x40e00000, 0);
	expect_clean(f, &ps);

	/* The page table is mapped read-only; a writable mapping of it is reported. */
	leaf = spte_at(f, &ps, 0x11000, 1);
	assert_false(*leaf & PT_RW);
	expect_corrupt(f, &ps, leaf, PT_RW, 0, "wp: gfn 203 is a shadowed guest table");
	/* A child of the wrong level: the PDPTE shadow names the page-table shadow. */
	expect_corrupt(f, &ps, spte_at(f, &ps, 0, 3), find_sp(f, pt >> 12, 1, 0)->hpa,
		       PT_ADDR_MASK, "child gfn 203 L1");
	/* The reverse map loses an entry, then gains one that names nothing. */
	hpa = *spte_at(f, &ps, 0x10000, 1) & PT_ADDR_MASK;
	rmap_remove(&f->mmu.rmap, hpa, spte_at(f, &ps, 0x10000, 1));
	expect_reported(f, &ps, "no rmap entry");
	assert_true(rmap_add(&f->mmu.rmap, hpa, spte_at(f, &ps, 0x10000, 1)));
	expect_clean(f, &ps);
	assert_true(rmap_add(&f->mmu.rmap, hpa, spte_at(f, &ps, 0x12000, 1)));
	expect_reported(f, &ps, "rmap: entry for hpa");
	rmap_remove(&f->mmu.rmap, hpa, spte_at(f, &ps, 0x12000, 1));
	expect_clean(f, &ps);
	/* Guest entries changed without mmu_guest_wrote: a PTE now names another frame ... */
	gwrite(f, pt + 8 * 0x12, 0x13000 | PT_P | PT_RW | PT_D, 8);
	expect_reported(f, &ps, "frame: va 12000");
	gwrite(f, pt + 8 * 0x12, 0x12000 | PT_P | PT_RW | PT_D, 8);
	/* ... the 1 GiB page moved ... */
	gwrite(f, pdpt + 8, (2ULL << 30) | PT_P | PT_RW | PT_PS | PT_D, 8);
	expect_reported(f, &ps, "guest wants gfn 80000 L2 q0 d1");
	gwrite(f, pdpt + 8, 0 | PT_P | PT_RW | PT_PS | PT_D, 8);
	/* ... the PDE names another table, then is not present. */
	gwrite(f, pd, pt2 | PT_P | PT_RW | PT_US, 8);
	expect_reported(f, &ps, "guest wants gfn 204 L1");
	gwrite(f, pd, 0, 8);
	expect_reported(f, &ps, "stale: va 0 L2 idx 0: shadow entry present");
	gwrite(f, pd, pt | PT_P | PT_RW | PT_US, 8);
	expect_clean(f, &ps);
	/* A PML4E with PS set, which is reserved (SDM 4.5, table 4-15). */
	gwrite(f, pml4, pdpt | PT_P | PT_RW | PT_US | PT_PS, 8);
	expect_reported(f, &ps, "has a reserved PS bit");
	gwrite(f, pml4, pdpt | PT_P | PT_RW | PT_US, 8);
	/* A root page whose guest table is not RAM (its gfn and CR3 both say 0x2000000). */
	{
		struct paging_state far = ps;
		uint64_t gfn = f->mmu.root_sp->gfn;

		far.cr3 = 0x2000000;
		f->mmu.root_sp->gfn = far.cr3 >> 12;
		expect_reported(f, &far, "stale: va 0 L4 idx 0: guest table at gpa 2000000 is not RAM");
		f->mmu.root_sp->gfn = gfn;
	}
	/* The guest left long mode and the root was not reloaded. */
	{
		uint64_t pdptes[4] = { pd | PT_P, 0, 0, 0 };
		struct paging_state pae = state_of(PAGING_PAE, pdpt, true, true, pdptes);

		expect_reported(f, &pae, "root: PAE guest, root");
	}
	expect_clean(f, &ps);
	fixture_free(f);
}

/* CR0.WP = 0: a supervisor write to a read-only user page makes a supervisor-only writable
 * entry, which is right; the same entry with U set is not. */
static void test_wp0(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pml4 = guest_table(f), pdpt = guest_table(f), pd = guest_table(f),
		 pt = guest_table(f);
	struct paging_state ps = state_of(PAGING_4LEVEL, pml4, false, true, NULL);
	uint64_t *leaf;

	(void)state;
	gwrite(f, pml4, pdpt | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pdpt, pd | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pd, pt | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pt + 8 * 7, 0x7000 | PT_P | PT_US, 8);
	touch(f, &ps, 0x7000, WALK_WRITE);
	leaf = spte_at(f, &ps, 0x7000, 1);
	assert_true(*leaf & PT_RW);
	assert_false(*leaf & PT_US);
	expect_clean(f, &ps);
	expect_corrupt(f, &ps, leaf, PT_US, 0, "grants W, guest denies");
	fixture_free(f);
}

/* Issue 13 item 8: the role bits and rules the audit learnt. CR4.PSE is part of a 32-bit
 * guest's role; a clean large page's pieces are read-only and their direct page says so; an
 * entry that shows a user page as supervisor-only (CR0.WP = 0) keeps SMEP's verdict with XD
 * and never exists under SMAP. */
static void test_harden_roles(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pd32 = guest_table(f), pml4 = guest_table(f), pdpt = guest_table(f),
		 pd = guest_table(f), pt = guest_table(f);
	struct paging_state ps32 = state_of(PAGING_32, pd32, true, false, NULL);
	struct paging_state ps = state_of(PAGING_4LEVEL, pml4, false, true, NULL);
	struct paging_state other;
	uint64_t *leaf;

	(void)state;
	/* 32-bit with PSE: built under PSE = 1, audited as if PSE had been cleared. */
	gwrite(f, pd32 + 4 * 5, 0x800000 | PT_P | PT_RW | PT_PS | PT_A | PT_D, 4);
	touch(f, &ps32, (5ULL << 22) + 0x1000, 0);
	expect_clean(f, &ps32);
	other = ps32;
	other.cr4 &= ~(uint64_t)CR4_PSE;
	expect_reported(f, &other, "is not for this state");

	/* 4-level, CR0.WP = 0, SMEP: a clean 2 MiB page and a read-only user page. */
	ps.cr4 |= CR4_SMEP;
	gwrite(f, pml4, pdpt | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pdpt, pd | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pd, pt | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pd + 8 * 3, 0xa00000 | PT_P | PT_RW | PT_PS, 8);	/* clean 2 MiB at 6 MiB */
	gwrite(f, pt + 8 * 7, 0x7000 | PT_P | PT_US, 8);
	mmu_reset(&f->mmu);
	touch(f, &ps, 0x601000, 0);
	touch(f, &ps, 0x7000, WALK_WRITE);
	leaf = spte_at(f, &ps, 0x7000, 1);
	assert_true(*leaf & PT_RW);
	assert_false(*leaf & PT_US);
	assert_true(*leaf & PT_NX);
	expect_clean(f, &ps);
	expect_corrupt(f, &ps, leaf, 0, PT_NX, "hides a user page from SMEP");
	other = ps;
	other.cr4 |= CR4_SMAP;
	expect_reported(f, &other, "hides a user page from SMAP");
	/* The clean page's piece made writable, and its direct page marked dirty. */
	expect_corrupt(f, &ps, spte_at(f, &ps, 0x601000, 1), PT_RW, 0, "clean direct sp gfn");
	{
		uint64_t *pde = spte_at(f, &ps, 0x601000, 2);
		struct shadow_page *piece = sp_by_hpa(&f->mmu.cache, *pde & PT_ADDR_MASK);

		assert_non_null(piece);
		assert_true(piece->role.direct);
		assert_false(piece->role.dirty);
		piece->role.dirty = 1;
		expect_reported(f, &ps, "(dirty 1, wants 0)");
		piece->role.dirty = 0;
		expect_clean(f, &ps);
	}
	fixture_free(f);
}

/* Many violations: all are counted, only the first MMU_AUDIT_MAX_LINES reported. */
static void test_line_limit(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pml4 = guest_table(f), pdpt = guest_table(f), pd = guest_table(f),
		 pt = guest_table(f);
	struct paging_state ps = state_of(PAGING_4LEVEL, pml4, true, true, NULL);
	struct capture c;

	(void)state;
	gwrite(f, pml4, pdpt | PT_P | PT_RW, 8);
	gwrite(f, pdpt, pd | PT_P | PT_RW, 8);
	gwrite(f, pd, pt | PT_P | PT_RW, 8);
	for (unsigned i = 0; i < 40; i++) {
		gwrite(f, pt + 8 * i, (0x100000 + i * 0x1000) | PT_P | PT_RW | PT_D, 8);
		touch(f, &ps, i * 0x1000, 0);
	}
	expect_clean(f, &ps);
	assert_true(guest_mem_zero(&f->gm, pt, 4096));
	assert_int_equal(audit(f, &ps, &c), 40);
	assert_int_equal(c.n, MMU_AUDIT_MAX_LINES);
	assert_non_null(strstr(c.lines[0], "stale: va 0 spte"));
	/* Counting only, without a report function. */
	mmu_audit(&f->mmu, &ps, NULL, NULL, &c.rep);
	assert_int_equal(c.rep.violations, 40);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_32bit),
		cmocka_unit_test(test_pae),
		cmocka_unit_test(test_4level),
		cmocka_unit_test(test_wp0),
		cmocka_unit_test(test_harden_roles),
		cmocka_unit_test(test_line_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
