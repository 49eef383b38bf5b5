/*
 * Unit tests for the shadow MMU (mm/mmu.c) on the host. Umbra's host map is the identity, so a
 * host buffer handed to the page allocator stands in for physical memory: guest RAM, shadow
 * pages and Umbra's PAE root all live in it, and the test walks the shadow tables exactly as
 * the processor would.
 *
 * The property checked, over many guest page-table permutations in every paging mode: after
 * the MMU handles the faults the hardware would raise, an access succeeds on the shadow tables
 * if and only if the guest's own walk allows it, it reaches the host frame backing the guest
 * frame, and a fault the guest must see is reflected with the walk's error code.
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
#include "mm/pmm.h"
#include "mm/walk.h"

#include "tests/unit/mmu_fixture.h"


/* The processor's view: walks the shadow tables from CR3 = root and says whether access is
 * allowed and where it lands (SDM 4.4/4.5 with CR0.WP=1, NXE=1: Umbra's real settings). */
static bool shadow_allows(struct fixture *f, enum paging_mode mode, uint64_t root, uint64_t va,
			  uint32_t access, uint64_t *hpa)
{
	uint64_t table = root, e = 0;
	bool user = true, write = true, exec = true;
	unsigned level = mode == PAGING_4LEVEL ? 4 : 3;

	for (; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		unsigned idx = level == 3 && mode != PAGING_4LEVEL ? (va >> 30) & 3 : (va >> shift) & 511;

		e = ((uint64_t *)(uintptr_t)table)[idx];
		if (!(e & PT_P) || (e & PT_ADDR_MASK) >> f->mmu.cpu.host_maxphyaddr)
			return false;	/* not present, or a reserved bit (SDM 4.7) */
		if (!(level == 3 && mode != PAGING_4LEVEL)) {
			user &= !!(e & PT_US);
			write &= !!(e & PT_RW);
			exec &= !(e & PT_NX);
		}
		table = e & PT_ADDR_MASK;
		if (level > 1)
			assert_false(e & PT_PS);	/* Umbra never builds large shadow mappings */
	}
	if ((access & WALK_USER) && !user)
		return false;
	if ((access & WALK_WRITE) && !write)
		return false;
	if ((access & WALK_FETCH) && !exec)
		return false;
	*hpa = table;
	return true;
}

static struct paging_state state_of(enum paging_mode mode, uint64_t cr3, bool wp, bool nxe,
				    const uint64_t pdptes[4])
{
	struct paging_state ps = { .cr3 = cr3 };

	ps.cr0 = CR0_PE | (mode != PAGING_OFF ? CR0_PG : 0) | (wp ? CR0_WP : 0);
	ps.cr4 = (mode == PAGING_32 ? CR4_PSE : CR4_PAE);
	ps.efer = (nxe ? EFER_NXE : 0) | (mode == PAGING_4LEVEL ? EFER_LME | EFER_LMA : 0);
	if (pdptes)
		memcpy(ps.pdptes, pdptes, sizeof(ps.pdptes));
	return ps;
}

/* Runs access against the shadow tables, handling up to a few faults as Umbra's run loop does;
 * returns the MMU's last action (MMU_RETRY when the access went through). */
static enum mmu_action run_access(struct fixture *f, const struct paging_state *ps, uint64_t va,
				  uint32_t access, uint64_t *hpa, struct mmu_outcome *out)
{
	enum paging_mode mode = paging_mode_of(ps);

	for (int tries = 0; tries < 6; tries++) {
		if (!f->mmu.root_valid)
			assert_int_not_equal(mmu_load_root(&f->mmu, ps), 0);
		if (shadow_allows(f, mode == PAGING_OFF ? PAGING_PAE : mode, f->mmu.root, va, access, hpa))
			return MMU_RETRY;
		mmu_page_fault(&f->mmu, ps, va, access, access & WALK_USER ? 3 : 0, false, false,
			       out);
		if (out->action != MMU_RETRY)
			return out->action;
	}
	fail_msg("no progress at %llx access %x", (unsigned long long)va, access);
	return MMU_GUEST_FATAL;
}

static bool gm_read(void *ctx, uint64_t gpa, void *buf, unsigned len)
{
	return guest_mem_read(ctx, gpa, buf, len);
}

static bool gm_write(void *ctx, uint64_t gpa, const void *buf, unsigned len)
{
	return guest_mem_write(ctx, gpa, buf, len);
}

static void expect_like_guest(struct fixture *f, const struct paging_state *ps, uint64_t va,
			      uint32_t access, const char *what)
{
	struct walk_mem real = { gm_read, gm_write, &f->gm };
	struct walk_request req = { .ps = *ps, .addr = va, .access = access, .maxphyaddr = 40,
				    .pse36 = true, .gb_pages = true, .set_ad = false };
	struct walk_result w;
	struct mmu_outcome out;
	enum mmu_action act;
	uint64_t hpa = 0, want;

	memcpy(req.pdptes, ps->pdptes, sizeof(req.pdptes));
	/* The guest's verdict first, from a walk that changes nothing. */
	walk_guest(&req, &real, &w);
	act = run_access(f, ps, va, access, &hpa, &out);
	if (w.fault) {
		if (act != MMU_INJECT_PF || out.error_code != w.pfec)
			fail_msg("%s: va %llx access %x: guest faults with %x, MMU action %d code %x",
				 what, (unsigned long long)va, access, w.pfec, act, out.error_code);
		return;
	}
	if (act != MMU_RETRY)
		fail_msg("%s: va %llx access %x: guest allows it, MMU action %d (%s)", what,
			 (unsigned long long)va, access, act, out.why);
	assert_true(guest_mem_gpa_to_hpa(&f->gm, w.gpa & ~0xfffULL, &want));
	if (hpa != want)
		fail_msg("%s: va %llx maps host %llx, expected %llx", what, (unsigned long long)va,
			 (unsigned long long)hpa, (unsigned long long)want);
}

static const uint32_t accesses[] = {
	0, WALK_WRITE, WALK_FETCH, WALK_USER, WALK_USER | WALK_WRITE, WALK_USER | WALK_FETCH,
};

/* 4-level: every combination of RW/US/NX at the PDE and PTE, under WP 0/1 and NXE 0/1. */
static void test_4level_permissions(void **state)
{
	unsigned cases = 0;

	(void)state;
	for (unsigned bits = 0; bits < 64; bits++) {
		for (unsigned ctl = 0; ctl < 4; ctl++) {
			struct fixture *f = fixture_new();
			uint64_t pml4 = guest_table(f), pdpt = guest_table(f), pd = guest_table(f),
				 pt = guest_table(f), va = 0x40201000ULL, frame = 0x345000;
			uint64_t pde_flags = PT_P | ((bits & 1) ? PT_RW : 0) | ((bits & 2) ? PT_US : 0) |
					     ((bits & 4) ? PT_NX : 0);
			uint64_t pte_flags = PT_P | ((bits & 8) ? PT_RW : 0) | ((bits & 16) ? PT_US : 0) |
					     ((bits & 32) ? PT_NX : 0);
			struct paging_state ps = state_of(PAGING_4LEVEL, pml4, ctl & 1, ctl & 2, NULL);

			if (!(ctl & 2) && (bits & (4 | 32))) {
				fixture_free(f);
				continue;	/* XD with NXE=0 is a reserved-bit case, below */
			}
			gwrite(f, pml4 + 8 * ((va >> 39) & 511), pdpt | PT_P | PT_RW | PT_US, 8);
			gwrite(f, pdpt + 8 * ((va >> 30) & 511), pd | PT_P | PT_RW | PT_US, 8);
			gwrite(f, pd + 8 * ((va >> 21) & 511), pt | pde_flags, 8);
			gwrite(f, pt + 8 * ((va >> 12) & 511), frame | pte_flags, 8);
			for (unsigned a = 0; a < sizeof(accesses) / sizeof(accesses[0]); a++) {
				expect_like_guest(f, &ps, va, accesses[a], "4-level");
				cases++;
			}
			fixture_free(f);
		}
	}
	printf("4-level permission cases: %u\n", cases);
}

/* 32-bit: a PTE in the upper half of a page table and PDEs in every quarter of the page
 * directory all translate right, through the quadrant shadows. */
static void test_32bit_quadrants(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pd = guest_table(f);
	struct paging_state ps = state_of(PAGING_32, pd, true, false, NULL);

	(void)state;
	for (unsigned q = 0; q < 4; q++) {
		uint64_t pt = guest_table(f);
		/* PDE index 256q + 200: quadrant q; PTE 700 is in the upper half (quadrant 1). */
		uint64_t va = ((uint64_t)(256 * q + 200) << 22) | (700ULL << 12);
		uint64_t frame = 0x500000 + q * 0x1000;

		gwrite(f, pd + 4 * (256 * q + 200), pt | PT_P | PT_RW | PT_US, 4);
		gwrite(f, pt + 4 * 700, frame | PT_P | PT_RW | PT_US | PT_D, 4);
		expect_like_guest(f, &ps, va, WALK_USER | WALK_WRITE, "32-bit quadrant");
		/* The lower-half entry of the same table is not present. */
		expect_like_guest(f, &ps, va - (400ULL << 12), 0, "32-bit lower half");
	}
	/* A 4 MiB page (PSE) maps both of its 2 MiB halves. */
	gwrite(f, pd + 4 * 5, 0x800000 | PT_P | PT_RW | PT_PS | PT_D, 4);
	expect_like_guest(f, &ps, (5ULL << 22) + 0x1000, WALK_WRITE, "4 MiB low half");
	expect_like_guest(f, &ps, (5ULL << 22) + 0x201000, WALK_WRITE, "4 MiB high half");
	expect_like_guest(f, &ps, (5ULL << 22) + 0x201000, WALK_USER, "4 MiB supervisor page");
	fixture_free(f);
}

/* PAE: the shadow follows the cached PDPTEs, not memory; 2 MiB pages; A/D: a clean page is
 * mapped read-only until a write sets D in the guest entry. */
static void test_pae_pdptes_and_dirty(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pdpt = guest_table(f), pd = guest_table(f), pt = guest_table(f), pd2 = guest_table(f);
	uint64_t pdptes[4] = { pd | PT_P, 0, 0, 0 };
	struct paging_state ps = state_of(PAGING_PAE, pdpt, true, true, pdptes);
	uint64_t pte, hpa;
	struct mmu_outcome out;

	(void)state;
	gwrite(f, pdpt, pd | PT_P, 8);
	gwrite(f, pd + 8 * 1, pt | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pt + 8 * 3, 0x456000 | PT_P | PT_RW | PT_US, 8);	/* clean: D = 0 */
	gwrite(f, pd + 8 * 2, 0x600000 | PT_P | PT_RW | PT_PS | PT_D, 8);	/* 2 MiB page */
	expect_like_guest(f, &ps, 0x203000, WALK_USER, "PAE read of a clean page");
	/* The read mapped it read-only: the write faults, the walk sets D, and it goes through. */
	assert_false(shadow_allows(f, PAGING_PAE, f->mmu.root, 0x203000, WALK_WRITE, &hpa));
	expect_like_guest(f, &ps, 0x203000, WALK_WRITE | WALK_USER, "PAE first write");
	assert_true(guest_mem_read(&f->gm, pt + 8 * 3, &pte, 8));
	assert_true(pte & PT_D);
	assert_true(pte & PT_A);
	expect_like_guest(f, &ps, 0x4ff000, WALK_WRITE, "PAE 2 MiB page");
	/* PDPTE 1 is not present in the registers even if memory says otherwise. */
	gwrite(f, pdpt + 8, pd2 | PT_P, 8);
	expect_like_guest(f, &ps, 0x40000000, 0, "PAE not-present PDPTE register");
	assert_int_equal(run_access(f, &ps, 0x40000000, 0, &hpa, &out), MMU_INJECT_PF);
	fixture_free(f);
}

/* A write to a shadowed guest page table is handed to the emulator, and after the guest memory
 * changes (mmu_guest_wrote) the new entry is used. Roots are reused across CR3 switches. */
static void test_write_protect_and_roots(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pml4[2], pdpt = guest_table(f), pd = guest_table(f), pt = guest_table(f);
	struct paging_state ps[2];
	struct mmu_outcome out;
	uint64_t hpa, built, want;

	(void)state;
	for (int i = 0; i < 2; i++) {
		pml4[i] = guest_table(f);
		gwrite(f, pml4[i], pdpt | PT_P | PT_RW, 8);
		ps[i] = state_of(PAGING_4LEVEL, pml4[i], true, true, NULL);
	}
	gwrite(f, pdpt, pd | PT_P | PT_RW, 8);
	gwrite(f, pd, pt | PT_P | PT_RW, 8);
	gwrite(f, pd + 8 * (pt >> 21), pt | PT_P | PT_RW, 8);
	/* Identity-map the page table itself at its own address. */
	gwrite(f, pt + 8 * (pt >> 12 & 511), pt | PT_P | PT_RW | PT_D, 8);
	gwrite(f, pt + 8 * 0x10, 0x10000 | PT_P | PT_RW | PT_D, 8);
	expect_like_guest(f, &ps[0], pt, 0, "read of the page table through its own mapping");
	/* Writing it must not be allowed by the shadow: it is a shadowed guest table. */
	assert_false(shadow_allows(f, PAGING_4LEVEL, f->mmu.root, pt, WALK_WRITE, &hpa));
	mmu_page_fault(&f->mmu, &ps[0], pt + 8 * 0x10, WALK_WRITE | PFEC_P, 0, false, false, &out);
	assert_int_equal(out.action, MMU_EMULATE_WRITE);
	assert_int_equal(out.gpa, pt + 8 * 0x10);
	/* The emulator writes memory and tells the MMU; the new translation is used at once. */
	gwrite(f, pt + 8 * 0x10, 0x20000 | PT_P | PT_RW | PT_D, 8);
	mmu_guest_wrote(&f->mmu, pt + 8 * 0x10, 8);
	expect_like_guest(f, &ps[0], 0x10000, WALK_WRITE, "after the emulated PTE write");
	/* Switch to the second address space and back: the first root's pages are reused. */
	mmu_load_root(&f->mmu, &ps[1]);
	expect_like_guest(f, &ps[1], 0x10000, 0, "second address space");
	built = f->mmu.stats.roots_built;
	mmu_load_root(&f->mmu, &ps[0]);
	assert_int_equal(f->mmu.stats.roots_built, built);
	assert_true(shadow_allows(f, PAGING_4LEVEL, f->mmu.root, 0x10000, 0, &hpa));
	/* INVLPG keeps the shadow translation: it is the guest's current one (every write to the
	 * table was seen); only the processor's TLB is flushed, by the caller. */
	mmu_invlpg(&f->mmu, &ps[0], 0x10000);
	assert_true(shadow_allows(f, PAGING_4LEVEL, f->mmu.root, 0x10000, 0, &hpa));
	assert_true(guest_mem_gpa_to_hpa(&f->gm, 0x20000, &want));
	assert_int_equal(hpa, want);
	fixture_free(f);
}

/* issue 13 item 7: a write to a shadowed guest page table made by an event's delivery (its
 * frame pushed there) cannot be emulated: the frame is unshadowed and the fault retried, the
 * retried write fills a writable entry, and the table is shadowed again, from what memory then
 * holds, when a walk uses it next. The same write by an instruction is emulated. */
static void test_delivery_write_unshadows(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pml4 = guest_table(f), pdpt = guest_table(f), pd = guest_table(f);
	uint64_t pt = guest_table(f), pt2 = guest_table(f), hpa;
	uint64_t stack = 0x200000 + 8 * 0x10;	/* entry 0x10 of pt, through pt2 */
	struct paging_state ps = state_of(PAGING_4LEVEL, pml4, true, true, NULL);
	struct mmu_outcome out;

	(void)state;
	gwrite(f, pml4, pdpt | PT_P | PT_RW, 8);
	gwrite(f, pdpt, pd | PT_P | PT_RW, 8);
	gwrite(f, pd, pt | PT_P | PT_RW, 8);
	gwrite(f, pd + 8, pt2 | PT_P | PT_RW, 8);
	gwrite(f, pt2, pt | PT_P | PT_RW | PT_D, 8);
	gwrite(f, pt + 8 * 0x10, 0x10000 | PT_P | PT_RW | PT_D, 8);
	expect_like_guest(f, &ps, 0x10000, 0, "the page table in use");
	expect_like_guest(f, &ps, stack, 0, "read of the page table through pt2");
	mmu_page_fault(&f->mmu, &ps, stack, WALK_WRITE | PFEC_P, 0, false, false, &out);
	assert_int_equal(out.action, MMU_EMULATE_WRITE);
	assert_false(out.delivery_unshadowed);

	mmu_page_fault(&f->mmu, &ps, stack, WALK_WRITE | PFEC_P, 0, false, true, &out);
	assert_int_equal(out.action, MMU_RETRY);
	assert_true(out.delivery_unshadowed);
	assert_int_equal(out.gpa, pt + 8 * 0x10);
	assert_int_equal(f->mmu.stats.delivery_unshadowed, 1);
	/* The redone delivery's write is an ordinary one now: filled writable. */
	mmu_page_fault(&f->mmu, &ps, stack, WALK_WRITE | PFEC_P, 0, false, true, &out);
	assert_int_equal(out.action, MMU_RETRY);
	assert_false(out.delivery_unshadowed);
	assert_true(shadow_allows(f, PAGING_4LEVEL, f->mmu.root, stack, WALK_WRITE, &hpa));
	/* The delivery wrote the entry (a frame word); the next walk sees it, nothing stale. */
	gwrite(f, pt + 8 * 0x10, 0x20000 | PT_P | PT_RW | PT_D, 8);
	expect_like_guest(f, &ps, 0x10000, WALK_WRITE, "after the delivery wrote the table");
	fixture_free(f);
}

/* A CR0.WP = 0 write that only emulation can make (a read-only user page under SMAP) stops the
 * guest when an event's delivery makes it, instead of emulating the instruction at RIP. */
static void test_delivery_wp0_write_is_fatal(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pml4 = guest_table(f), pdpt = guest_table(f), pd = guest_table(f);
	uint64_t pt = guest_table(f);
	struct paging_state ps = state_of(PAGING_4LEVEL, pml4, false, true, NULL);
	struct mmu_outcome out;

	(void)state;
	ps.cr4 |= CR4_SMAP;
	gwrite(f, pml4, pdpt | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pdpt, pd | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pd, pt | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pt + 8 * 0x10, 0x10000 | PT_P | PT_US | PT_A | PT_D, 8);
	mmu_page_fault(&f->mmu, &ps, 0x10000, WALK_WRITE, 0, true, false, &out);
	assert_int_equal(out.action, MMU_EMULATE_WRITE);
	mmu_page_fault(&f->mmu, &ps, 0x10000, WALK_WRITE, 0, true, true, &out);
	assert_int_equal(out.action, MMU_GUEST_FATAL);
	fixture_free(f);
}

/* Paging off: linear is physical; memory that is not RAM reads as the all-ones page. */
static void test_paging_off(void **state)
{
	struct fixture *f = fixture_new();
	struct paging_state ps = state_of(PAGING_OFF, 0, true, false, NULL);
	struct mmu_outcome out;
	uint64_t hpa, want;

	(void)state;
	ps.cr4 = 0;
	assert_int_equal(run_access(f, &ps, 0x123456, WALK_WRITE, &hpa, &out), MMU_RETRY);
	assert_true(guest_mem_gpa_to_hpa(&f->gm, 0x123000, &want));
	assert_int_equal(hpa, want);
	assert_int_equal(run_access(f, &ps, 0xb8000, 0, &hpa, &out), MMU_RETRY);
	assert_int_equal(hpa, f->mmu.ones_page);
	mmu_page_fault(&f->mmu, &ps, 0xb8000, WALK_WRITE | PFEC_P, 0, false, false, &out);
	assert_int_equal(out.action, MMU_GUEST_FATAL);
	fixture_free(f);
}

/* issue 5: a PTE write at every offset of a 32-bit page table updates the shadow entry of the
 * matching quadrant at once, and leaves the other quadrant untouched. */
static void test_32bit_pte_writes_every_offset(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pd = guest_table(f), pt = guest_table(f), hpa, want;
	struct paging_state ps = state_of(PAGING_32, pd, true, false, NULL);
	struct shadow_page *half[2];
	uint64_t snapshot[512];

	(void)state;
	gwrite(f, pd + 4 * 10, pt | PT_P | PT_RW | PT_US | PT_A, 4);
	gwrite(f, pt + 4 * 5, 0x400000 | PT_P | PT_RW | PT_US | PT_A | PT_D, 4);
	gwrite(f, pt + 4 * 700, 0x401000 | PT_P | PT_RW | PT_US | PT_A | PT_D, 4);
	expect_like_guest(f, &ps, (10ULL << 22) | (5 << 12), 0, "low half");
	expect_like_guest(f, &ps, (10ULL << 22) | (700 << 12), 0, "high half");
	half[0] = find_sp(f, pt >> 12, 1, 0);
	half[1] = find_sp(f, pt >> 12, 1, 1);
	assert_non_null(half[0]);
	assert_non_null(half[1]);
	for (unsigned gi = 0; gi < 1024; gi++) {
		struct shadow_page *mine = half[gi / 512], *other = half[1 - gi / 512];
		uint64_t frame = 0x500000 + (uint64_t)gi * 0x1000;
		uint64_t updated = f->mmu.stats.pte_updated;

		memcpy(snapshot, other->spt, sizeof(snapshot));
		gwrite(f, pt + 4 * gi, frame | PT_P | PT_RW | PT_US | PT_A | PT_D, 4);
		mmu_guest_wrote(&f->mmu, pt + 4 * gi, 4);
		/* Right at once, without a fault, through the written entry ... */
		assert_int_equal(f->mmu.stats.pte_updated, updated + 1);
		assert_true(guest_mem_gpa_to_hpa(&f->gm, frame, &want));
		assert_true(shadow_allows(f, PAGING_PAE, f->mmu.root,
					  (10ULL << 22) | ((uint64_t)gi << 12), WALK_USER | WALK_WRITE, &hpa));
		assert_int_equal(hpa, want);
		assert_int_equal(mine->spt[gi % 512] & PT_ADDR_MASK, want);
		/* ... and the other quadrant of the same guest table is unchanged. */
		assert_memory_equal(snapshot, other->spt, sizeof(snapshot));
		/* Keep the pages from being unshadowed as flooded (the guest uses them), and in
		 * sync (this checks update in place; test_mmu_unsync the other path). */
		mine->write_count = other->write_count = 0;
		mine->sync_writes = other->sync_writes = 0;
	}
	fixture_free(f);
}

/* issue 5: a PDE write in every quarter of a 32-bit page directory clears exactly the two
 * shadow entries of the matching quadrant; the other three quadrants are unchanged. */
static void test_32bit_pde_writes_every_quadrant(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pd = guest_table(f), pt = guest_table(f);
	struct paging_state ps = state_of(PAGING_32, pd, true, false, NULL);
	struct shadow_page *quarter[4];
	uint64_t snapshot[4][512];

	(void)state;
	gwrite(f, pt, 0x400000 | PT_P | PT_RW | PT_A | PT_D, 4);
	for (unsigned q = 0; q < 4; q++) {
		gwrite(f, pd + 4 * (256 * q + 3), pt | PT_P | PT_RW | PT_A, 4);
		expect_like_guest(f, &ps, (uint64_t)(256 * q + 3) << 22, 0, "PDE in each quarter");
		quarter[q] = find_sp(f, pd >> 12, 2, q);
		assert_non_null(quarter[q]);
	}
	for (unsigned pi = 0; pi < 1024; pi++) {
		unsigned q = pi / 256;

		for (unsigned k = 0; k < 4; k++)
			memcpy(snapshot[k], quarter[k]->spt, sizeof(snapshot[k]));
		gwrite(f, pd + 4 * pi, 0, 4);
		mmu_guest_wrote(&f->mmu, pd + 4 * pi, 4);
		/* mm/spte.h: a 32-bit guest without SMEP on a host with NX would get I/D = 1
		 * from a direct P = 0 fault: its absent entries are the marker. */
		assert_int_equal(quarter[q]->spt[2 * (pi % 256)], SPTE_TRAP);
		assert_int_equal(quarter[q]->spt[2 * (pi % 256) + 1], SPTE_TRAP);
		for (unsigned k = 0; k < 4; k++) {
			snapshot[q][2 * (pi % 256)] = SPTE_TRAP;
			snapshot[q][2 * (pi % 256) + 1] = SPTE_TRAP;
			assert_memory_equal(snapshot[k], quarter[k]->spt, sizeof(snapshot[k]));
		}
		for (unsigned k = 0; k < 4; k++)
			quarter[k]->write_count = 0;
	}
	fixture_free(f);
}

/* issue 5: a PAE guest writing an 8-byte PTE in two 4-byte halves never gets a half-written
 * shadow entry; a partial write clears, and the next access fills from the whole entry. */
static void test_pae_pte_written_in_halves(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pdpt = guest_table(f), pd = guest_table(f), pt = guest_table(f), hpa, want;
	uint64_t pdptes[4] = { pd | PT_P, 0, 0, 0 };
	struct paging_state ps = state_of(PAGING_PAE, pdpt, true, true, pdptes);
	uint64_t new_pte = 0x7000ULL | PT_P | PT_RW | PT_A | PT_D | PT_NX;
	struct shadow_page *sp;

	(void)state;
	gwrite(f, pd, pt | PT_P | PT_RW | PT_A, 8);
	gwrite(f, pt + 8 * 9, 0x6000 | PT_P | PT_RW | PT_A | PT_D, 8);
	expect_like_guest(f, &ps, 0x9000, 0, "before");
	sp = find_sp(f, pt >> 12, 1, 0);
	assert_non_null(sp);
	/* Low half (address and flags) first: the shadow entry is cleared, not half updated. */
	gwrite(f, pt + 8 * 9, (uint32_t)new_pte, 4);
	mmu_guest_wrote(&f->mmu, pt + 8 * 9, 4);
	assert_int_equal(sp->spt[9], SPTE_TRAP);	/* present in memory: the marker */
	gwrite(f, pt + 8 * 9 + 4, new_pte >> 32, 4);
	mmu_guest_wrote(&f->mmu, pt + 8 * 9 + 4, 4);
	assert_int_equal(sp->spt[9], SPTE_TRAP);
	expect_like_guest(f, &ps, 0x9000, WALK_WRITE, "after both halves");
	assert_true(shadow_allows(f, PAGING_PAE, f->mmu.root, 0x9000, 0, &hpa));
	assert_true(guest_mem_gpa_to_hpa(&f->gm, 0x7000, &want));
	assert_int_equal(hpa, want);
	assert_true(sp->spt[9] & PT_NX);
	/* A whole, present, accessed entry written at once is installed in place. (The page
	 * stays in sync: this checks update in place, test_mmu_unsync the other path.) */
	sp->sync_writes = 0;
	gwrite(f, pt + 8 * 9, 0x8000 | PT_P | PT_A, 8);
	mmu_guest_wrote(&f->mmu, pt + 8 * 9, 8);
	assert_true(guest_mem_gpa_to_hpa(&f->gm, 0x8000, &want));
	assert_int_equal(sp->spt[9] & PT_ADDR_MASK, want);
	assert_false(sp->spt[9] & PT_RW);
	/* Not accessed: cleared rather than installed; present in the guest: the marker. */
	gwrite(f, pt + 8 * 9, 0x8000 | PT_P, 8);
	mmu_guest_wrote(&f->mmu, pt + 8 * 9, 8);
	assert_int_equal(sp->spt[9], SPTE_TRAP);
	/* mm/spte.h: a PAE guest with NXE on a host with NX gets P = 0 faults directly. */
	gwrite(f, pt + 8 * 9, 0x8000, 8);
	mmu_guest_wrote(&f->mmu, pt + 8 * 9, 8);
	assert_int_equal(sp->spt[9], 0);
	fixture_free(f);
}

/* issue 5: a table the guest keeps writing without using it is unshadowed. */
static void test_flooding_unshadows(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pml4 = guest_table(f), pdpt = guest_table(f), pd = guest_table(f), pt = guest_table(f);
	struct paging_state ps = state_of(PAGING_4LEVEL, pml4, true, true, NULL);

	(void)state;
	gwrite(f, pml4, pdpt | PT_P | PT_RW, 8);
	gwrite(f, pdpt, pd | PT_P | PT_RW, 8);
	gwrite(f, pd, pt | PT_P | PT_RW, 8);
	gwrite(f, pt + 8, 0x1000 | PT_P | PT_RW | PT_A | PT_D, 8);
	expect_like_guest(f, &ps, 0x1000, 0, "table in use");
	assert_non_null(find_sp(f, pt >> 12, 1, 0));
	for (unsigned i = 0; i <= MMU_FLOOD_THRESHOLD; i++) {
		gwrite(f, pt + 8 * (100 + i), 0x1234, 8);
		mmu_guest_wrote(&f->mmu, pt + 8 * (100 + i), 8);
	}
	assert_null(find_sp(f, pt >> 12, 1, 0));
	assert_int_equal(f->mmu.stats.unshadowed, 1);
	/* The translation still works: the table is shadowed again when next used. */
	expect_like_guest(f, &ps, 0x1000, WALK_WRITE, "after unshadowing");
	fixture_free(f);
}

/* mm/spte.h in every paging mode: a fresh root page holds 0 for a not-present guest entry
 * only where a direct P = 0 fault has the guest's error code, the marker elsewhere. */
static void test_np_marker_every_mode(void **state)
{
	static const struct { enum paging_mode mode; bool nxe, smep, zero; } cases[] = {
		{ PAGING_4LEVEL, true, false, true }, { PAGING_4LEVEL, false, false, false },
		{ PAGING_4LEVEL, false, true, true }, { PAGING_32, false, false, false },
		{ PAGING_32, false, true, true },
	};

	(void)state;
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct fixture *f = fixture_new();
		uint64_t top = guest_table(f), next = guest_table(f);
		struct paging_state ps = state_of(cases[c].mode, top, true, cases[c].nxe, NULL);
		unsigned size = cases[c].mode == PAGING_32 ? 4 : 8;
		struct shadow_page *sp;

		if (cases[c].smep)
			ps.cr4 |= CR4_SMEP;
		gwrite(f, top + size * 1, next | PT_P | PT_RW, size);
		assert_int_not_equal(mmu_load_root(&f->mmu, &ps), 0);
		sp = find_sp(f, top >> 12, cases[c].mode == PAGING_32 ? 2 : 4, 0);
		assert_non_null(sp);
		/* 32-bit: guest PDE 1 is shadow entries 2 and 3 of quadrant 0. */
		assert_int_equal(sp->spt[0], cases[c].zero ? 0 : SPTE_TRAP);
		assert_int_equal(sp->spt[cases[c].mode == PAGING_32 ? 2 : 1], SPTE_TRAP);
		fixture_free(f);
	}
	/* Paging off: direct pages shadow no guest entry, every absent entry is the marker. */
	{
		struct fixture *f = fixture_new();
		struct paging_state ps = state_of(PAGING_OFF, 0, false, false, NULL);
		uint64_t *pdpt;
		struct shadow_page *sp;

		assert_int_not_equal(mmu_load_root(&f->mmu, &ps), 0);
		pdpt = (uint64_t *)(uintptr_t)f->mmu.pae_root;
		sp = sp_by_hpa(&f->mmu.cache, pdpt[0] & PT_ADDR_MASK);
		assert_non_null(sp);
		for (unsigned i = 0; i < 512; i++)
			assert_int_equal(sp->spt[i], SPTE_TRAP);
		fixture_free(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paging_off),
		cmocka_unit_test(test_32bit_quadrants),
		cmocka_unit_test(test_pae_pdptes_and_dirty),
		cmocka_unit_test(test_write_protect_and_roots),
		cmocka_unit_test(test_delivery_write_unshadows),
		cmocka_unit_test(test_delivery_wp0_write_is_fatal),
		cmocka_unit_test(test_4level_permissions),
		cmocka_unit_test(test_32bit_pte_writes_every_offset),
		cmocka_unit_test(test_32bit_pde_writes_every_quadrant),
		cmocka_unit_test(test_pae_pte_written_in_halves),
		cmocka_unit_test(test_flooding_unshadows),
		cmocka_unit_test(test_np_marker_every_mode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
