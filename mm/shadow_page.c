/* The shadow page cache: a hash of (gfn, role) over a fixed pool of shadow page descriptors. */
#include "mm/shadow_page.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/pmm.h"
#include "lib/string.h"

static unsigned sp_hash(uint64_t gfn, union sp_role role)
{
	uint64_t h = gfn * 0x9e3779b97f4a7c15ULL ^ role.word * 0xc2b2ae3d27d4eb4fULL;

	return (unsigned)(h >> 32) % SP_HASH_BUCKETS;
}

bool sp_cache_init(struct sp_cache *c, struct pmm *pmm, unsigned capacity)
{
	uint64_t bytes = (uint64_t)capacity * sizeof(struct shadow_page);
	uint64_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t pa = pmm_alloc(pmm, pages, PAGE_SIZE, UINT64_MAX);

	memset(c, 0, sizeof(*c));
	if (!pa)
		return false;
	c->pool = phys_to_virt(pa);
	memset(c->pool, 0, pages * PAGE_SIZE);
	c->capacity = capacity;
	c->pmm = pmm;
	c->table_limit = UINT64_MAX;
	return true;
}

struct shadow_page *sp_lookup(struct sp_cache *c, uint64_t gfn, union sp_role role)
{
	for (struct shadow_page *sp = c->buckets[sp_hash(gfn, role)]; sp; sp = sp->hash_next)
		if (sp->gfn == gfn && sp->role.word == role.word)
			return sp;
	return NULL;
}

/* Takes a free descriptor from the pool, or NULL when all are in use. */
static struct shadow_page *sp_alloc_desc(struct sp_cache *c)
{
	for (unsigned i = 0; i < c->capacity; i++)
		if (!c->pool[i].in_use)
			return &c->pool[i];
	return NULL;
}

struct shadow_page *sp_get(struct sp_cache *c, uint64_t gfn, union sp_role role, bool *created)
{
	struct shadow_page *sp = sp_lookup(c, gfn, role);
	unsigned b;

	*created = false;
	if (sp)
		return sp;
	sp = sp_alloc_desc(c);
	if (!sp)
		return NULL;
	sp->hpa = hostmap_alloc_zeroed_page(c->pmm, c->table_limit);
	if (!sp->hpa)
		return NULL;
	b = sp_hash(gfn, role);
	sp->spt = phys_to_virt(sp->hpa);
	sp->gfn = gfn;
	sp->role = role;
	sp->root_count = 0;
	sp->in_use = true;
	sp->hash_next = c->buckets[b];
	c->buckets[b] = sp;
	c->used++;
	*created = true;
	return sp;
}

void sp_cache_clear(struct sp_cache *c)
{
	for (unsigned i = 0; i < c->capacity; i++) {
		struct shadow_page *sp = &c->pool[i];

		if (!sp->in_use)
			continue;
		pmm_free(c->pmm, sp->hpa, 1);
		memset(sp, 0, sizeof(*sp));
	}
	memset(c->buckets, 0, sizeof(c->buckets));
	c->used = 0;
}
