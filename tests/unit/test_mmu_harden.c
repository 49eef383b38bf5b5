/*
 * Shadow-MMU hardening tests (issue 13, item 8) on the host. The processor of tests/unit/mmu_hw.h
 * walks the shadow tables with the real control bits (CR0.WP = 1, the guest's SMEP and SMAP)
 * and knows the CPL, EFLAGS.AC and implicit accesses; every outcome is checked against the
 * guest's own walk, and the audit must stay clean:
 *   - CR4.PSE toggled under a live 32-bit page directory (PDE.PS changes meaning);
 *   - the D flag of a large page mapped through 4 KiB shadow pieces, cleared by the guest, and
 *     of an alias of the same frames;
 *   - every pair of accesses (supervisor, user, implicit at CPL 0 and 3, EFLAGS.AC 0 and 1) over
 *     every U/S, R/W, D (and XD) at two levels, under every CR0.WP, CR4.SMEP, CR4.SMAP: what one
 *     access leaves in the shadow must not change what the next one gets, and no access may
 *     fault into Umbra forever;
 *   - CR0.WP = 0 with SMEP on a host without XD.
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
#include "mm/guest_mem.h"
#include "mm/mmu.h"
#include "mm/mmu_audit.h"
#include "mm/pmm.h"
#include "mm/walk.h"

#include "tests/unit/mmu_fixture.h"
#include "tests/unit/mmu_hw.h"

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("    audit: %s\n", line);
}

static void expect_audit_clean(struct fixture *f, const struct paging_state *ps, const char *what)
{
	struct mmu_audit_report rep;

	mmu_audit(&f->mmu, ps, print_line, NULL, &rep);
	if (rep.violations)
		fail_msg("%s: %u audit violations", what, rep.violations);
}

static struct paging_state state(enum paging_mode mode, uint64_t cr3, uint64_t cr0_bits,
				 uint64_t cr4_bits, bool nxe)
{
	struct paging_state ps = { .cr3 = cr3 };

	ps.cr0 = CR0_PE | CR0_PG | cr0_bits;
	ps.cr4 = (mode == PAGING_32 ? 0 : CR4_PAE) | cr4_bits;
	ps.efer = (nxe ? EFER_NXE : 0) | (mode == PAGING_4LEVEL ? EFER_LME | EFER_LMA : 0);
	return ps;
}

static uint64_t host_of(struct fixture *f, uint64_t gpa)
{
	uint64_t hpa;

	assert_true(guest_mem_gpa_to_hpa(&f->gm, gpa & ~0xfffULL, &hpa));
	return hpa;
}

static uint64_t gread(struct fixture *f, uint64_t gpa, unsigned size)
{
	uint64_t v = 0;

	assert_true(guest_mem_read(&f->gm, gpa, &v, size));
	return v;
}

/* A guest write to one of its tables, as Umbra sees it: the store, then mmu_guest_wrote. */
static void guest_store(struct fixture *f, uint64_t gpa, uint64_t value, unsigned size)
{
	gwrite(f, gpa, value, size);
	mmu_guest_wrote(&f->mmu, gpa, size);
}

static struct hw_outcome access_at(struct fixture *f, const struct paging_state *ps, uint64_t va,
				   enum hw_kind kind)
{
	struct hw_access a = { .va = va, .kind = kind };

	return hw_run(f, ps, &a);
}

/* ---- CR4.PSE ------------------------------------------------------------------------------ */

/* SDM 4.3: a 32-bit PDE with PS = 1 maps a 4 MiB page when CR4.PSE = 1; with PSE = 0 the bit is
 * ignored and the PDE names a page table. The PDE here names frame 0x800000 either way: as a
 * page, or as a table whose entry 1 maps frame 0x345000. */
static void test_pse_toggle(void **state_)
{
	struct fixture *f = fixture_new();
	uint64_t pd = guest_table(f), va = (5ULL << 22) | 0x1000;
	struct paging_state on = state(PAGING_32, pd, CR0_WP, CR4_PSE, false);
	struct paging_state off = state(PAGING_32, pd, CR0_WP, 0, false);
	struct hw_outcome o;

	(void)state_;
	gwrite(f, pd + 4 * 5, 0x800000 | PT_P | PT_RW | PT_PS | PT_A | PT_D, 4);
	assert_true(guest_mem_zero(&f->gm, 0x800000, 4096));
	gwrite(f, 0x800000 + 4 * 1, 0x345000 | PT_P | PT_RW | PT_A | PT_D, 4);
	for (int round = 0; round < 2; round++) {
		/* The guest's MOV to CR4 changes PSE: Umbra loads the root for the new state. */
		mmu_load_root(&f->mmu, &on);
		o = access_at(f, &on, va, HW_READ);
		assert_false(o.faulted);
		assert_int_equal(o.hpa, host_of(f, 0x801000));
		expect_audit_clean(f, &on, "PSE=1");
		mmu_load_root(&f->mmu, &off);
		o = access_at(f, &off, va, HW_READ);
		assert_false(o.faulted);
		assert_int_equal(o.hpa, host_of(f, 0x345000));
		expect_audit_clean(f, &off, "PSE=0");
	}
	/* And from the page-table meaning to the 4 MiB one, the other way around. */
	mmu_reset(&f->mmu);
	mmu_load_root(&f->mmu, &off);
	assert_int_equal(access_at(f, &off, va, HW_READ).hpa, host_of(f, 0x345000));
	mmu_load_root(&f->mmu, &on);
	assert_int_equal(access_at(f, &on, va, HW_READ).hpa, host_of(f, 0x801000));
	expect_audit_clean(f, &on, "PSE=0 then 1");
	fixture_free(f);
}

/* ---- D of large pages --------------------------------------------------------------------- */

struct large_case {
	const char *name;
	enum paging_mode mode;
	unsigned size;		/* 4 (32-bit entries) or 8 */
	uint64_t page;		/* bytes of the large page */
};

/*
 * SDM 4.8: a write through a large page sets D in its entry. Umbra maps it through direct
 * tables of 4 KiB pieces: a clean page's pieces must be read-only, including after the guest
 * clears D again, and an alias of the same frames (another entry, clean) has its own D.
 */
static void run_large_dirty(const struct large_case *c)
{
	struct fixture *f = fixture_new();
	uint64_t top = guest_table(f), pd, va, alias, pde, alias_pde, frame = 0xc00000;
	uint64_t large = frame | PT_P | PT_RW | PT_PS;
	struct paging_state ps;

	if (c->mode == PAGING_4LEVEL) {
		uint64_t pdpt = guest_table(f);

		pd = guest_table(f);
		gwrite(f, top, pdpt | PT_P | PT_RW | PT_US, 8);
		gwrite(f, pdpt, pd | PT_P | PT_RW | PT_US, 8);
		ps = state(c->mode, top, CR0_WP, 0, true);
		va = 5 * c->page;
		alias = 9 * c->page;
		pde = pd + 8 * 5;
		alias_pde = pd + 8 * 9;
	} else if (c->mode == PAGING_PAE) {
		pd = guest_table(f);
		gwrite(f, top, pd | PT_P, 8);
		ps = state(c->mode, top, CR0_WP, 0, true);
		ps.pdptes[0] = pd | PT_P;
		va = 5 * c->page;
		alias = 9 * c->page;
		pde = pd + 8 * 5;
		alias_pde = pd + 8 * 9;
	} else {
		pd = top;
		ps = state(c->mode, top, CR0_WP, CR4_PSE, false);
		va = 5 * c->page;
		alias = 9 * c->page;
		pde = pd + 4 * 5;
		alias_pde = pd + 4 * 9;
	}
	gwrite(f, pde, large, c->size);
	gwrite(f, alias_pde, large, c->size);

	for (unsigned i = 0; i < 3; i++)
		assert_false(access_at(f, &ps, va + i * 0x1000, HW_READ).faulted);
	assert_false(gread(f, pde, c->size) & PT_D);
	expect_audit_clean(f, &ps, c->name);
	assert_false(access_at(f, &ps, va + 0x1000, HW_WRITE).faulted);
	assert_true(gread(f, pde, c->size) & PT_D);
	assert_false(access_at(f, &ps, va + 0x2000, HW_WRITE).faulted);
	assert_false(access_at(f, &ps, va + c->page - 0x1000, HW_WRITE).faulted);
	expect_audit_clean(f, &ps, c->name);

	/* The guest clears D (its write to the directory is seen) and invalidates the page. */
	guest_store(f, pde, gread(f, pde, c->size) & ~(uint64_t)PT_D, c->size);
	mmu_invlpg(&f->mmu, &ps, va);
	assert_false(access_at(f, &ps, va, HW_READ).faulted);
	assert_false(gread(f, pde, c->size) & PT_D);
	expect_audit_clean(f, &ps, c->name);
	assert_false(access_at(f, &ps, va + 0x2000, HW_WRITE).faulted);
	if (!(gread(f, pde, c->size) & PT_D))
		fail_msg("%s: a write to another piece after D was cleared left D clear", c->name);
	expect_audit_clean(f, &ps, c->name);

	/* The alias of the (dirty) page reads clean and gets its own D from its first write. */
	assert_false(access_at(f, &ps, alias + 0x2000, HW_READ).faulted);
	assert_false(gread(f, alias_pde, c->size) & PT_D);
	assert_false(access_at(f, &ps, alias + 0x2000, HW_WRITE).faulted);
	if (!(gread(f, alias_pde, c->size) & PT_D))
		fail_msg("%s: a write through the alias left the alias's D clear", c->name);
	expect_audit_clean(f, &ps, c->name);
	fixture_free(f);
}

static void test_large_page_dirty(void **state_)
{
	static const struct large_case cases[] = {
		{ "32-bit 4 MiB", PAGING_32, 4, 4ULL << 20 },
		{ "PAE 2 MiB", PAGING_PAE, 8, 2ULL << 20 },
		{ "4-level 2 MiB", PAGING_4LEVEL, 8, 2ULL << 20 },
	};

	(void)state_;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_large_dirty(&cases[i]);
}

/* ---- rights: every pair of accesses ------------------------------------------------------- */

static const struct hw_access kinds[] = {
	{ .kind = HW_READ },
	{ .kind = HW_READ, .ac = true },
	{ .kind = HW_WRITE },
	{ .kind = HW_WRITE, .ac = true },
	{ .kind = HW_FETCH },
	{ .kind = HW_READ, .cpl = 3 },
	{ .kind = HW_WRITE, .cpl = 3 },
	{ .kind = HW_FETCH, .cpl = 3 },
	{ .kind = HW_READ, .cpl = 3, .implicit = true },
	{ .kind = HW_READ, .cpl = 3, .implicit = true, .ac = true },
	{ .kind = HW_WRITE, .cpl = 3, .implicit = true },
	{ .kind = HW_WRITE, .cpl = 3, .implicit = true, .ac = true },
	{ .kind = HW_READ, .implicit = true },
	{ .kind = HW_READ, .implicit = true, .ac = true },
	{ .kind = HW_WRITE, .implicit = true },
	{ .kind = HW_WRITE, .implicit = true, .ac = true },
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

/* The tables of one matrix: a page directory entry and a PTE on the way to va. */
struct matrix {
	struct fixture *f;
	enum paging_mode mode;
	unsigned size;
	uint64_t top, pde_gpa, pte_gpa, va, frame;
	unsigned checked, unchecked;
};

static void describe(char *buf, size_t n, const struct hw_access *a)
{
	static const char *const kind[] = { "read", "write", "fetch" };

	snprintf(buf, n, "%s%s cpl %u%s", a->implicit ? "implicit " : "", kind[a->kind], a->cpl,
		 a->ac ? " AC" : "");
}

/* One access checked against the guest's walk: the fault and its error code, or the frame,
 * A and D (SDM 4.7, 4.8). */
static void check_access(struct matrix *mx, const struct paging_state *ps,
			 const struct hw_access *proto, const char *ctx)
{
	struct fixture *f = mx->f;
	struct hw_access a = *proto;
	struct walk_result w;
	struct hw_outcome o;
	uint64_t before, after;
	char what[48];

	a.va = mx->va;
	describe(what, sizeof(what), &a);
	hw_guest_walk(f, ps, &a, &w);
	before = gread(f, mx->pte_gpa, mx->size);
	o = hw_run(f, ps, &a);
	after = gread(f, mx->pte_gpa, mx->size);
	if (o.emulate_implicit) {
		mx->unchecked++;
		return;
	}
	mx->checked++;
	if (w.fault) {
		if (!o.faulted || o.pfec != w.pfec)
			fail_msg("%s, %s: the guest faults with %x, got %s %x", ctx, what, w.pfec,
				 o.faulted ? "#PF" : "no fault", o.pfec);
		/*
		 * A faulting write sets no D. Not checked for implicit accesses at CPL 0 with
		 * AC = 1: Umbra first takes them for explicit ones (the error code cannot tell),
		 * walks and fills, and learns otherwise from the processor's second fault.
		 */
		if (!(a.implicit && a.cpl == 0 && a.ac) && ((before ^ after) & PT_D))
			fail_msg("%s, %s: a faulting access changed D", ctx, what);
		return;
	}
	if (o.faulted)
		fail_msg("%s, %s: the guest allows it, got #PF %x", ctx, what, o.pfec);
	if (o.hpa != host_of(f, w.gpa))
		fail_msg("%s, %s: reached host %llx, expected %llx", ctx, what,
			 (unsigned long long)o.hpa, (unsigned long long)host_of(f, w.gpa));
	if (!(after & PT_A) || (a.kind == HW_WRITE && !(after & PT_D)))
		fail_msg("%s, %s: PTE %llx lacks A or D", ctx, what, (unsigned long long)after);
}

/* Entry bits of case bits: PDE U/S and R/W, PTE U/S, R/W and D, and with XD the PTE's XD. */
static uint64_t pde_flags(unsigned bits)
{
	return PT_P | ((bits & 1) ? PT_US : 0) | ((bits & 2) ? PT_RW : 0);
}

static uint64_t pte_flags(unsigned bits)
{
	return PT_P | ((bits & 4) ? PT_US : 0) | ((bits & 8) ? PT_RW : 0) |
	       ((bits & 16) ? PT_D : 0) | ((bits & 32) ? PT_NX : 0);
}

static void run_matrix(enum paging_mode mode)
{
	struct matrix mx = { .f = fixture_new(), .mode = mode, .size = mode == PAGING_32 ? 4 : 8,
			     .frame = 0x345000 };
	struct fixture *f = mx.f;
	unsigned nbits = mode == PAGING_32 ? 32 : 64;
	uint64_t pd, pt = guest_table(f);

	mx.top = guest_table(f);
	if (mode == PAGING_4LEVEL) {
		uint64_t pdpt = guest_table(f);

		pd = guest_table(f);
		gwrite(f, mx.top, pdpt | PT_P | PT_RW | PT_US, 8);
		gwrite(f, mx.top + 8, pdpt | PT_P | PT_RW | PT_US, 8);
		gwrite(f, pdpt, pd | PT_P | PT_RW | PT_US, 8);
		mx.va = 0x8000201000ULL;	/* PML4E 1, PDPTE 0, PDE 1, PTE 1 */
		mx.pde_gpa = pd + 8;
		mx.pte_gpa = pt + 8;
	} else {
		pd = mx.top;
		mx.va = (3ULL << 22) | (700ULL << 12);	/* PDE 3, PTE 700 (upper half) */
		mx.pde_gpa = pd + 4 * 3;
		mx.pte_gpa = pt + 4 * 700;
	}
	for (unsigned bits = 0; bits < nbits; bits++) {
		for (unsigned ctl = 0; ctl < 8; ctl++) {
			struct paging_state ps = state(mode, mx.top, (ctl & 1) ? CR0_WP : 0,
						       ((ctl & 2) ? CR4_SMEP : 0) |
						       ((ctl & 4) ? CR4_SMAP : 0), true);
			char ctx[96];

			snprintf(ctx, sizeof(ctx), "%s PDE %llx PTE %llx wp %u smep %u smap %u",
				 paging_mode_name(mode), (unsigned long long)pde_flags(bits),
				 (unsigned long long)pte_flags(bits), ctl & 1, !!(ctl & 2),
				 !!(ctl & 4));
			for (unsigned i = 0; i < NKINDS; i++) {
				for (unsigned j = 0; j < NKINDS; j++) {
					gwrite(f, mx.pde_gpa, pt | pde_flags(bits), mx.size);
					gwrite(f, mx.pte_gpa, mx.frame | pte_flags(bits), mx.size);
					mmu_reset(&f->mmu);
					check_access(&mx, &ps, &kinds[i], ctx);
					check_access(&mx, &ps, &kinds[j], ctx);
				}
			}
			expect_audit_clean(f, &ps, ctx);
		}
	}
	printf("%s: %u accesses checked; %u implicit CPL 0 AC=1 writes handed to the emulator "
	       "(mmu_hw.h: known limit)\n", paging_mode_name(mode), mx.checked, mx.unchecked);
	fixture_free(f);
}

static void test_rights_matrix_4level(void **state_)
{
	(void)state_;
	run_matrix(PAGING_4LEVEL);
}

static void test_rights_matrix_32bit(void **state_)
{
	(void)state_;
	run_matrix(PAGING_32);
}

/* ---- implicit supervisor accesses ------------------------------------------------------- */

/*
 * SDM 4.6: a descriptor-table read is a supervisor access at any CPL, and SMAP applies to it
 * whatever EFLAGS.AC. With the page already mapped for user mode (the processor then refuses
 * the access with P = 1, the shadow entry allowing it as an explicit one) and without (P = 0),
 * at CPL 3 and 0: #PF with U/S = 0, and never a fault into Umbra without end.
 */
static void test_implicit_smap(void **state_)
{
	struct fixture *f = fixture_new();
	uint64_t pml4 = guest_table(f), pdpt = guest_table(f), pd = guest_table(f),
		 pt = guest_table(f), va = 0x7000;
	struct paging_state ps = state(PAGING_4LEVEL, pml4, CR0_WP, CR4_SMAP, true);

	(void)state_;
	gwrite(f, pml4, pdpt | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pdpt, pd | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pd, pt | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pt + 8 * 7, 0x7000 | PT_P | PT_RW | PT_US | PT_A | PT_D, 8);
	for (unsigned cpl = 0; cpl <= 3; cpl += 3) {
		for (int mapped = 0; mapped < 2; mapped++) {
			struct hw_access user = { .va = va, .cpl = 3 };
			struct hw_access implicit = { .va = va, .cpl = cpl, .implicit = true,
						      .ac = true };
			struct hw_outcome o;

			mmu_reset(&f->mmu);
			if (mapped)
				assert_false(hw_run(f, &ps, &user).faulted);
			o = hw_run(f, &ps, &implicit);
			assert_true(o.faulted);
			assert_int_equal(o.pfec, PFEC_P);
			implicit.kind = HW_WRITE;
			o = hw_run(f, &ps, &implicit);
			assert_true(o.faulted);
			assert_int_equal(o.pfec, PFEC_P | PFEC_W);
			/* An explicit supervisor read with AC = 1 is allowed (CPL 0 only). */
			implicit.kind = HW_READ;
			implicit.implicit = false;
			implicit.cpl = 0;
			assert_false(hw_run(f, &ps, &implicit).faulted);
			expect_audit_clean(f, &ps, "implicit");
		}
	}
	fixture_free(f);
}

/* ---- CR0.WP = 0 and SMEP without XD on the host ------------------------------------------ */

/* Without XD in the shadow, a supervisor-only entry cannot keep SMEP's verdict on a user page:
 * the WP = 0 write is emulated, and the entry stays a user entry. */
static void test_wp0_smep_without_host_xd(void **state_)
{
	struct fixture *f = fixture_new();
	uint64_t pml4 = guest_table(f), pdpt = guest_table(f), pd = guest_table(f),
		 pt = guest_table(f), va = 0x7000, word = 0;
	struct paging_state ps = state(PAGING_4LEVEL, pml4, 0, CR4_SMEP, false);
	struct hw_access wr = { .va = va, .kind = HW_WRITE }, fe = { .va = va, .kind = HW_FETCH };
	struct hw_outcome o;

	(void)state_;
	f->mmu.cpu.host_nx = false;
	gwrite(f, pml4, pdpt | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pdpt, pd | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pd, pt | PT_P | PT_RW | PT_US, 8);
	gwrite(f, pt + 8 * 7, 0x7000 | PT_P | PT_US, 8);
	o = hw_run(f, &ps, &wr);
	assert_false(o.faulted);
	assert_true(o.emulated);
	assert_true(guest_mem_read(&f->gm, 0x7000, &word, 4));
	assert_int_equal(word, 0x5a5a5a5a);
	o = hw_run(f, &ps, &fe);
	assert_true(o.faulted);
	assert_int_equal(o.pfec, PFEC_P | PFEC_I);
	assert_int_equal(f->mmu.stats.wp0_emulated_writes, 1);
	expect_audit_clean(f, &ps, "WP=0, SMEP, no host XD");
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pse_toggle),
		cmocka_unit_test(test_large_page_dirty),
		cmocka_unit_test(test_implicit_smap),
		cmocka_unit_test(test_wp0_smep_without_host_xd),
		cmocka_unit_test(test_rights_matrix_32bit),
		cmocka_unit_test(test_rights_matrix_4level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
