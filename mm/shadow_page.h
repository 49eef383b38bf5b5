/*
 * Shadow pages and their cache. A shadow page is one page of shadow page-table entries (8-byte
 * PTEs, as the host always uses) that shadows one guest page table, or a range of guest-physical
 * memory when it is "direct", as seen in one role. Pages are found by (gfn, role).
 */
#ifndef UMBRA_MM_SHADOW_PAGE_H
#define UMBRA_MM_SHADOW_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/access.h"

/*
 * Everything that changes what the entries of a shadow page must contain. Two shadow pages of
 * the same gfn with different roles are different pages.
 *   level      1 = page table ... 4 = PML4 (shadow levels, 8-byte entries)
 *   gpte4      the guest table has 4-byte entries (32-bit paging): quadrants apply
 *   quadrant   which part of a 4-byte-entry guest table this page shadows (0-3)
 *   direct     no guest table behind it: maps guest-physical memory linearly (paging off, or
 *              the pieces of a guest large page); gfn is then the first frame mapped
 *   access     U/W/X rights inherited from the upper guest levels (ACC_* bits)
 *   cr0_wp, efer_nxe, cr4_smep, cr4_smap  the guest settings the entries were computed under
 *              (SDM 4.6); direct pages under guest paging carry them too, because with
 *              CR0.WP = 0 their leaves depend on SMEP and SMAP
 *   cr4_pse    32-bit paging only: CR4.PSE, which decides whether PDE.PS maps a 4 MiB page or
 *              is ignored (SDM 4.3)
 *   dirty      direct pages only: the guest large page is dirty (D = 1), or paging is off. Only
 *              such pages hold writable leaves; a clean large page is mapped read-only in every
 *              4 KiB piece so that the first write faults and sets D (SDM 4.8)
 */
union sp_role {
	uint32_t word;
	struct {
		uint32_t level : 3;
		uint32_t gpte4 : 1;
		uint32_t quadrant : 2;
		uint32_t direct : 1;
		uint32_t access : 3;
		uint32_t cr0_wp : 1;
		uint32_t efer_nxe : 1;
		uint32_t cr4_smep : 1;
		uint32_t cr4_smap : 1;
		uint32_t cr4_pse : 1;
		uint32_t dirty : 1;
	};
};
_Static_assert(sizeof(union sp_role) == 4, "the role is compared as one word");


/* One link of a shadow page's parent list: a shadow entry that points to the page. Links come
 * from a free-list pool in the cache, so a page may have any number of parents. */
struct sp_link {
	struct sp_link *next;
	uint64_t *spte;
};

struct shadow_page {
	struct shadow_page *hash_next;	/* chain of pages with the same gfn hash; free list */
	struct shadow_page *lru_newer;	/* LRU list neighbours (see struct sp_lru) */
	struct shadow_page *lru_older;
	uint64_t gfn;
	union sp_role role;
	uint64_t hpa;		/* the shadow table page (fixed: descriptor i owns table page i) */
	uint64_t *spt;		/* the same page through the host map */
	uint32_t root_count;	/* how many roots hang from this page */
	/* The shadow entries that point to this page, so a zap can unlink it. */
	struct sp_link *parents;
	unsigned nparents;
	bool in_use;
	bool is_root;		/* was loaded as a root (a PML4, or hung from Umbra's PAE root) */
	/* Emulated guest writes since this page was last used by a fetch: a page the guest keeps
	 * writing without using it as a table is unshadowed (flooding, shadow-mmu.md 2). */
	unsigned write_count;
	/* Out of sync (mm/unsync_state.h): a level-1 table the guest writes freely, its frame
	 * no longer write-protected; its entries may be stale until the next sync. */
	bool unsync;
	/* Emulated guest writes since the last root load (sync_epoch says which one counted
	 * them): more than MMU_UNSYNC_THRESHOLD let the page go out of sync. */
	unsigned sync_writes;
	uint64_t sync_epoch;
};

/* Least recently used first at `oldest`; every lookup through sp_get moves a page to `newest`. */
struct sp_lru {
	struct shadow_page *newest, *oldest;
};

struct pmm;

/*
 * The cache owns capacity descriptors and capacity table pages, reserved together at init (the
 * table pages contiguous, so the page of a table address is found by arithmetic), and
 * link_capacity parent links. Unused descriptors and links are on free lists: allocation and
 * lookup are O(1) (lookup: one hash chain, nbuckets >= capacity).
 */
struct sp_cache {
	struct shadow_page **buckets;	/* nbuckets (a power of two) chains by gfn, all roles */
	unsigned nbuckets;
	struct shadow_page *pool;	/* capacity descriptors */
	unsigned capacity;
	unsigned used;
	struct shadow_page *free;	/* unused descriptors, chained through hash_next */
	uint64_t tables;		/* host-physical address of table page 0 */
	struct sp_link *links;		/* link_capacity parent links */
	struct sp_link *free_links;
	unsigned link_capacity, links_used;
	/* Two LRU lists: ordinary pages, and pages that were roots (evicted last). */
	struct sp_lru lru, roots;
	struct pmm *pmm;
};

/* Bytes of host memory sp_cache_init takes for capacity pages and link_capacity links. */
uint64_t sp_cache_bytes(unsigned capacity, unsigned link_capacity);
/* Sets up the cache with room for capacity shadow pages and link_capacity parent links;
 * every byte (tables included) comes from pmm now. False when pmm cannot give it. */
bool sp_cache_init(struct sp_cache *c, struct pmm *pmm, unsigned capacity, unsigned link_capacity);
/* The hash bucket of gfn (tests use it to build collisions). */
unsigned sp_gfn_bucket(const struct sp_cache *c, uint64_t gfn);
/* Finds the shadow page (gfn, role), or NULL. */
struct shadow_page *sp_lookup(struct sp_cache *c, uint64_t gfn, union sp_role role);
/* Returns the shadow page (gfn, role), creating it with a zeroed table when absent; *created says
 * which. Either way the page becomes the most recently used. NULL when no descriptor is free. */
struct shadow_page *sp_get(struct sp_cache *c, uint64_t gfn, union sp_role role, bool *created);
/* Frees every shadow page and parent link. */
void sp_cache_clear(struct sp_cache *c);
/* Frees one shadow page and any parent links it still has; the caller has cleared the entries
 * that pointed to it and unlinked its children. */
void sp_free(struct sp_cache *c, struct shadow_page *sp);
/* The shadow page whose table is at hpa, or NULL. */
struct shadow_page *sp_by_hpa(struct sp_cache *c, uint64_t hpa);
/* The first shadow page of gfn (any role) after prev (NULL: the first one), or NULL. */
struct shadow_page *sp_next_of_gfn(struct sp_cache *c, uint64_t gfn, struct shadow_page *prev);
/* Records that the shadow entry at spte points to sp (O(1)); false when no link is free (then
 * nothing is recorded). */
bool sp_add_parent(struct sp_cache *c, struct shadow_page *sp, uint64_t *spte);
/* Forgets that spte points to sp (a walk of sp's parent list). */
void sp_remove_parent(struct sp_cache *c, struct shadow_page *sp, uint64_t *spte);
/* Takes one parent entry off sp's list and returns it, or NULL when it has none. */
uint64_t *sp_pop_parent(struct sp_cache *c, struct shadow_page *sp);
/* Marks sp as a root: it moves to the roots' LRU list, which eviction takes from last. */
void sp_mark_root(struct sp_cache *c, struct shadow_page *sp);
/* The least recently used page of the ordinary (roots false) or the roots' list, or NULL. */
struct shadow_page *sp_lru_oldest(struct sp_cache *c, bool roots);
/* The next more recently used page of sp's list, or NULL. */
struct shadow_page *sp_lru_newer(struct shadow_page *sp);

#endif
