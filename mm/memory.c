/* Memory bring-up: what Umbra may allocate, and the page tables that reach all of it. */
#include "mm/memory.h"
#include "lib/printk.h"
#include "lib/string.h"

extern char _image_start[], _image_end[];

/* The ranges no allocation may touch: the image and the caller's reserved ranges. */
static unsigned memory_collect_exclusions(const struct phys_range *reserved, unsigned count,
					  struct phys_range *excl)
{
	unsigned n = 0;

	excl[n++] = (struct phys_range){ virt_to_phys(_image_start), virt_to_phys(_image_end) };
	for (unsigned i = 0; i < count && i < MEMORY_MAX_RESERVED; i++)
		excl[n++] = reserved[i];
	return n;
}

/* The end of the highest RAM range (usable or ACPI): the host map must reach it. Reserved
 * ranges above that are device windows (QEMU reports one at 1 TiB); mapping them would only
 * cost page tables. */
static uint64_t memory_top(const struct mem_range *map, unsigned map_count)
{
	uint64_t top = 0;

	for (unsigned i = 0; i < map_count; i++) {
		const struct mem_range *r = &map[i];
		bool ram = r->type == MEM_USABLE || r->type == MEM_ACPI_RECLAIMABLE ||
			   r->type == MEM_ACPI_NVS;

		if (ram && r->base + r->length > top)
			top = r->base + r->length;
	}
	return top;
}

void memory_report_losses(const struct host_memory *hm)
{
	if (hm->pmm.dropped_ranges)
		pr_warn("umbra: mm: %llu pages in %u small free ranges lost (free list full)\n",
			(unsigned long long)hm->pmm.dropped_pages, hm->pmm.dropped_ranges);
}

bool memory_init(struct host_memory *hm, const struct mem_range *map, unsigned map_count,
		 const struct phys_range *reserved, unsigned reserved_count, bool gb_pages)
{
	struct phys_range excl[1 + MEMORY_MAX_RESERVED];
	unsigned nexcl = memory_collect_exclusions(reserved, reserved_count, excl);

	pmm_init(&hm->pmm, map, map_count, excl, nexcl);
	memory_report_losses(hm);
	if (!hostmap_init(&hm->map, &hm->pmm, memory_top(map, map_count), gb_pages)) {
		pr_err("umbra: mm: out of memory below 4 GiB while building the host page tables\n");
		return false;
	}
	pr_info("umbra: mm: %llu pages free in %u ranges; host map 0-%llx with %s pages above 4 GiB, %u table pages\n",
		(unsigned long long)hm->pmm.free_pages, hm->pmm.count,
		(unsigned long long)hm->map.top - 1, hm->map.gb_pages ? "1 GiB" : "2 MiB",
		hm->map.table_pages);
	return true;
}

unsigned memory_check_reachable(const struct host_memory *hm, uint64_t *highest)
{
	static const uint64_t pattern = 0x5a5aa5a5c3c33c3cULL;
	unsigned checked = 0;

	*highest = 0;
	for (unsigned i = 0; i < hm->pmm.count; i++) {
		const struct phys_range *r = &hm->pmm.free[i];
		volatile uint64_t *first = phys_to_virt(r->start);
		volatile uint64_t *last = phys_to_virt(r->end - sizeof(uint64_t));

		*first = pattern;
		*last = ~pattern;
		if (*first != pattern || *last != ~pattern) {
			pr_err("umbra: mm: RAM at %llx-%llx does not hold a written value\n",
			       (unsigned long long)r->start, (unsigned long long)r->end);
			continue;
		}
		checked++;
		*highest = r->end - 1;
	}
	return checked;
}
