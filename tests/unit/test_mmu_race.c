/*
 * The race between walk and fill (issue 13 item 9, shadow-mmu.md 5) on the host. Another vCPU
 * may change a guest paging-structure entry while Umbra handles a fault: after its walk read
 * the entry and before its fill is published. Every guest-memory read and guest-frame lookup
 * the MMU makes goes through a hook (the unit is linked with --wrap for guest_mem_read and
 * guest_mem_gpa_to_hpa), which lands the change right before the Nth of them, for every N, at
 * every level of the walk, with several kinds of change, with the tables shadowed beforehand
 * or not.
 *
 * A change to a table that is shadowed at that moment would trap in a real guest (the table is
 * mapped read-only everywhere), and the trapped write would be handled in its own exit: here it
 * is applied, with mmu_guest_wrote, after the fault returns. A change to a table not yet
 * shadowed goes straight to memory, unseen. Either way, once the fault returns, the shadow
 * must agree with guest memory: the audit finds nothing, and the access gets what the guest's
 * walk of the changed tables says.
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

/* The change in flight. */
static struct {
	struct fixture *f;
	bool armed, fired, deferred;
	int countdown;		/* reads left before the change lands */
	uint64_t gpa, value;
	unsigned size;
	unsigned reads;		/* guest-memory accesses while armed */
} race;

bool __real_guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, size_t len);
bool __wrap_guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, size_t len);
bool __real_guest_mem_gpa_to_hpa(const struct guest_mem *gm, uint64_t gpa, uint64_t *hpa);
bool __wrap_guest_mem_gpa_to_hpa(const struct guest_mem *gm, uint64_t gpa, uint64_t *hpa);

/* True when guest frame gfn has a shadow page of a guest table, so that writes to it trap. */
static bool frame_shadowed(struct fixture *f, uint64_t gfn)
{
	for (struct shadow_page *sp = sp_next_of_gfn(&f->mmu.cache, gfn, NULL); sp;
	     sp = sp_next_of_gfn(&f->mmu.cache, gfn, sp))
		if (!sp->role.direct)
			return true;
	return false;
}

/* Counts one access of the MMU to guest memory, and lands the change before the chosen one. */
static void race_point(const struct guest_mem *gm)
{
	if (!race.armed)
		return;
	race.reads++;
	if (race.fired || race.countdown-- != 0)
		return;
	race.fired = true;
	if (frame_shadowed(race.f, race.gpa >> 12))
		race.deferred = true;
	else
		assert_true(guest_mem_write(gm, race.gpa, &race.value, race.size));
}

/* Reads of guest memory (the walk, the re-check) and lookups of guest frames (creating a
 * shadow page, finding the frame to map) are the points where the change may land. */
bool __wrap_guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, size_t len)
{
	race_point(gm);
	return __real_guest_mem_read(gm, gpa, dst, len);
}

bool __wrap_guest_mem_gpa_to_hpa(const struct guest_mem *gm, uint64_t gpa, uint64_t *hpa)
{
	race_point(gm);
	return __real_guest_mem_gpa_to_hpa(gm, gpa, hpa);
}

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("    audit: %s\n", line);
}

/* Two complete sets of tables for one address: chain 0 maps it to frame 0x345000, chain 1 to
 * frame 0x456000. table[c][l] is chain c's table at level l (holding level-l entries). */
struct chains {
	enum paging_mode mode;
	unsigned levels, size;
	uint64_t va;
	uint64_t table[2][WALK_MAX_LEVELS];
	struct paging_state ps;
};

static uint64_t entry_gpa(const struct chains *c, unsigned chain, unsigned level)
{
	unsigned shift = c->mode == PAGING_32 ? 12 + 10 * (level - 1) : 12 + 9 * (level - 1);
	unsigned mask = c->mode == PAGING_32 ? 1023 : 511;

	return c->table[chain][level] + c->size * ((c->va >> shift) & mask);
}

/* The value of chain's entry at level, as the tables were built. */
static uint64_t entry_value(const struct chains *c, unsigned chain, unsigned level)
{
	uint64_t flags = PT_P | PT_RW | PT_US;

	if (level == 1)
		return (chain ? 0x456000 : 0x345000) | flags | PT_A | PT_D;
	return c->table[chain][level - 1] | flags;
}

/* Writes chain 0 (the live one) and chain 1 (the change's target) from scratch. */
static void chains_write(struct fixture *f, const struct chains *c)
{
	for (unsigned chain = 0; chain < 2; chain++)
		for (unsigned l = 1; l <= c->levels; l++)
			if (!(chain && l == c->levels))	/* one top table: CR3's */
				gwrite(f, entry_gpa(c, chain, l), entry_value(c, chain, l), c->size);
}

static void chains_init(struct fixture *f, struct chains *c, enum paging_mode mode)
{
	memset(c, 0, sizeof(*c));
	c->mode = mode;
	c->levels = mode == PAGING_4LEVEL ? 4 : 2;
	c->size = mode == PAGING_32 ? 4 : 8;
	c->va = mode == PAGING_4LEVEL ? 0x40201000ULL : mode == PAGING_PAE ? 0x201000 :
		(1ULL << 22) | (1ULL << 12);
	for (unsigned chain = 0; chain < 2; chain++)
		for (unsigned l = 1; l <= c->levels; l++)
			c->table[chain][l] = chain && l == c->levels ? c->table[0][l] :
					     guest_table(f);
	c->ps = (struct paging_state){ .cr0 = CR0_PE | CR0_PG | CR0_WP,
				       .cr4 = mode == PAGING_32 ? 0 : CR4_PAE,
				       .efer = EFER_NXE };
	if (mode == PAGING_4LEVEL) {
		c->ps.efer |= EFER_LME | EFER_LMA;
		c->ps.cr3 = c->table[0][4];
	} else if (mode == PAGING_PAE) {
		/* The PDPTE registers name chain 0's directory; the PDPT itself is not walked. */
		uint64_t pdpt = guest_table(f);

		c->ps.cr3 = pdpt;
		c->ps.pdptes[0] = c->table[0][2] | PT_P;
		gwrite(f, pdpt, c->ps.pdptes[0], 8);
	} else {
		c->ps.cr3 = c->table[0][2];
	}
	chains_write(f, c);
}

enum change { TO_OTHER_CHAIN, NOT_PRESENT, READ_ONLY, SUPERVISOR, CLEARED_AD, CHANGES };
static const char *const change_names[CHANGES] = {
	"names the other chain", "not present", "read-only", "supervisor", "A and D cleared",
};

static uint64_t changed_value(const struct chains *c, unsigned level, enum change k)
{
	uint64_t v = entry_value(c, 0, level) | PT_A | (level == 1 ? PT_D : 0);

	switch (k) {
	case TO_OTHER_CHAIN:
		return entry_value(c, 1, level);
	case NOT_PRESENT:
		return 0;
	case READ_ONLY:
		return v & ~(uint64_t)PT_RW;
	case SUPERVISOR:
		return v & ~(uint64_t)PT_US;
	default:
		return v & ~(uint64_t)(PT_A | PT_D);
	}
}

struct tally {
	unsigned cases, raced, deferred, retried;
	unsigned stale[WALK_MAX_LEVELS];	/* cases left inconsistent, by changed level */
};

/* Reports one inconsistent case (the first few in full) and counts it. */
static void stale(struct tally *t, unsigned level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void stale(struct tally *t, unsigned level, const char *fmt, ...)
{
	va_list ap;
	unsigned total = 0;

	for (unsigned l = 0; l < WALK_MAX_LEVELS; l++)
		total += t->stale[l];
	t->stale[level]++;
	if (total >= 8)
		return;
	va_start(ap, fmt);
	printf("  stale: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

/*
 * One case: a user write to c->va faults (the shadow has nothing, or only its upper tables
 * when warm), and the change lands before guest-memory access number n of that fault. Returns
 * false when the fault made fewer than n + 1 of them (n is past the end).
 */
static bool run_case(struct fixture *f, struct chains *c, unsigned level, enum change k,
		     bool warm, unsigned n, struct tally *t)
{
	struct hw_access a = { .va = c->va, .kind = HW_WRITE, .cpl = 3 };
	struct mmu_audit_report rep;
	struct mmu_outcome out;
	struct walk_result w;
	struct hw_outcome o;
	uint64_t retries, want = 0;
	uint32_t pfec;

	chains_write(f, c);
	mmu_reset(&f->mmu);
	assert_int_not_equal(mmu_load_root(&f->mmu, &c->ps), 0);
	if (warm) {
		/* A read of a page 8 entries further shadows every table of the walk beforehand;
		 * its fill's prefetch window (8 aligned entries, mm/prefetch.c) does not reach
		 * c->va's entry (index 1), so the write below faults with only the upper tables
		 * shadowed. */
		struct hw_access r = { .va = c->va + 0x8000, .cpl = 3 };

		gwrite(f, entry_gpa(c, 0, 1) + 8 * c->size, 0x347000 | PT_P | PT_US | PT_A,
		       c->size);
		assert_false(hw_run(f, &c->ps, &r).faulted);
	}
	assert_false(hw_translate(f, &c->ps, &a, &o.hpa, &pfec));
	race = (typeof(race)){ .f = f, .armed = true, .countdown = (int)n,
			       .gpa = entry_gpa(c, 0, level), .value = changed_value(c, level, k),
			       .size = c->size };
	retries = f->mmu.stats.retries;
	mmu_page_fault(&f->mmu, &c->ps, c->va, pfec, 3, false, false, &out);
	race.armed = false;
	if (!race.fired)
		return false;
	t->cases++;
	t->raced += !race.deferred;
	t->deferred += race.deferred;
	t->retried += f->mmu.stats.retries != retries;
	if (out.action == MMU_GUEST_FATAL)
		fail_msg("guest stopped: %s", out.why);
	/* A write that trapped is handled in its own exit, after this one. */
	if (race.deferred) {
		gwrite(f, race.gpa, race.value, race.size);
		mmu_guest_wrote(&f->mmu, race.gpa, race.size);
	}
	mmu_audit(&f->mmu, &c->ps, NULL, NULL, &rep);
	if (rep.violations) {
		stale(t, level, "%s: level %u entry %s before access %u (%s, %s): %u audit "
		      "violations", paging_mode_name(c->mode), level, change_names[k], n,
		      warm ? "warm" : "cold", race.deferred ? "trapped" : "unseen", rep.violations);
		if (t->stale[level] == 1)
			mmu_audit(&f->mmu, &c->ps, print_line, NULL, &rep);
		return true;
	}
	/* And the access now gets what the changed tables say. */
	hw_guest_walk(f, &c->ps, &a, &w);
	o = hw_run(f, &c->ps, &a);
	if (!w.fault)
		assert_true(guest_mem_gpa_to_hpa(&f->gm, w.gpa & ~0xfffULL, &want));
	if (o.faulted != w.fault || (w.fault && o.pfec != w.pfec) || (!w.fault && o.hpa != want))
		stale(t, level, "%s: level %u entry %s before access %u (%s): access %s, guest %s",
		      paging_mode_name(c->mode), level, change_names[k], n, warm ? "warm" : "cold",
		      o.faulted ? "faults" : "goes through", w.fault ? "faults" : "allows it");
	return true;
}

static void run_mode(enum paging_mode mode)
{
	struct fixture *f = fixture_new();
	struct chains c;
	struct tally t = { 0 };

	chains_init(f, &c, mode);
	for (unsigned level = 1; level <= c.levels; level++)
		for (int k = 0; k < CHANGES; k++)
			for (int warm = 0; warm < 2; warm++)
				for (unsigned n = 0; run_case(f, &c, level, k, warm, n, &t); n++)
					;
	printf("%s: %u changes landed (%u unseen, %u trapped), %u fetches retried; left stale, "
	       "by level changed: L1 %u L2 %u L3 %u L4 %u\n", paging_mode_name(mode), t.cases,
	       t.raced, t.deferred, t.retried, t.stale[1], t.stale[2], t.stale[3], t.stale[4]);
	for (unsigned l = 1; l <= c.levels; l++)
		assert_int_equal(t.stale[l], 0);
	assert_true(t.raced > 0 && t.retried > 0);
	fixture_free(f);
}

static void test_race_4level(void **state)
{
	(void)state;
	run_mode(PAGING_4LEVEL);
}

static void test_race_pae(void **state)
{
	(void)state;
	run_mode(PAGING_PAE);
}

static void test_race_32bit(void **state)
{
	(void)state;
	run_mode(PAGING_32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_race_4level),
		cmocka_unit_test(test_race_pae),
		cmocka_unit_test(test_race_32bit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
