/*
 * PTE prefetch (mm/prefetch.c): a fault that fills a leaf also fills the present, accessed
 * neighbours of the same guest table, in the right quadrant, never setting an A or D bit the
 * guest did not set, writable only for D = 1, read-only over a shadowed guest table, and kept
 * right by later guest writes (the table is write-protected, so no value read can go stale).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "arch/pt.h"
#include "mm/guest_mem.h"
#include "mm/mmu.h"
#include "mm/walk.h"
#include "tests/unit/mmu_fixture.h"

#define TBL	(PT_P | PT_RW | PT_US)

/* A change of a guest entry that lands right before guest-memory read number countdown of a
 * fault: straight to memory when its table is not shadowed then (no trap), else deferred, as a
 * trapped write is handled in its own exit after this one. */
static struct {
	struct fixture *f;
	bool armed, fired, deferred;
	int countdown;
	uint64_t gpa, value;
} race;

bool __real_guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, size_t len);
bool __wrap_guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, size_t len);

bool __wrap_guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, size_t len)
{
	if (race.armed && !race.fired && race.countdown-- == 0) {
		race.fired = true;
		race.deferred = find_sp(race.f, race.gpa >> 12, 1, 0) != NULL;
		if (!race.deferred)
			assert_true(guest_mem_write(&race.f->gm, race.gpa, &race.value, 8));
	}
	return __real_guest_mem_read(gm, gpa, dst, len);
}

static uint64_t gread(struct fixture *f, uint64_t gpa, unsigned size)
{
	uint64_t v = 0;

	assert_true(guest_mem_read(&f->gm, gpa, &v, size));
	return v;
}

static uint64_t host_of(struct fixture *f, uint64_t gpa)
{
	uint64_t hpa;

	assert_true(guest_mem_gpa_to_hpa(&f->gm, gpa, &hpa));
	return hpa;
}

static struct paging_state ps_4level(uint64_t cr3)
{
	return (struct paging_state){ .cr3 = cr3, .cr0 = CR0_PE | CR0_PG | CR0_WP,
				      .cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA | EFER_NXE };
}

/* Takes the fault the processor would raise for a supervisor read of va; expects a fill. */
static void fault_read(struct fixture *f, const struct paging_state *ps, uint64_t va)
{
	struct mmu_outcome out;

	if (!f->mmu.root_valid)
		assert_int_not_equal(mmu_load_root(&f->mmu, ps), 0);
	mmu_page_fault(&f->mmu, ps, va, 0, 0, false, false, &out);
	assert_int_equal(out.action, MMU_RETRY);
}

/* What a shadow entry must hold for guest entry gpte: its leaf, else the marker of mm/spte.h
 * (0 for a not-present entry: these 4-level tests run with NXE on, so faults are exact). */
static uint64_t expected_spte(struct fixture *f, const struct shadow_page *sp, uint64_t gpte)
{
	uint64_t leaf = mmu_spte_from_gpte(&f->mmu, sp, gpte);

	return leaf ? leaf : (gpte & PT_P) ? f->mmu.trap : 0;
}

static void test_prefetch_rules_4level(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pml4 = guest_table(f), pdpt = guest_table(f), pd = guest_table(f);
	uint64_t pt = guest_table(f);
	struct paging_state ps = ps_4level(pml4);
	const uint64_t frame = 0x600000;
	uint64_t before[16];
	struct shadow_page *sp;

	(void)state;
	gwrite(f, pml4, pdpt | TBL | PT_A, 8);
	gwrite(f, pdpt, pd | TBL | PT_A, 8);
	gwrite(f, pd, pt | TBL | PT_A, 8);
	gwrite(f, pt + 8 * 0, (frame + 0x0000) | PT_P | PT_RW | PT_A | PT_D, 8);	/* faults */
	gwrite(f, pt + 8 * 1, (frame + 0x1000) | PT_P | PT_RW | PT_A | PT_D, 8);	/* RW */
	gwrite(f, pt + 8 * 2, (frame + 0x2000) | PT_P | PT_RW | PT_A, 8);	/* clean: RO */
	gwrite(f, pt + 8 * 3, (frame + 0x3000) | PT_P | PT_RW, 8);		/* A = 0: no */
	/* entry 4 not present */
	gwrite(f, pt + 8 * 5, pt | PT_P | PT_RW | PT_A | PT_D, 8);		/* the table: RO */
	gwrite(f, pt + 8 * 6, (frame + 0x6000) | PT_P | PT_US | PT_A | PT_NX, 8); /* user, XD */
	gwrite(f, pt + 8 * 7, (frame + 0x7000) | PT_P | PT_RW | PT_A | PT_D | (1ULL << 45), 8);
	gwrite(f, pt + 8 * 8, (frame + 0x8000) | PT_P | PT_RW | PT_A | PT_D, 8);	/* outside */
	for (unsigned i = 0; i < 16; i++)
		before[i] = gread(f, pt + 8 * i, 8);

	fault_read(f, &ps, 0);
	sp = find_sp(f, pt >> 12, 1, 0);
	assert_non_null(sp);
	assert_true(sp->spt[0] & PT_P);
	assert_int_equal(sp->spt[1], host_of(f, frame + 0x1000) | PT_P | PT_RW | PT_A | PT_D);
	assert_int_equal(sp->spt[2] & (PT_P | PT_RW), PT_P);
	assert_int_equal(sp->spt[2] & PT_ADDR_MASK, host_of(f, frame + 0x2000));
	/* mm/spte.h: a present guest entry that gives no leaf keeps "not yet shadowed"; a
	 * not-present one (NXE on: the error code is exact) is 0. */
	assert_int_equal(sp->spt[3], f->mmu.trap);
	assert_int_equal(sp->spt[4], 0);
	assert_int_equal(sp->spt[5] & (PT_P | PT_RW), PT_P);	/* a shadowed table stays RO */
	assert_int_equal(sp->spt[6] & (PT_P | PT_US | PT_NX | PT_RW), PT_P | PT_US | PT_NX);
	assert_int_equal(sp->spt[7], f->mmu.trap);	/* a reserved bit (above MAXPHYADDR 40) */
	assert_int_equal(sp->spt[8], f->mmu.trap);	/* outside the window */
	assert_int_equal(f->mmu.stats.prefetched, 4);
	/* No A or D bit set by prefetch: only the faulting entry was walked (it had A already). */
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(gread(f, pt + 8 * i, 8), before[i]);

	/* The table is write-protected, so a later change reaches the prefetched entry. */
	gwrite(f, pt + 8 * 1, (frame + 0x9000) | PT_P | PT_A, 8);
	mmu_guest_wrote(&f->mmu, pt + 8 * 1, 8);
	assert_int_equal(sp->spt[1] & (PT_ADDR_MASK | PT_RW), host_of(f, frame + 0x9000));
	gwrite(f, pt + 8 * 2, 0, 8);
	mmu_guest_wrote(&f->mmu, pt + 8 * 2, 8);
	assert_int_equal(sp->spt[2], 0);
	fixture_free(f);
}

/* 32-bit paging: quadrant 1's shadow holds guest entries 512-1023; prefetch reads them, not
 * the lower half's, and reads 4-byte entries. */
static void test_prefetch_quadrant(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pd = guest_table(f), pt = guest_table(f);
	struct paging_state ps = { .cr3 = pd, .cr0 = CR0_PE | CR0_PG | CR0_WP, .cr4 = CR4_PSE };
	struct shadow_page *sp;

	(void)state;
	gwrite(f, pd, pt | TBL | PT_A, 4);
	for (unsigned i = 0; i < 8; i++) {
		gwrite(f, pt + 4 * i, (0x400000 + i * 0x1000) | PT_P | PT_A, 4);
		gwrite(f, pt + 4 * (512 + i), (0x500000 + i * 0x1000) | PT_P | PT_A, 4);
	}
	fault_read(f, &ps, 512ULL << 12);
	sp = find_sp(f, pt >> 12, 1, 1);
	assert_non_null(sp);
	assert_null(find_sp(f, pt >> 12, 1, 0));
	for (unsigned i = 0; i < 8; i++) {
		assert_true(sp->spt[i] & PT_P);
		assert_int_equal(sp->spt[i] & PT_ADDR_MASK, host_of(f, 0x500000 + i * 0x1000));
	}
	assert_int_equal(f->mmu.stats.prefetched, 7);
	fixture_free(f);
}

/* A guest large page is mapped through direct pages: nothing is prefetched there. */
static void test_no_prefetch_under_large_page(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t pml4 = guest_table(f), pdpt = guest_table(f), pd = guest_table(f);
	struct paging_state ps = ps_4level(pml4);

	(void)state;
	gwrite(f, pml4, pdpt | TBL | PT_A, 8);
	gwrite(f, pdpt, pd | TBL | PT_A, 8);
	gwrite(f, pd, 0x800000 | TBL | PT_A | PT_D | PT_PS, 8);
	fault_read(f, &ps, 0x3000);
	assert_int_equal(f->mmu.stats.prefetched, 0);
	fixture_free(f);
}

/* A neighbour of the faulting entry changes before each guest-memory read of the fault in
 * turn (the walk's, the fetch's re-reads, the prefetch's): afterwards the prefetched shadow
 * entry always agrees with guest memory. */
static void test_prefetch_race(void **state)
{
	static const uint64_t values[] = { 0, 0x700000 | PT_P | PT_A, 0x701000 | PT_P | PT_RW };
	unsigned cases = 0, unseen = 0;

	(void)state;
	for (unsigned v = 0; v < 3; v++) {
		for (int n = 0;; n++) {
			struct fixture *f = fixture_new();
			uint64_t pml4 = guest_table(f), pdpt = guest_table(f), pd = guest_table(f);
			uint64_t pt = guest_table(f);
			struct paging_state ps = ps_4level(pml4);
			struct shadow_page *sp;

			gwrite(f, pml4, pdpt | TBL | PT_A, 8);
			gwrite(f, pdpt, pd | TBL | PT_A, 8);
			gwrite(f, pd, pt | TBL | PT_A, 8);
			gwrite(f, pt, 0x600000 | PT_P | PT_A, 8);
			gwrite(f, pt + 8, 0x601000 | PT_P | PT_RW | PT_A | PT_D, 8);
			assert_int_not_equal(mmu_load_root(&f->mmu, &ps), 0);
			race = (typeof(race)){ .f = f, .armed = true, .countdown = n,
					       .gpa = pt + 8, .value = values[v] };
			fault_read(f, &ps, 0);
			race.armed = false;
			if (!race.fired) {
				fixture_free(f);
				break;
			}
			cases++;
			unseen += !race.deferred;
			if (race.deferred) {
				gwrite(f, race.gpa, race.value, 8);
				mmu_guest_wrote(&f->mmu, race.gpa, 8);
			}
			sp = find_sp(f, pt >> 12, 1, 0);
			assert_non_null(sp);
			assert_int_equal(sp->spt[1], expected_spte(f, sp, race.value));
			fixture_free(f);
		}
	}
	assert_true(cases > 6 && unseen > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefetch_rules_4level),
		cmocka_unit_test(test_prefetch_quadrant),
		cmocka_unit_test(test_no_prefetch_under_large_page),
		cmocka_unit_test(test_prefetch_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
