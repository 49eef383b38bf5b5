/* Host tests of the shadow pool: sizing, hash collisions, parent lists beyond 8, LRU eviction
 * order with the active root kept and roots last, exhaustion evicting instead of resetting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "mmu_fixture.h"
#include "mm/shadow_pool.h"
#include "arch/pt.h"

static union sp_role role_l1(void)
{
	union sp_role r = { .word = 0 };

	r.level = 1;
	return r;
}

static void test_sizing(void **state)
{
	struct shadow_pool p;

	(void)state;
	assert_false(shadow_pool_from_bytes(64 << 10, &p));
	assert_true(shadow_pool_from_bytes(256 << 10, &p));
	assert_true(p.pages >= SHADOW_POOL_MIN_PAGES);
	assert_true(shadow_pool_bytes(&p) <= 256 << 10);
	assert_int_equal(p.rmap_entries, p.pages * SHADOW_POOL_RMAP_PER_PAGE);
	assert_true(shadow_pool_from_bytes(32ULL << 20, &p));
	assert_true(shadow_pool_bytes(&p) <= 32ULL << 20);
	assert_true(p.pages > 5000 && p.pages < 8192);
	assert_int_equal(shadow_mem_default(512ULL << 20), SHADOW_MEM_DEFAULT_MIN);
	assert_int_equal(shadow_mem_default(4ULL << 30), 128ULL << 20);
	assert_int_equal(shadow_mem_default(1ULL << 40), SHADOW_MEM_DEFAULT_MAX);
	/* The smallest default pool holds the 4096 shadow pages of the fixed pool before it. */
	assert_true(shadow_pool_from_bytes(SHADOW_MEM_DEFAULT_MIN, &p));
	assert_true(p.pages >= 4096);
}

static void test_hash_collisions(void **state)
{
	struct fixture *f = fixture_new();
	struct sp_cache *c = &f->mmu.cache;
	uint64_t gfns[12];
	unsigned n = 0, b = sp_gfn_bucket(c, 1);
	bool created;

	(void)state;
	for (uint64_t g = 1; n < 12; g++)
		if (sp_gfn_bucket(c, g) == b)
			gfns[n++] = g;
	for (unsigned i = 0; i < n; i++)
		assert_non_null(sp_get(c, gfns[i], role_l1(), &created));
	sp_free(c, sp_lookup(c, gfns[5], role_l1()));
	for (unsigned i = 0; i < n; i++) {
		struct shadow_page *sp = sp_lookup(c, gfns[i], role_l1());

		if (i == 5) {
			assert_null(sp);
			continue;
		}
		assert_non_null(sp);
		assert_int_equal(sp->gfn, gfns[i]);
		assert_ptr_equal(sp_by_hpa(c, sp->hpa), sp);
	}
	fixture_free(f);
}

static void test_parents_beyond_8(void **state)
{
	struct fixture *f = fixture_new();
	struct sp_cache *c = &f->mmu.cache;
	union sp_role up = role_l1();
	struct shadow_page *child, *parent;
	bool created;

	(void)state;
	up.level = 2;
	child = sp_get(c, 100, role_l1(), &created);
	parent = sp_get(c, 200, up, &created);
	for (unsigned i = 0; i < 40; i++) {
		parent->spt[i] = child->hpa | PT_P | PT_RW;
		assert_true(sp_add_parent(c, child, &parent->spt[i]));
	}
	assert_int_equal(child->nparents, 40);
	mmu_zap_page(&f->mmu, child);
	assert_int_equal(f->mmu.stats.resets, 0);
	for (unsigned i = 0; i < 40; i++)
		assert_int_equal(parent->spt[i], f->mmu.trap);	/* "not yet shadowed" (mm/spte.h) */
	assert_int_equal(c->links_used, 0);
	fixture_free(f);
}

static void test_eviction_order(void **state)
{
	struct fixture *f = fixture_new();
	struct mmu *m = &f->mmu;
	struct sp_cache *c = &m->cache;
	struct shadow_page *a, *b, *old_root, *active;
	union sp_role r4 = role_l1();
	bool created;

	(void)state;
	r4.level = 4;
	active = sp_get(c, 1, r4, &created);
	sp_mark_root(c, active);
	m->root_sp = active;
	active->root_count = 1;
	old_root = sp_get(c, 2, r4, &created);
	sp_mark_root(c, old_root);
	a = sp_get(c, 10, role_l1(), &created);
	b = sp_get(c, 11, role_l1(), &created);
	assert_ptr_equal(mmu_evict_victim(m), a);
	sp_get(c, 10, role_l1(), &created);	/* a used again: b is the oldest */
	assert_ptr_equal(mmu_evict_victim(m), b);
	mmu_zap_page(m, b);
	mmu_zap_page(m, a);
	assert_ptr_equal(mmu_evict_victim(m), old_root);	/* cached roots last */
	mmu_zap_page(m, old_root);
	assert_null(mmu_evict_victim(m));			/* never the active root */
	fixture_free(f);
}

/* Fills the pool with pages, then asks for room: evictions, no reset, the active root stays. */
static void test_exhaustion_evicts(void **state)
{
	struct fixture *f = fixture_new();
	struct mmu *m = &f->mmu;
	struct sp_cache *c = &m->cache;
	union sp_role r4 = role_l1();
	struct shadow_page *active;
	bool created;

	(void)state;
	r4.level = 4;
	active = sp_get(c, 1, r4, &created);
	sp_mark_root(c, active);
	m->root_sp = active;
	active->root_count = 1;
	for (uint64_t g = 2; c->used < c->capacity; g++)
		assert_non_null(sp_get(c, g, role_l1(), &created));
	assert_null(sp_get(c, 999999, role_l1(), &created));
	assert_true(mmu_make_room(m, 4, 4, 1));
	assert_int_equal(m->stats.evictions, 4);
	assert_int_equal(m->stats.resets, 0);
	assert_null(sp_lookup(c, 2, role_l1()));		/* the oldest went */
	assert_non_null(sp_lookup(c, 6, role_l1()));
	assert_ptr_equal(sp_lookup(c, 1, r4), active);
	fixture_free(f);
}

/* The reverse map full: eviction of leaf pages frees entries. */
static void test_rmap_exhaustion_evicts(void **state)
{
	struct fixture *f = fixture_new();
	struct mmu *m = &f->mmu;
	struct sp_cache *c = &m->cache;
	struct shadow_page *sp = NULL;
	bool created;

	(void)state;
	for (uint64_t g = 2; m->rmap.used < m->rmap.capacity; g++) {
		sp = sp_get(c, g, role_l1(), &created);
		assert_non_null(sp);
		for (unsigned i = 0; i < 512 && m->rmap.used < m->rmap.capacity; i++) {
			sp->spt[i] = 0x1000 | PT_P;
			assert_true(rmap_add(&m->rmap, 0x1000, &sp->spt[i]));
		}
	}
	assert_true(mmu_make_room(m, 0, 0, 1));
	assert_int_equal(m->stats.evictions, 1);
	assert_int_equal(m->stats.resets, 0);
	assert_int_equal(m->rmap.used, m->rmap.capacity - 512);
	fixture_free(f);
}

/* Every page part of the active root: the last resort is a reset, counted. */
static void test_last_resort_reset(void **state)
{
	struct fixture *f = fixture_new();
	struct mmu *m = &f->mmu;
	union sp_role r4 = role_l1();
	bool created;

	(void)state;
	r4.level = 4;
	m->root_sp = sp_get(&m->cache, 1, r4, &created);
	m->root_sp->root_count = 1;
	sp_mark_root(&m->cache, m->root_sp);
	assert_false(mmu_make_room(m, m->cache.capacity, 0, 0));
	assert_int_equal(m->stats.resets, 1);
	assert_int_equal(m->cache.used, 0);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizing),
		cmocka_unit_test(test_hash_collisions),
		cmocka_unit_test(test_parents_beyond_8),
		cmocka_unit_test(test_eviction_order),
		cmocka_unit_test(test_exhaustion_evicts),
		cmocka_unit_test(test_rmap_exhaustion_evicts),
		cmocka_unit_test(test_last_resort_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
