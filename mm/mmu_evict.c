/*
 * The shadow pool's eviction policy: when the pool runs short, the least recently used shadow
 * pages go, one at a time, instead of everything at once.
 *
 * Order: pages that never were roots first, oldest first (sp_get makes a page the newest each
 * time a fetch or root load uses it); then pages that were roots of earlier CR3 values, oldest
 * first; never the active root (the 4-level root page, or the page directories hanging from
 * Umbra's PAE root), which the processor is walking now.
 *
 * When: only before a fetch starts (mmu_page_fault) or a root is loaded (mmu_load_root), never
 * during. The fetch holds pointers to the shadow pages of its path (owner[], path[] in
 * mmu_fetch) and to the entry it is about to fill; evicting one of them would make it write
 * into a freed table. So room for a whole fetch (a page, a link per level, and a leaf's
 * reverse-map entry) is made first, and the fetch itself then never runs short.
 */
#include <stddef.h>

#include "mm/mmu.h"
#include "mm/hostmap.h"
#include "arch/pt.h"

#define PAE_ROOT_SLOTS	4

/* True when sp is part of the root the processor uses now. */
static bool mmu_is_active_root(struct mmu *m, const struct shadow_page *sp)
{
	const uint64_t *pdpt = phys_to_virt(m->pae_root);

	if (sp == m->root_sp || sp->root_count)
		return true;
	for (unsigned i = 0; i < PAE_ROOT_SLOTS; i++)
		if ((pdpt[i] & PT_P) && (pdpt[i] & PT_ADDR_MASK) == sp->hpa)
			return true;
	return false;
}

struct shadow_page *mmu_evict_victim(struct mmu *m)
{
	struct shadow_page *sp = sp_lru_oldest(&m->cache, false);

	if (sp)
		return sp;
	/* Only roots are left: the oldest that is not active (at most 4 are active). */
	for (sp = sp_lru_oldest(&m->cache, true); sp; sp = sp_lru_newer(sp))
		if (!mmu_is_active_root(m, sp))
			return sp;
	return NULL;
}

static bool mmu_pool_short(const struct mmu *m, unsigned pages, unsigned links, unsigned rmaps)
{
	const struct sp_cache *c = &m->cache;

	return c->capacity - c->used < pages || c->link_capacity - c->links_used < links ||
	       m->rmap.capacity - m->rmap.used < rmaps;
}

bool mmu_make_room(struct mmu *m, unsigned pages, unsigned links, unsigned rmaps)
{
	for (unsigned evicted = 0; mmu_pool_short(m, pages, links, rmaps); evicted++) {
		struct shadow_page *victim = evicted < MMU_EVICT_MAX ? mmu_evict_victim(m) : NULL;

		if (!victim) {
			mmu_reset(m);	/* the last resort */
			return false;
		}
		mmu_zap_page(m, victim);
		m->stats.evictions++;
	}
	return true;
}
