/* The guest's MMIO windows from its device bus (see mmio_windows.h). */
#include "guest/mmio_windows.h"
#include "guest/guest.h"
#include "lib/printk.h"
#include "mm/page.h"
#include "mm/tdp.h"

bool guest_mmio_windows_sync(struct guest *g)
{
	unsigned slot = 0;
	bool fits = true;

	for (unsigned i = 0; i < g->bus.count; i++) {
		const struct bus_range *r = &g->bus.range[i];
		uint64_t first = r->base & ~(uint64_t)(PAGE_SIZE - 1);
		uint64_t end = (r->base + r->length + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);

		if (r->space != BUS_MMIO)
			continue;
		if (slot >= GUEST_MEM_MAX_MMIO || !guest_mem_set_mmio(&g->mem, slot, first, end - first)) {
			pr_warn("umbra: guest: MMIO range %llx of %s is not a window (too many)\n",
				(unsigned long long)r->base, r->owner);
			fits = false;
			continue;
		}
		slot++;
	}
	for (; slot < GUEST_MEM_MAX_MMIO; slot++)
		guest_mem_set_mmio(&g->mem, slot, 0, 0);
	/* Translations made before the change may map what is now a window, or hide what no
	 * longer is one (a non-RAM page read as all-ones): both MMUs start again. */
	mmu_reset(&g->mmu);
	if (guest_tdp(g))
		tdp_reset(&g->tdp);	/* the next entry flushes (tdp.need_flush) */
	return fits;
}
