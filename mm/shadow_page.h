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


#define SP_MAX_PARENTS	8

struct shadow_page {
	struct shadow_page *hash_next;	/* chain of pages with the same gfn hash */
	struct shadow_page *hpa_next;	/* chain of pages with the same table-address hash */
	uint64_t gfn;
	union sp_role role;
	uint64_t hpa;		/* the shadow table page */
	uint64_t *spt;		/* the same page through the host map */
	uint32_t root_count;	/* how many roots hang from this page */
	/* The shadow entries that point to this page, so a zap can unlink it. A page with more
	 * parents than fit sets parents_overflow, and zapping it resets the whole MMU. */
	uint64_t *parents[SP_MAX_PARENTS];
	unsigned nparents;
	bool parents_overflow;
	bool in_use;
	/* Emulated guest writes since this page was last used by a fetch: a page the guest keeps
	 * writing without using it as a table is unshadowed (flooding, shadow-mmu.md 2). */
	unsigned write_count;
};

#define SP_HASH_BUCKETS	1024

struct pmm;

struct sp_cache {
	struct shadow_page *buckets[SP_HASH_BUCKETS];	/* by gfn: all roles of a gfn together */
	struct shadow_page *by_hpa[SP_HASH_BUCKETS];	/* by table address */
	struct shadow_page *pool;	/* capacity entries, allocated at init */
	unsigned capacity;
	unsigned used;
	struct pmm *pmm;
	uint64_t table_limit;		/* allocate table pages below this address */
};

/* Sets up the cache with room for capacity shadow pages; metadata memory comes from pmm. */
bool sp_cache_init(struct sp_cache *c, struct pmm *pmm, unsigned capacity);
/* Finds the shadow page (gfn, role), or NULL. */
struct shadow_page *sp_lookup(struct sp_cache *c, uint64_t gfn, union sp_role role);
/* Returns the shadow page (gfn, role), creating it with a zeroed table when absent; *created says
 * which. NULL when out of memory or out of metadata slots. */
struct shadow_page *sp_get(struct sp_cache *c, uint64_t gfn, union sp_role role, bool *created);
/* Frees every shadow page (and its table page). */
void sp_cache_clear(struct sp_cache *c);
/* Frees one shadow page; the caller has unlinked it from parents and children. */
void sp_free(struct sp_cache *c, struct shadow_page *sp);
/* The shadow page whose table is at hpa, or NULL. */
struct shadow_page *sp_by_hpa(struct sp_cache *c, uint64_t hpa);
/* The first shadow page of gfn (any role) after prev (NULL: the first one), or NULL. */
struct shadow_page *sp_next_of_gfn(struct sp_cache *c, uint64_t gfn, struct shadow_page *prev);
/* Records / forgets that the shadow entry at spte points to sp. */
void sp_add_parent(struct shadow_page *sp, uint64_t *spte);
void sp_remove_parent(struct shadow_page *sp, uint64_t *spte);

#endif
