/* The reverse map: for each host frame that backs guest RAM, the shadow leaf entries mapping it. */
#ifndef UMBRA_MM_RMAP_H
#define UMBRA_MM_RMAP_H

#include <stdbool.h>
#include <stdint.h>

struct rmap_entry {
	struct rmap_entry *next;
	uint64_t hpa;		/* the frame mapped (page aligned) */
	uint64_t *spte;		/* the shadow entry that maps it */
};

struct pmm;

/* Entries come from a free list over a pool reserved at init; nbuckets (a power of two, a
 * quarter of the capacity) chains by frame. */
struct rmap {
	struct rmap_entry **buckets;
	unsigned nbuckets;
	struct rmap_entry *free;
	unsigned capacity, used;
};

/* Bytes of host memory rmap_init takes for capacity entries. */
uint64_t rmap_bytes(unsigned capacity);
/* Sets up room for capacity entries; memory from pmm. */
bool rmap_init(struct rmap *r, struct pmm *pmm, unsigned capacity);
/* Records that spte maps frame hpa; false when the map is full. */
bool rmap_add(struct rmap *r, uint64_t hpa, uint64_t *spte);
/* Forgets that spte maps hpa (nothing happens if it was not recorded). */
void rmap_remove(struct rmap *r, uint64_t hpa, uint64_t *spte);
/* Clears the writable bit of every shadow entry mapping hpa; returns how many changed. */
unsigned rmap_write_protect(struct rmap *r, uint64_t hpa);
/* Calls fn(ctx, spte) for every shadow entry recorded as mapping hpa; fn may change the entry's
 * bits but not the address (the map is not changed under it). */
void rmap_for_each(struct rmap *r, uint64_t hpa, void (*fn)(void *ctx, uint64_t *spte), void *ctx);
/* Forgets everything. */
void rmap_clear(struct rmap *r);

#endif
