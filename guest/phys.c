/* Guest-physical accesses that reach Umbra: RAM, MMIO or nothing (guest/phys.h). */
#include "guest/phys.h"
#include "guest/devices/bus.h"
#include "guest/exits/mmio.h"
#include "guest/guest.h"
#include "mm/guest_mem.h"
#include "mm/tdp.h"

#define LARGE_REGION	(2ULL << 20)

enum phys_kind guest_phys_kind(const struct guest *g, uint64_t gpa)
{
	if (guest_mem_find(&g->mem, gpa))
		return PHYS_RAM;
	return bus_find(&g->bus, BUS_MMIO, gpa) ? PHYS_MMIO : PHYS_NONE;
}

bool guest_phys_mmio_meets(const struct guest *g, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < g->bus.count; i++) {
		const struct bus_range *r = &g->bus.range[i];

		if (r->space == BUS_MMIO && r->base < gpa + len && gpa < r->base + r->length)
			return true;
	}
	return false;
}

static const char *access_name(unsigned access)
{
	return (access & TDP_WRITE) ? "write" : (access & TDP_FETCH) ? "fetch" : "read";
}

/* A device's MMIO range: the instruction is emulated against the device as under shadow
 * paging (guest/exits/mmio.c). Executing from a device page cannot be emulated: the guest
 * stops with a report. */
static void guest_mmio_access(struct guest *g, uint64_t gpa, unsigned access)
{
	const struct bus_range *r = bus_find(&g->bus, BUS_MMIO, gpa);

	g->tdp.stats.mmio++;
	if (!(access & TDP_FETCH)) {
		guest_emulate_mmio(g, gpa);
		return;
	}
	guest_stop(g, GUEST_STOP_FATAL, "%s of MMIO at guest-physical %llx (%s): not emulated",
		   access_name(access), (unsigned long long)gpa, r ? r->owner : "?");
}

/*
 * What a fault's outcome means for the guest. A spurious fault is a stale translation: the TLB
 * is flushed before the retry, and the same page faulting so again right after the flush is
 * Umbra's bug, which stops the guest rather than loop. An address the tables cannot translate
 * at all (beyond 48 bits) would fault forever too.
 */
static void guest_tdp_result(struct guest *g, uint64_t gpa, enum tdp_result r)
{
	uint64_t page = (gpa >> 12) + 1;	/* 0: none */

	if (r != TDP_SPURIOUS)
		g->tdp_spurious_page = 0;
	switch (r) {
	case TDP_MAPPED:
		return;
	case TDP_SPURIOUS:
		if (g->tdp_spurious_page == page) {
			guest_stop(g, GUEST_STOP_FATAL, "TDP fault at gpa %llx on an entry that "
				   "allows the access, after a flush", (unsigned long long)gpa);
			return;
		}
		g->tdp_spurious_page = page;
		g->tdp.need_flush = true;
		return;
	case TDP_NOT_RAM:
		guest_stop(g, GUEST_STOP_FATAL, "guest-physical %llx is beyond the TDP tables",
			   (unsigned long long)gpa);
		return;
	case TDP_NO_MEMORY:
		guest_stop(g, GUEST_STOP_FATAL, "out of memory for the TDP tables at gpa %llx",
			   (unsigned long long)gpa);
		return;
	}
}

void guest_phys_access(struct guest *g, uint64_t gpa, unsigned access)
{
	uint64_t region = gpa & ~(LARGE_REGION - 1);
	bool large_ok;

	switch (guest_phys_kind(g, gpa)) {
	case PHYS_RAM:
		large_ok = !guest_phys_mmio_meets(g, region, LARGE_REGION);
		guest_tdp_result(g, gpa, tdp_map_ram(&g->tdp, gpa, access, large_ok));
		return;
	case PHYS_MMIO:
		guest_mmio_access(g, gpa, access);
		return;
	case PHYS_NONE:
		break;
	}
	if (access & TDP_WRITE) {
		guest_stop(g, GUEST_STOP_FATAL, "write to guest-physical %llx, which is not RAM",
			   (unsigned long long)gpa);
		return;
	}
	guest_tdp_result(g, gpa, tdp_map_ones(&g->tdp, gpa, access));
}
