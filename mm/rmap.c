/* Reverse map from host frames to shadow leaf entries, a hash of chains over a fixed pool. */
#include "mm/rmap.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/pmm.h"
#include "arch/pt.h"
#include "lib/string.h"

static unsigned rmap_bucket(const struct rmap *r, uint64_t hpa)
{
	return (unsigned)(((hpa >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ULL) >> 32) & (r->nbuckets - 1);
}

static unsigned rmap_nbuckets(unsigned capacity)
{
	unsigned n = 1;

	while (n < capacity / 4)
		n <<= 1;
	return n;
}

static uint64_t pages_for(uint64_t bytes)
{
	return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

uint64_t rmap_bytes(unsigned capacity)
{
	return PAGE_SIZE * (pages_for((uint64_t)capacity * sizeof(struct rmap_entry)) +
			    pages_for((uint64_t)rmap_nbuckets(capacity) * sizeof(void *)));
}

bool rmap_init(struct rmap *r, struct pmm *pmm, unsigned capacity)
{
	uint64_t pages = pages_for((uint64_t)capacity * sizeof(struct rmap_entry));
	uint64_t pa = capacity ? pmm_alloc(pmm, pages, PAGE_SIZE, UINT64_MAX) : 0;
	uint64_t bpages = pages_for((uint64_t)rmap_nbuckets(capacity) * sizeof(void *));
	uint64_t bpa = pa ? pmm_alloc(pmm, bpages, PAGE_SIZE, UINT64_MAX) : 0;

	memset(r, 0, sizeof(*r));
	if (!bpa)
		return false;
	r->nbuckets = rmap_nbuckets(capacity);
	r->buckets = phys_to_virt(bpa);
	memset(r->buckets, 0, bpages * PAGE_SIZE);
	r->capacity = capacity;
	r->free = phys_to_virt(pa);
	for (unsigned i = 0; i + 1 < capacity; i++)
		r->free[i].next = &r->free[i + 1];
	r->free[capacity - 1].next = NULL;
	return true;
}

bool rmap_add(struct rmap *r, uint64_t hpa, uint64_t *spte)
{
	struct rmap_entry *e = r->free;
	unsigned b = rmap_bucket(r, hpa);

	if (!e)
		return false;
	r->free = e->next;
	e->hpa = hpa & ~(PAGE_SIZE - 1);
	e->spte = spte;
	e->next = r->buckets[b];
	r->buckets[b] = e;
	r->used++;
	return true;
}

void rmap_remove(struct rmap *r, uint64_t hpa, uint64_t *spte)
{
	struct rmap_entry **pp = &r->buckets[rmap_bucket(r, hpa)];

	hpa &= ~(PAGE_SIZE - 1);
	for (; *pp; pp = &(*pp)->next) {
		struct rmap_entry *e = *pp;

		if (e->hpa == hpa && e->spte == spte) {
			*pp = e->next;
			e->next = r->free;
			r->free = e;
			r->used--;
			return;
		}
	}
}

unsigned rmap_write_protect(struct rmap *r, uint64_t hpa)
{
	unsigned changed = 0;

	hpa &= ~(PAGE_SIZE - 1);
	for (struct rmap_entry *e = r->buckets[rmap_bucket(r, hpa)]; e; e = e->next) {
		if (e->hpa == hpa && (*e->spte & PT_RW)) {
			*e->spte &= ~(uint64_t)PT_RW;
			changed++;
		}
	}
	return changed;
}

void rmap_for_each(struct rmap *r, uint64_t hpa, void (*fn)(void *ctx, uint64_t *spte), void *ctx)
{
	hpa &= ~(PAGE_SIZE - 1);
	for (struct rmap_entry *e = r->buckets[rmap_bucket(r, hpa)]; e; e = e->next)
		if (e->hpa == hpa)
			fn(ctx, e->spte);
}

void rmap_clear(struct rmap *r)
{
	for (unsigned b = 0; b < r->nbuckets; b++) {
		while (r->buckets[b]) {
			struct rmap_entry *e = r->buckets[b];

			r->buckets[b] = e->next;
			e->next = r->free;
			r->free = e;
		}
	}
	r->used = 0;
}
