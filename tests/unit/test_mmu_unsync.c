/*
 * Unit tests for out-of-sync leaf tables (mm/unsync.c, mm/unsync_state.h): a level-1 guest
 * table written past the threshold becomes writable and takes no more traps; root loads,
 * INVLPG and faults bring it back in sync; a table about to be shadowed in another role is
 * synced and write-protected first; a frame shadowed in two roles never goes out of sync; the
 * audit stays clean throughout.
 *
 * The guest (4-level, NXE): PML4 -> PDPT -> PD -> PT at VA 0; PT[1] maps a data page at VA
 * 0x1000 and PT[2] maps the PT itself, writable and dirty, at VA 0x2000, so the guest can
 * write its own table through an ordinary store.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/pt.h"
#include "mm/mmu_audit.h"
#include "mm/spte.h"

#include "tests/unit/mmu_hw.h"

#define GFLAGS		(PT_P | PT_RW | PT_US | PT_A)
#define LEAF		(PT_P | PT_RW | PT_A | PT_D)
#define VA_DATA		0x1000ULL
#define VA_PT		0x2000ULL

struct guest {
	struct fixture *f;
	uint64_t pml4, pdpt, pd, pt;
	struct paging_state ps;
};

static void guest_new(struct guest *g)
{
	struct fixture *f = fixture_new();

	g->f = f;
	g->pml4 = guest_table(f);
	g->pdpt = guest_table(f);
	g->pd = guest_table(f);
	g->pt = guest_table(f);
	gwrite(f, g->pml4, g->pdpt | GFLAGS, 8);
	gwrite(f, g->pdpt, g->pd | GFLAGS, 8);
	gwrite(f, g->pd, g->pt | GFLAGS, 8);
	gwrite(f, g->pt + 8 * 1, 0x100000 | LEAF, 8);
	gwrite(f, g->pt + 8 * 2, g->pt | LEAF, 8);
	gwrite(f, g->pt + 8 * 5, 0x105000 | LEAF, 8);
	g->ps = (struct paging_state){
		.cr0 = CR0_PE | CR0_PG | CR0_WP, .cr3 = g->pml4, .cr4 = CR4_PAE,
		.efer = EFER_NXE | EFER_LME | EFER_LMA,
	};
}

static uint64_t hpa_of(struct guest *g, uint64_t gpa)
{
	uint64_t hpa;

	assert_true(guest_mem_gpa_to_hpa(&g->f->gm, gpa & ~0xfffULL, &hpa));
	return hpa;
}

static struct hw_outcome access(struct guest *g, uint64_t va, enum hw_kind kind)
{
	struct hw_access a = { .va = va, .kind = kind, .cpl = 0 };

	return hw_run(g->f, &g->ps, &a);
}

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	print_message("audit: %s\n", line);
}

static void audit_clean(struct guest *g)
{
	struct mmu_audit_report rep;

	mmu_audit(&g->f->mmu, &g->ps, print_line, NULL, &rep);
	assert_int_equal(rep.violations, 0);
	assert_true(rep.checked_sptes > 0);
}

/* An emulated write of a whole, present, accessed PTE at index i of the table (what
 * guest/exits/pt_write.c reports after a trapped store). */
static void emulated_pte_write(struct guest *g, unsigned i, uint64_t value)
{
	gwrite(g->f, g->pt + 8 * i, value, 8);
	mmu_guest_wrote(&g->f->mmu, g->pt + 8 * i, 8);
}

/* A new guest whose leaf table is shadowed (a read through it): that table's shadow page. */
static struct shadow_page *guest_with_shadowed_pt(struct guest *g)
{
	guest_new(g);
	assert_false(access(g, VA_DATA, HW_READ).faulted);
	return find_sp(g->f, g->pt >> 12, 1, 0);
}

/* The guest's page-fault handler storing entry i, CR2 (its last fault's address) cr2. */
static void handler_pte_write(struct guest *g, uint64_t cr2, unsigned i, uint64_t value)
{
	mmu_pt_write_begin(&g->f->mmu, &g->ps, cr2);
	emulated_pte_write(g, i, value);
	mmu_pt_write_end(&g->f->mmu);
}

/* Builds the shadow of the tables, then remaps VA 0x5000 (a translation in use: its shadow
 * entry is present) past the threshold. */
static struct shadow_page *make_unsync(struct guest *g)
{
	struct shadow_page *sp;

	assert_false(access(g, VA_DATA, HW_READ).faulted);
	assert_false(access(g, 0x5000, HW_READ).faulted);
	sp = find_sp(g->f, g->pt >> 12, 1, 0);
	assert_non_null(sp);
	for (unsigned i = 0; i <= MMU_UNSYNC_THRESHOLD; i++) {
		assert_false(sp->unsync);
		assert_true(spte_present(sp->spt[5]));
		emulated_pte_write(g, 5, (0x800000 + 0x1000ULL * i) | LEAF);
	}
	assert_true(sp->unsync);
	assert_true(mmu_gfn_unsync(&g->f->mmu, g->pt >> 12));
	return sp;
}

static void test_threshold_then_no_traps(void **state)
{
	struct guest g;
	struct shadow_page *sp;
	struct hw_outcome o;
	uint64_t emulated, faults;

	(void)state;
	guest_new(&g);
	sp = make_unsync(&g);
	assert_int_equal(g.f->mmu.stats.unsync_pages, 1);
	audit_clean(&g);
	/* The table's frame is writable now: a store through VA_PT is no emulated write ... */
	emulated = g.f->mmu.stats.emulated_writes;
	o = access(&g, VA_PT + 8 * 300, HW_WRITE);
	assert_false(o.faulted);
	assert_false(o.emulated);
	assert_int_equal(o.hpa, hpa_of(&g, g.pt));
	assert_int_equal(g.f->mmu.stats.emulated_writes, emulated);
	/* ... and, once mapped, later stores take no fault at all. */
	faults = g.f->mmu.stats.faults;
	for (unsigned i = 0; i < 50; i++) {
		o = access(&g, VA_PT + 8 * (200 + i), HW_WRITE);
		assert_false(o.faulted);
		assert_false(o.emulated);
	}
	assert_int_equal(g.f->mmu.stats.faults, faults);
	assert_true(sp->unsync);
	audit_clean(&g);
	fixture_free(g.f);
}

/* Demand fills (the PTE of the guest's last fault address, CR2, one per fault) stay in sync
 * however many: update in place serves them best (mm/mmu.c, mmu_write_frame). The same
 * writes without the CR2 hint are a burst, and go out of sync. */
static void test_demand_fills_stay_in_sync(void **state)
{
	struct guest g;
	struct shadow_page *sp;

	(void)state;
	sp = guest_with_shadowed_pt(&g);
	for (unsigned i = 0; i < 64; i++) {
		struct hw_outcome o;

		/* The guest's fault on the absent page, then its handler's PTE store. */
		o = access(&g, 0x100000 + 0x1000ULL * i, HW_WRITE);
		assert_true(o.faulted);
		handler_pte_write(&g, 0x100000 + 0x1000ULL * i, 256 + i,
				  (0x800000 + 0x1000ULL * i) | LEAF);
		sp->write_count = 0;
		assert_false(sp->unsync);
		/* The retry needs no fault: the store installed the entry. */
		o = access(&g, 0x100000 + 0x1000ULL * i, HW_WRITE);
		assert_false(o.faulted);
	}
	assert_int_equal(g.f->mmu.stats.unsync_pages, 0);
	audit_clean(&g);
	for (unsigned i = 0; i <= MMU_UNSYNC_THRESHOLD; i++)
		emulated_pte_write(&g, 400 + i, (0x800000 + 0x1000ULL * i) | LEAF);
	assert_true(sp->unsync);
	audit_clean(&g);
	fixture_free(g.f);
}

/* CR2 keeps the last fault's address until the next fault: only the first write to that
 * address's PTE is its fill. A guest that then keeps rewriting the PTE (no fault in between)
 * is changing a live entry, and the table goes out of sync as for any burst. */
static void test_stale_cr2_is_no_demand_fill(void **state)
{
	struct guest g;
	struct shadow_page *sp;
	unsigned writes = 0;

	(void)state;
	sp = guest_with_shadowed_pt(&g);
	assert_true(access(&g, 0x100000, HW_WRITE).faulted);
	while (!sp->unsync && writes < 4 * MMU_UNSYNC_THRESHOLD) {
		/* CR2 the same all along */
		handler_pte_write(&g, 0x100000, 256, (0x800000 + 0x1000ULL * writes) | LEAF);
		writes++;
	}
	assert_true(sp->unsync);
	/* The fill, then a burst past the threshold. */
	assert_int_equal(writes, MMU_UNSYNC_THRESHOLD + 2);
	audit_clean(&g);
	fixture_free(g.f);
}

/* A fault at the same address again makes the next write to its PTE a fill again: a guest
 * that faults and fills one PTE over and over stays in sync. */
static void test_new_fault_same_address_is_a_fill(void **state)
{
	struct guest g;
	struct shadow_page *sp;

	(void)state;
	sp = guest_with_shadowed_pt(&g);
	for (unsigned i = 0; i < 64; i++) {
		/* Absent, then read-only: the write faults each time (reflected). */
		assert_true(access(&g, 0x100000, HW_WRITE).faulted);
		handler_pte_write(&g, 0x100000, 256,
				  (0x800000 + 0x1000ULL * i) | (LEAF & ~(uint64_t)PT_RW));
		sp->write_count = 0;
		assert_false(sp->unsync);
	}
	assert_int_equal(g.f->mmu.stats.unsync_pages, 0);
	audit_clean(&g);
	fixture_free(g.f);
}

/* Writes spread over root loads (the threshold counts between two) never go out of sync. */
static void test_threshold_counts_per_root_load(void **state)
{
	struct guest g;
	struct shadow_page *sp;

	(void)state;
	guest_new(&g);
	assert_false(access(&g, 0x5000, HW_READ).faulted);
	sp = find_sp(g.f, g.pt >> 12, 1, 0);
	for (unsigned i = 0; i < 40; i++) {
		emulated_pte_write(&g, 5, (0x800000 + 0x1000ULL * i) | LEAF);
		if (i % MMU_UNSYNC_THRESHOLD == MMU_UNSYNC_THRESHOLD - 1)
			assert_int_not_equal(mmu_load_root(&g.f->mmu, &g.ps), 0);
		assert_false(sp->unsync);
	}
	assert_int_equal(g.f->mmu.stats.unsync_pages, 0);
	fixture_free(g.f);
}

/* A stale entry stays until a root load, which syncs it; a sync that finds changes leaves the
 * table out of sync, the next one (nothing changed) write-protects it again. */
static void test_root_load_syncs(void **state)
{
	struct guest g;
	struct shadow_page *sp;
	uint64_t changed;

	(void)state;
	guest_new(&g);
	sp = make_unsync(&g);
	/* The guest remaps VA_DATA without invalidating: the old translation may stay. */
	gwrite(g.f, g.pt + 8 * 1, 0x300000 | LEAF, 8);
	assert_int_equal(access(&g, VA_DATA, HW_READ).hpa, hpa_of(&g, 0x100000));
	audit_clean(&g);	/* the stale entry is skipped: it differs from the snapshot */
	changed = g.f->mmu.stats.sync_changed;
	assert_int_not_equal(mmu_load_root(&g.f->mmu, &g.ps), 0);
	assert_int_equal(g.f->mmu.stats.sync_changed, changed + 1);
	/* Recomputed in place: no fault needed to see it. */
	assert_int_equal(sp->spt[1] & PT_ADDR_MASK, hpa_of(&g, 0x300000));
	assert_int_equal(access(&g, VA_DATA, HW_READ).hpa, hpa_of(&g, 0x300000));
	assert_true(sp->unsync);
	audit_clean(&g);	/* right after the sync: every entry is checked */
	/* Nothing changed since: the next root load write-protects the table again. */
	assert_int_not_equal(mmu_load_root(&g.f->mmu, &g.ps), 0);
	assert_false(sp->unsync);
	assert_false(mmu_gfn_unsync(&g.f->mmu, g.pt >> 12));
	assert_true(access(&g, VA_PT + 8 * 300, HW_WRITE).emulated);
	audit_clean(&g);
	fixture_free(g.f);
}

/* INVLPG syncs the whole table holding the address's PTE. */
static void test_invlpg_syncs_the_table(void **state)
{
	struct guest g;
	struct shadow_page *sp;

	(void)state;
	guest_new(&g);
	sp = make_unsync(&g);
	gwrite(g.f, g.pt + 8 * 1, 0x300000 | LEAF, 8);
	gwrite(g.f, g.pt + 8 * 5, 0x400000 | LEAF, 8);
	assert_int_equal(sp->spt[5] & PT_ADDR_MASK,
			 hpa_of(&g, 0x800000 + 0x1000ULL * MMU_UNSYNC_THRESHOLD));	/* stale */
	mmu_invlpg(&g.f->mmu, &g.ps, VA_DATA);
	assert_int_equal(sp->spt[5] & PT_ADDR_MASK, hpa_of(&g, 0x400000));
	assert_int_equal(access(&g, VA_DATA, HW_READ).hpa, hpa_of(&g, 0x300000));
	audit_clean(&g);
	fixture_free(g.f);
}

/* An entry made present without invalidation (SDM 4.10.4.3) is seen: an out-of-sync page
 * holds the marker, never the "not present in the guest" 0, so the access exits. */
static void test_not_present_to_present(void **state)
{
	struct guest g;
	struct shadow_page *sp;

	(void)state;
	sp = guest_with_shadowed_pt(&g);
	assert_int_equal(sp->spt[7], 0);	/* in sync: the direct P = 0 marker */
	sp = make_unsync(&g);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		assert_int_not_equal(sp->spt[i], 0);
	assert_int_equal(sp->spt[7], SPTE_TRAP);
	gwrite(g.f, g.pt + 8 * 7, 0x500000 | LEAF, 8);
	assert_int_equal(access(&g, 0x7000, HW_WRITE).hpa, hpa_of(&g, 0x500000));
	assert_int_equal(g.f->direct_faults, 0);
	audit_clean(&g);
	fixture_free(g.f);
}

/* A fault through a stale entry syncs it before the fault is given to the guest: the guest's
 * fix-up (a present entry, no invalidation needed after its own fault) is then seen. */
static void test_reflected_fault_syncs_the_entry(void **state)
{
	struct guest g;
	struct hw_outcome o;

	(void)state;
	guest_new(&g);
	gwrite(g.f, g.pt + 8 * 1, 0x100000 | PT_P | PT_A, 8);	/* read-only */
	make_unsync(&g);
	assert_int_equal(access(&g, VA_DATA, HW_READ).hpa, hpa_of(&g, 0x100000));
	/* The guest unmaps VA_DATA; a write faults on the stale read-only entry ... */
	gwrite(g.f, g.pt + 8 * 1, 0, 8);
	o = access(&g, VA_DATA, HW_WRITE);
	assert_true(o.faulted);
	assert_false(o.pfec & PFEC_P);	/* the guest's own fault: not present */
	/* ... its handler maps another frame read-only and returns: a read sees the new one. */
	gwrite(g.f, g.pt + 8 * 1, 0x600000 | PT_P | PT_A, 8);
	assert_int_equal(access(&g, VA_DATA, HW_READ).hpa, hpa_of(&g, 0x600000));
	audit_clean(&g);
	fixture_free(g.f);
}

/* An out-of-sync table that the guest starts using as a page directory is synced and
 * write-protected before the page directory's shadow is built. */
static void test_becomes_page_directory(void **state)
{
	struct guest g;
	struct shadow_page *sp;
	/* PDPT[1] names the PT as a page directory; its entry 4 names the PT again, as a page
	 * table, whose entry 4 maps the PT's frame: VA 1 GiB + 4 * 2 MiB + 4 * 4 KiB. */
	uint64_t va = (1ULL << 30) + (4ULL << 21) + (4ULL << 12);
	struct hw_outcome o;

	(void)state;
	guest_new(&g);
	sp = make_unsync(&g);
	gwrite(g.f, g.pt + 8 * 1, 0x300000 | LEAF, 8);	/* a change the sync must pick up */
	gwrite(g.f, g.pt + 8 * 4, g.pt | GFLAGS, 8);
	gwrite(g.f, g.pdpt + 8 * 1, g.pt | GFLAGS, 8);	/* a trapped write (in sync) */
	mmu_guest_wrote(&g.f->mmu, g.pdpt + 8 * 1, 8);
	o = access(&g, va, HW_READ);
	if (o.faulted)
		fail_msg("pfec %x", o.pfec);
	assert_int_equal(o.hpa, hpa_of(&g, g.pt));
	assert_non_null(find_sp(g.f, g.pt >> 12, 2, 0));
	assert_false(sp->unsync);
	assert_false(mmu_gfn_unsync(&g.f->mmu, g.pt >> 12));
	assert_int_equal(sp->spt[1] & PT_ADDR_MASK, hpa_of(&g, 0x300000));
	/* Write-protected again: a store to the table is emulated. */
	assert_true(access(&g, VA_PT + 8 * 300, HW_WRITE).emulated);
	audit_clean(&g);
	fixture_free(g.f);
}

/* A frame shadowed as a page table and as a page directory never goes out of sync. */
static void test_two_roles_never_unsync(void **state)
{
	struct guest g;
	struct shadow_page *l1, *l2;
	uint64_t va = (1ULL << 30) + (4ULL << 21) + (4ULL << 12);

	(void)state;
	guest_new(&g);
	gwrite(g.f, g.pt + 8 * 4, g.pt | GFLAGS, 8);
	gwrite(g.f, g.pdpt + 8 * 1, g.pt | GFLAGS, 8);
	assert_false(access(&g, VA_DATA, HW_READ).faulted);
	assert_false(access(&g, 0x5000, HW_READ).faulted);
	assert_false(access(&g, va, HW_READ).faulted);
	l1 = find_sp(g.f, g.pt >> 12, 1, 0);
	l2 = find_sp(g.f, g.pt >> 12, 2, 0);
	assert_non_null(l1);
	assert_non_null(l2);
	for (unsigned i = 0; i < 4 * MMU_UNSYNC_THRESHOLD; i++) {
		assert_true(spte_present(l1->spt[5]));
		emulated_pte_write(&g, 5, (0x800000 + 0x1000ULL * i) | LEAF);
		assert_false(l1->unsync);
		assert_false(l2->unsync);
		l2->write_count = 0;	/* the guest uses it as a directory: not flooded */
	}
	assert_int_equal(g.f->mmu.stats.unsync_pages, 0);
	assert_true(access(&g, VA_PT + 8 * 300, HW_WRITE).emulated);
	audit_clean(&g);
	fixture_free(g.f);
}

/* At most MMU_UNSYNC_MAX frames are out of sync; the next stays in sync (counted). */
static void test_bounded(void **state)
{
	struct guest g;
	uint64_t pts[MMU_UNSYNC_MAX + 1];

	(void)state;
	guest_new(&g);
	for (unsigned t = 0; t <= MMU_UNSYNC_MAX; t++) {
		pts[t] = guest_table(g.f);
		gwrite(g.f, g.pd + 8 * (t + 1), pts[t] | GFLAGS, 8);	/* trapped: in sync */
		mmu_guest_wrote(&g.f->mmu, g.pd + 8 * (t + 1), 8);
		if (find_sp(g.f, g.pd >> 12, 2, 0))
			find_sp(g.f, g.pd >> 12, 2, 0)->write_count = 0;	/* in use: not flooded */
		gwrite(g.f, pts[t], 0x100000 | LEAF, 8);
		if (access(&g, (uint64_t)(t + 1) << 21, HW_READ).faulted)
			fail_msg("table %u faults", t);
		for (unsigned i = 0; i <= MMU_UNSYNC_THRESHOLD; i++) {
			gwrite(g.f, pts[t], (0x800000 + 0x1000ULL * i) | LEAF, 8);
			mmu_guest_wrote(&g.f->mmu, pts[t], 8);
		}
		assert_int_equal(find_sp(g.f, pts[t] >> 12, 1, 0)->unsync, t < MMU_UNSYNC_MAX);
	}
	assert_int_equal(g.f->mmu.unsync.count, MMU_UNSYNC_MAX);
	assert_int_equal(g.f->mmu.stats.unsync_full, 1);
	audit_clean(&g);
	/* Root loads sync them all; untouched since, they are all write-protected again. */
	assert_int_not_equal(mmu_load_root(&g.f->mmu, &g.ps), 0);
	assert_int_equal(g.f->mmu.unsync.count, 0);
	audit_clean(&g);
	fixture_free(g.f);
}

/* A zapped out-of-sync page gives its frame's slot back. */
static void test_zap_frees_the_slot(void **state)
{
	struct guest g;

	(void)state;
	guest_new(&g);
	make_unsync(&g);
	mmu_unshadow_gfn(&g.f->mmu, g.pt >> 12);
	assert_int_equal(g.f->mmu.unsync.count, 0);
	assert_false(mmu_gfn_unsync(&g.f->mmu, g.pt >> 12));
	assert_false(access(&g, VA_DATA, HW_READ).faulted);
	audit_clean(&g);
	fixture_free(g.f);
}

/* 32-bit paging: the two quadrant halves of one guest table go out of sync together (write
 * protection is per frame), and a sync updates each half from its own guest entries. */
static void test_32bit_quadrants(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pd = guest_table(f), pt = guest_table(f);
	struct paging_state ps = { .cr0 = CR0_PE | CR0_PG | CR0_WP, .cr3 = pd, .cr4 = CR4_PSE };
	struct hw_access a = { .va = 0x1000, .kind = HW_READ };
	struct shadow_page *q0, *q1;
	uint64_t hpa;

	(void)state;
	gwrite(f, pd, pt | GFLAGS, 4);
	gwrite(f, pt + 4 * 1, 0x100000 | LEAF, 4);
	gwrite(f, pt + 4 * 700, 0x101000 | LEAF, 4);
	assert_false(hw_run(f, &ps, &a).faulted);
	a.va = 700ULL << 12;
	assert_false(hw_run(f, &ps, &a).faulted);
	q0 = find_sp(f, pt >> 12, 1, 0);
	q1 = find_sp(f, pt >> 12, 1, 1);
	assert_non_null(q0);
	assert_non_null(q1);
	for (unsigned i = 0; i <= MMU_UNSYNC_THRESHOLD; i++) {
		assert_false(q0->unsync || q1->unsync);
		gwrite(f, pt + 4 * 700, (0x800000 + 0x1000 * i) | LEAF, 4);
		mmu_guest_wrote(&f->mmu, pt + 4 * 700, 4);
		q0->write_count = 0;	/* the guest uses that half too: not flooded */
	}
	assert_true(q0->unsync && q1->unsync);
	assert_int_equal(f->mmu.stats.unsync_pages, 2);
	/* Free writes to both halves, then a root load. */
	gwrite(f, pt + 4 * 1, 0x300000 | LEAF, 4);
	gwrite(f, pt + 4 * 700, 0x301000 | LEAF, 4);
	assert_int_not_equal(mmu_load_root(&f->mmu, &ps), 0);
	assert_true(guest_mem_gpa_to_hpa(&f->gm, 0x300000, &hpa));
	assert_int_equal(q0->spt[1] & PT_ADDR_MASK, hpa);
	assert_true(guest_mem_gpa_to_hpa(&f->gm, 0x301000, &hpa));
	assert_int_equal(q1->spt[700 - 512] & PT_ADDR_MASK, hpa);
	{
		struct mmu_audit_report rep;

		mmu_audit(&f->mmu, &ps, print_line, NULL, &rep);
		assert_int_equal(rep.violations, 0);
	}
	fixture_free(f);
}

/* The audit checks an out-of-sync page's entries that match the snapshot: right after a
 * sync, a wrong entry there is a violation; a guest change since (the entry may be stale)
 * is not. */
static void test_audit_checks_after_sync(void **state)
{
	struct guest g;
	struct shadow_page *sp;
	struct mmu_audit_report rep;
	uint64_t good;

	(void)state;
	guest_new(&g);
	sp = make_unsync(&g);
	gwrite(g.f, g.pt + 8 * 1, 0x300000 | LEAF, 8);
	assert_int_not_equal(mmu_load_root(&g.f->mmu, &g.ps), 0);
	assert_true(sp->unsync);
	good = sp->spt[1];
	sp->spt[1] = good | PT_US;	/* grants user access the guest denies */
	mmu_audit(&g.f->mmu, &g.ps, NULL, NULL, &rep);
	assert_true(rep.violations > 0);
	/* The guest changes the entry: until the next sync it may be stale, unreported. */
	gwrite(g.f, g.pt + 8 * 1, 0x310000 | LEAF, 8);
	mmu_audit(&g.f->mmu, &g.ps, NULL, NULL, &rep);
	assert_int_equal(rep.violations, 0);
	sp->spt[1] = good;
	fixture_free(g.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threshold_then_no_traps),
		cmocka_unit_test(test_threshold_counts_per_root_load),
		cmocka_unit_test(test_demand_fills_stay_in_sync),
		cmocka_unit_test(test_stale_cr2_is_no_demand_fill),
		cmocka_unit_test(test_new_fault_same_address_is_a_fill),
		cmocka_unit_test(test_root_load_syncs),
		cmocka_unit_test(test_invlpg_syncs_the_table),
		cmocka_unit_test(test_not_present_to_present),
		cmocka_unit_test(test_reflected_fault_syncs_the_entry),
		cmocka_unit_test(test_becomes_page_directory),
		cmocka_unit_test(test_two_roles_never_unsync),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_zap_frees_the_slot),
		cmocka_unit_test(test_32bit_quadrants),
		cmocka_unit_test(test_audit_checks_after_sync),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
