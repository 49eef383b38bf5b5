/*
 * The shadow page cache: a hash by gfn over a pool of descriptors reserved at init, each with
 * its own table page, free lists for descriptors and parent links, and two LRU lists.
 */
#include "mm/shadow_page.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/pmm.h"
#include "lib/string.h"

static unsigned pow2_at_least(unsigned n)
{
	unsigned p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static uint64_t bytes_to_pages(uint64_t bytes)
{
	return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

uint64_t sp_cache_bytes(unsigned capacity, unsigned link_capacity)
{
	return PAGE_SIZE * ((uint64_t)capacity +
			    bytes_to_pages((uint64_t)capacity * sizeof(struct shadow_page)) +
			    bytes_to_pages((uint64_t)pow2_at_least(capacity) * sizeof(void *)) +
			    bytes_to_pages((uint64_t)link_capacity * sizeof(struct sp_link)));
}

/* Zeroed pages for n bytes from pmm, or NULL. */
static void *sp_alloc_meta(struct pmm *pmm, uint64_t bytes)
{
	uint64_t pages = bytes_to_pages(bytes);
	uint64_t pa = pmm_alloc(pmm, pages, PAGE_SIZE, UINT64_MAX);

	if (!pa)
		return NULL;
	memset(phys_to_virt(pa), 0, pages * PAGE_SIZE);
	return phys_to_virt(pa);
}

/* Puts every descriptor and link on its free list. */
static void sp_cache_rebuild_free(struct sp_cache *c)
{
	c->free = NULL;
	for (unsigned i = c->capacity; i-- > 0;) {
		c->pool[i].hash_next = c->free;
		c->free = &c->pool[i];
	}
	c->free_links = NULL;
	for (unsigned i = c->link_capacity; i-- > 0;) {
		c->links[i].next = c->free_links;
		c->free_links = &c->links[i];
	}
	c->used = 0;
	c->links_used = 0;
	c->lru = (struct sp_lru){ NULL, NULL };
	c->roots = (struct sp_lru){ NULL, NULL };
}

bool sp_cache_init(struct sp_cache *c, struct pmm *pmm, unsigned capacity, unsigned link_capacity)
{
	memset(c, 0, sizeof(*c));
	if (!capacity || !link_capacity)
		return false;
	c->nbuckets = pow2_at_least(capacity);
	c->pool = sp_alloc_meta(pmm, (uint64_t)capacity * sizeof(struct shadow_page));
	c->buckets = sp_alloc_meta(pmm, (uint64_t)c->nbuckets * sizeof(*c->buckets));
	c->links = sp_alloc_meta(pmm, (uint64_t)link_capacity * sizeof(struct sp_link));
	/* The table pages are not zeroed here: sp_get zeroes each one as it hands it out. */
	c->tables = pmm_alloc(pmm, capacity, PAGE_SIZE, UINT64_MAX);
	if (!c->pool || !c->buckets || !c->links || !c->tables)
		return false;
	c->capacity = capacity;
	c->link_capacity = link_capacity;
	c->pmm = pmm;
	for (unsigned i = 0; i < capacity; i++) {
		c->pool[i].hpa = c->tables + (uint64_t)i * PAGE_SIZE;
		c->pool[i].spt = phys_to_virt(c->pool[i].hpa);
	}
	sp_cache_rebuild_free(c);
	return true;
}

/* Fibonacci hashing: the top bits of gfn times 2^64 / phi spread consecutive frames. */
unsigned sp_gfn_bucket(const struct sp_cache *c, uint64_t gfn)
{
	return (unsigned)((gfn * 0x9e3779b97f4a7c15ULL) >> 32) & (c->nbuckets - 1);
}

struct shadow_page *sp_lookup(struct sp_cache *c, uint64_t gfn, union sp_role role)
{
	for (struct shadow_page *sp = c->buckets[sp_gfn_bucket(c, gfn)]; sp; sp = sp->hash_next)
		if (sp->gfn == gfn && sp->role.word == role.word)
			return sp;
	return NULL;
}

struct shadow_page *sp_next_of_gfn(struct sp_cache *c, uint64_t gfn, struct shadow_page *prev)
{
	struct shadow_page *sp = prev ? prev->hash_next : c->buckets[sp_gfn_bucket(c, gfn)];

	for (; sp; sp = sp->hash_next)
		if (sp->gfn == gfn)
			return sp;
	return NULL;
}

struct shadow_page *sp_by_hpa(struct sp_cache *c, uint64_t hpa)
{
	uint64_t i;

	if (hpa < c->tables)
		return NULL;
	i = (hpa - c->tables) >> PAGE_SHIFT;
	if (i >= c->capacity || !c->pool[i].in_use)
		return NULL;
	return &c->pool[i];
}

/* ---- LRU lists ----------------------------------------------------------------------------- */

static struct sp_lru *sp_list_of(struct sp_cache *c, const struct shadow_page *sp)
{
	return sp->is_root ? &c->roots : &c->lru;
}

static void sp_lru_unlink(struct sp_cache *c, struct shadow_page *sp)
{
	struct sp_lru *l = sp_list_of(c, sp);

	if (sp->lru_newer)
		sp->lru_newer->lru_older = sp->lru_older;
	else
		l->newest = sp->lru_older;
	if (sp->lru_older)
		sp->lru_older->lru_newer = sp->lru_newer;
	else
		l->oldest = sp->lru_newer;
	sp->lru_newer = sp->lru_older = NULL;
}

static void sp_lru_push_newest(struct sp_cache *c, struct shadow_page *sp)
{
	struct sp_lru *l = sp_list_of(c, sp);

	sp->lru_newer = NULL;
	sp->lru_older = l->newest;
	if (l->newest)
		l->newest->lru_newer = sp;
	else
		l->oldest = sp;
	l->newest = sp;
}

void sp_mark_root(struct sp_cache *c, struct shadow_page *sp)
{
	if (sp->is_root)
		return;
	sp_lru_unlink(c, sp);
	sp->is_root = true;
	sp_lru_push_newest(c, sp);
}

struct shadow_page *sp_lru_oldest(struct sp_cache *c, bool roots)
{
	return roots ? c->roots.oldest : c->lru.oldest;
}

struct shadow_page *sp_lru_newer(struct shadow_page *sp)
{
	return sp->lru_newer;
}

/* ---- allocation ------------------------------------------------------------------------------ */

struct shadow_page *sp_get(struct sp_cache *c, uint64_t gfn, union sp_role role, bool *created)
{
	struct shadow_page *sp = sp_lookup(c, gfn, role);
	uint64_t hpa;
	uint64_t *spt;
	unsigned b;

	*created = false;
	if (sp) {
		sp_lru_unlink(c, sp);
		sp_lru_push_newest(c, sp);
		return sp;
	}
	sp = c->free;
	if (!sp)
		return NULL;
	c->free = sp->hash_next;
	hpa = sp->hpa;
	spt = sp->spt;
	memset(sp, 0, sizeof(*sp));
	memset(spt, 0, PAGE_SIZE);
	sp->hpa = hpa;
	sp->spt = spt;
	sp->gfn = gfn;
	sp->role = role;
	sp->in_use = true;
	b = sp_gfn_bucket(c, gfn);
	sp->hash_next = c->buckets[b];
	c->buckets[b] = sp;
	sp_lru_push_newest(c, sp);
	c->used++;
	*created = true;
	return sp;
}

void sp_free(struct sp_cache *c, struct shadow_page *sp)
{
	struct shadow_page **pp = &c->buckets[sp_gfn_bucket(c, sp->gfn)];
	uint64_t hpa = sp->hpa;
	uint64_t *spt = sp->spt;

	while (sp_pop_parent(c, sp))
		;
	for (; *pp; pp = &(*pp)->hash_next) {
		if (*pp == sp) {
			*pp = sp->hash_next;
			break;
		}
	}
	sp_lru_unlink(c, sp);
	memset(sp, 0, sizeof(*sp));
	sp->hpa = hpa;
	sp->spt = spt;
	sp->hash_next = c->free;
	c->free = sp;
	c->used--;
}

void sp_cache_clear(struct sp_cache *c)
{
	for (unsigned i = 0; i < c->capacity; i++) {
		struct shadow_page *sp = &c->pool[i];
		uint64_t hpa = sp->hpa;
		uint64_t *spt = sp->spt;

		memset(sp, 0, sizeof(*sp));
		sp->hpa = hpa;
		sp->spt = spt;
	}
	memset(c->buckets, 0, (uint64_t)c->nbuckets * sizeof(*c->buckets));
	sp_cache_rebuild_free(c);
}

/* ---- parent lists ---------------------------------------------------------------------------- */

bool sp_add_parent(struct sp_cache *c, struct shadow_page *sp, uint64_t *spte)
{
	struct sp_link *l = c->free_links;

	if (!l)
		return false;
	c->free_links = l->next;
	l->spte = spte;
	l->next = sp->parents;
	sp->parents = l;
	sp->nparents++;
	c->links_used++;
	return true;
}

static void sp_link_put(struct sp_cache *c, struct sp_link *l)
{
	l->spte = NULL;
	l->next = c->free_links;
	c->free_links = l;
	c->links_used--;
}

void sp_remove_parent(struct sp_cache *c, struct shadow_page *sp, uint64_t *spte)
{
	for (struct sp_link **pp = &sp->parents; *pp; pp = &(*pp)->next) {
		struct sp_link *l = *pp;

		if (l->spte == spte) {
			*pp = l->next;
			sp->nparents--;
			sp_link_put(c, l);
			return;
		}
	}
}

uint64_t *sp_pop_parent(struct sp_cache *c, struct shadow_page *sp)
{
	struct sp_link *l = sp->parents;
	uint64_t *spte;

	if (!l)
		return NULL;
	spte = l->spte;
	sp->parents = l->next;
	sp->nparents--;
	sp_link_put(c, l);
	return spte;
}
