/* The shadow page cache: hashes by gfn and by table address over a fixed pool of descriptors. */
#include "mm/shadow_page.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/pmm.h"
#include "lib/string.h"

static unsigned gfn_hash(uint64_t gfn)
{
	return (unsigned)((gfn * 0x9e3779b97f4a7c15ULL) >> 40) % SP_HASH_BUCKETS;
}

static unsigned hpa_hash(uint64_t hpa)
{
	return gfn_hash(hpa >> PAGE_SHIFT);
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
	for (struct shadow_page *sp = c->buckets[gfn_hash(gfn)]; sp; sp = sp->hash_next)
		if (sp->gfn == gfn && sp->role.word == role.word)
			return sp;
	return NULL;
}

struct shadow_page *sp_next_of_gfn(struct sp_cache *c, uint64_t gfn, struct shadow_page *prev)
{
	struct shadow_page *sp = prev ? prev->hash_next : c->buckets[gfn_hash(gfn)];

	for (; sp; sp = sp->hash_next)
		if (sp->gfn == gfn)
			return sp;
	return NULL;
}

struct shadow_page *sp_by_hpa(struct sp_cache *c, uint64_t hpa)
{
	hpa &= ~(PAGE_SIZE - 1);
	for (struct shadow_page *sp = c->by_hpa[hpa_hash(hpa)]; sp; sp = sp->hpa_next)
		if (sp->hpa == hpa)
			return sp;
	return NULL;
}

/* Takes a free descriptor from the pool, or NULL when all are in use. */
static struct shadow_page *sp_alloc_desc(struct sp_cache *c)
{
	if (c->used == c->capacity)
		return NULL;
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
	memset(sp, 0, sizeof(*sp));
	sp->hpa = hostmap_alloc_zeroed_page(c->pmm, c->table_limit);
	if (!sp->hpa)
		return NULL;
	sp->spt = phys_to_virt(sp->hpa);
	sp->gfn = gfn;
	sp->role = role;
	sp->in_use = true;
	b = gfn_hash(gfn);
	sp->hash_next = c->buckets[b];
	c->buckets[b] = sp;
	b = hpa_hash(sp->hpa);
	sp->hpa_next = c->by_hpa[b];
	c->by_hpa[b] = sp;
	c->used++;
	*created = true;
	return sp;
}

/* Unlinks sp from the chain starting at *head that follows the link at byte offset. */
static void sp_unchain(struct shadow_page **head, struct shadow_page *sp, bool by_hpa)
{
	for (; *head; head = by_hpa ? &(*head)->hpa_next : &(*head)->hash_next) {
		if (*head == sp) {
			*head = by_hpa ? sp->hpa_next : sp->hash_next;
			return;
		}
	}
}

void sp_free(struct sp_cache *c, struct shadow_page *sp)
{
	sp_unchain(&c->buckets[gfn_hash(sp->gfn)], sp, false);
	sp_unchain(&c->by_hpa[hpa_hash(sp->hpa)], sp, true);
	pmm_free(c->pmm, sp->hpa, 1);
	memset(sp, 0, sizeof(*sp));
	c->used--;
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
	memset(c->by_hpa, 0, sizeof(c->by_hpa));
	c->used = 0;
}

void sp_add_parent(struct shadow_page *sp, uint64_t *spte)
{
	for (unsigned i = 0; i < sp->nparents; i++)
		if (sp->parents[i] == spte)
			return;
	if (sp->nparents == SP_MAX_PARENTS) {
		sp->parents_overflow = true;
		return;
	}
	sp->parents[sp->nparents++] = spte;
}

void sp_remove_parent(struct shadow_page *sp, uint64_t *spte)
{
	for (unsigned i = 0; i < sp->nparents; i++) {
		if (sp->parents[i] == spte) {
			sp->parents[i] = sp->parents[--sp->nparents];
			return;
		}
	}
}
