/* Sizing the shadow MMU's pool from a byte budget. */
#include "mm/shadow_pool.h"
#include "mm/rmap.h"
#include "mm/shadow_page.h"

uint64_t shadow_mem_default(uint64_t host_bytes)
{
	uint64_t bytes = host_bytes / SHADOW_MEM_DEFAULT_SHARE;

	if (bytes < SHADOW_MEM_DEFAULT_MIN)
		return SHADOW_MEM_DEFAULT_MIN;
	if (bytes > SHADOW_MEM_DEFAULT_MAX)
		return SHADOW_MEM_DEFAULT_MAX;
	return bytes;
}

static struct shadow_pool pool_of_pages(uint64_t pages)
{
	return (struct shadow_pool){ (unsigned)pages, (unsigned)(pages * SHADOW_POOL_LINKS_PER_PAGE),
				     (unsigned)(pages * SHADOW_POOL_RMAP_PER_PAGE) };
}

uint64_t shadow_pool_bytes(const struct shadow_pool *p)
{
	return sp_cache_bytes(p->pages, p->links) + rmap_bytes(p->rmap_entries);
}

bool shadow_pool_from_bytes(uint64_t bytes, struct shadow_pool *p)
{
	/* shadow_pool_bytes grows with the page count: search the largest count that fits. The
	 * upper bound keeps every count (rmap entries included) within 32 bits. */
	uint64_t lo = SHADOW_POOL_MIN_PAGES, hi = (1ULL << 32) / SHADOW_POOL_RMAP_PER_PAGE - 1;
	struct shadow_pool t = pool_of_pages(lo);

	if (shadow_pool_bytes(&t) > bytes)
		return false;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;

		t = pool_of_pages(mid);
		if (shadow_pool_bytes(&t) <= bytes)
			lo = mid;
		else
			hi = mid - 1;
	}
	*p = pool_of_pages(lo);
	return true;
}
