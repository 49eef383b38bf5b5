/* The reverse map: for each host frame that backs guest RAM, the shadow leaf entries mapping it. */
#ifndef UMBRA_MM_RMAP_H
#define UMBRA_MM_RMAP_H

#include <stdbool.h>
#include <stdint.h>

#define RMAP_BUCKETS	4096

struct rmap_entry {
	struct rmap_entry *next;
	uint64_t hpa;		/* the frame mapped (page aligned) */
	uint64_t *spte;		/* the shadow entry that maps it */
};

struct pmm;

struct rmap {
	struct rmap_entry *buckets[RMAP_BUCKETS];
	struct rmap_entry *free;
	unsigned capacity, used;
};

/* Sets up room for capacity entries; memory from pmm. */
bool rmap_init(struct rmap *r, struct pmm *pmm, unsigned capacity);
/* Records that spte maps frame hpa; false when the map is full. */
bool rmap_add(struct rmap *r, uint64_t hpa, uint64_t *spte);
/* Forgets that spte maps hpa (nothing happens if it was not recorded). */
void rmap_remove(struct rmap *r, uint64_t hpa, uint64_t *spte);
/* Clears the writable bit of every shadow entry mapping hpa; returns how many changed. */
unsigned rmap_write_protect(struct rmap *r, uint64_t hpa);
/* Forgets everything. */
void rmap_clear(struct rmap *r);

#endif
