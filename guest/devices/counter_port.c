/* Umbra's counters, readable by the guest through three ports (guest/umbra_abi.h). */
#include "guest/devices/counter_port.h"
#include "guest/devices/bus.h"
#include "guest/clock.h"
#include "guest/guest.h"
#include "guest/mode.h"
#include "guest/umbra_abi.h"

uint64_t counters_read(const struct guest *g, uint32_t index)
{
	const struct mmu_stats *m = &g->mmu.stats;

	if (index < EXIT_KIND_COUNT)
		return g->vcpu.stats.by_reason[index];
	switch (index) {
	case UMBRA_CTR_EXITS_TOTAL: return g->vcpu.stats.exits;
	case UMBRA_CTR_PF_EXITS: return m->faults;
	case UMBRA_CTR_PF_FILLS: return m->fills;
	case UMBRA_CTR_PF_REFLECTED: return m->reflected;
	case UMBRA_CTR_PT_WRITES: return m->emulated_writes;
	case UMBRA_CTR_PT_UPDATED: return m->pte_updated;
	case UMBRA_CTR_PT_ZAPPED: return m->pte_zapped;
	case UMBRA_CTR_PT_UNSHADOWED: return m->unshadowed;
	case UMBRA_CTR_PT_FALLBACKS: return g->emulation_fallbacks;
	case UMBRA_CTR_SP_CREATED: return m->shadow_pages_created;
	case UMBRA_CTR_SP_ZAPPED: return m->shadow_pages_zapped;
	case UMBRA_CTR_ROOTS_BUILT: return m->roots_built;
	case UMBRA_CTR_ROOTS_REUSED: return m->roots_reused;
	case UMBRA_CTR_NOT_RAM_READS: return m->not_ram_reads + g->tdp.stats.not_ram_reads;
	case UMBRA_CTR_DELIVERY_UNSHADOWED: return m->delivery_unshadowed;
	case UMBRA_CTR_MMU_MODE: return guest_tdp(g);
	case UMBRA_CTR_TDP_FAULTS: return g->tdp.stats.faults;
	case UMBRA_CTR_TDP_MAPS_4K: return g->tdp.stats.maps_4k;
	case UMBRA_CTR_TDP_MAPS_2M: return g->tdp.stats.maps_2m;
	case UMBRA_CTR_TDP_TABLE_PAGES: return g->tdp.stats.table_pages;
	case UMBRA_CTR_PF_NP_DIRECT: {
		struct paging_state ps = guest_paging_state(g);

		return g->vcpu.np_faults_direct && mmu_np_faults_exact(&g->mmu, &ps);
	}
	case UMBRA_CTR_PF_TRAPS: return m->trap_faults;
	case UMBRA_CTR_SP_EVICTED: return m->evictions;
	case UMBRA_CTR_MMU_RESETS: return m->resets;
	case UMBRA_CTR_SP_LIMIT: return g->mmu.cache.capacity;
	case UMBRA_CTR_SP_USED: return g->mmu.cache.used;
	case UMBRA_CTR_PF_PREFETCHED: return m->prefetched;
	case UMBRA_CTR_SP_UNSYNC: return m->unsync_pages;
	case UMBRA_CTR_SP_SYNCS: return m->syncs;
	case UMBRA_CTR_SP_SYNC_CHANGED: return m->sync_changed;
	}
	return ~0ULL;
}

#define MARK_INDEX(index, name) index,
#define MARK_NAME(index, name) name,
static const uint32_t mark_index[UMBRA_MARK_COUNTER_COUNT] = { UMBRA_MARK_COUNTERS(MARK_INDEX) };
static const char *const mark_names[UMBRA_MARK_COUNTER_COUNT] = { UMBRA_MARK_COUNTERS(MARK_NAME) };
#undef MARK_INDEX
#undef MARK_NAME

const char *counter_mark_name(unsigned i)
{
	return i < UMBRA_MARK_COUNTER_COUNT ? mark_names[i] : "?";
}

void counter_mark(struct guest *g, uint32_t tag)
{
	struct counter_marks *ms = &g->marks;
	struct counter_mark *m;

	if (ms->count >= UMBRA_MARKS_MAX) {
		ms->dropped++;
		return;
	}
	m = &ms->mark[ms->count++];
	m->tag = tag;
	m->time_ns = guest_now_ns(g);
	m->exits = counters_read(g, UMBRA_CTR_EXITS_TOTAL);
	for (unsigned k = 0; k < EXIT_KIND_COUNT; k++)
		m->by_kind[k] = counters_read(g, UMBRA_CTR_EXITS_BY_KIND + k);
	for (unsigned i = 0; i < UMBRA_MARK_COUNTER_COUNT; i++)
		m->counters[i] = counters_read(g, mark_index[i]);
}

/* Registers at 0x5f0 (index), 0x5f4 (low half), 0x5f8 (high half) and 0x5fc (mark); other
 * offsets read as all-ones, and the mark register reads as all-ones too. */
static uint64_t counter_port_read(void *dev, uint64_t offset, unsigned size)
{
	struct guest *g = dev;

	(void)size;
	switch (offset) {
	case UMBRA_COUNTER_INDEX_PORT - UMBRA_COUNTER_INDEX_PORT:
		return g->counter_index;
	case UMBRA_COUNTER_LOW_PORT - UMBRA_COUNTER_INDEX_PORT:
		return (uint32_t)g->counter_latch;
	case UMBRA_COUNTER_HIGH_PORT - UMBRA_COUNTER_INDEX_PORT:
		return (uint32_t)(g->counter_latch >> 32);
	}
	return ~0ULL;
}

/* Selecting an index takes the counter's value, so the two halves read later belong together. */
static void counter_port_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	struct guest *g = dev;

	(void)size;
	if (offset == 0) {
		g->counter_index = (uint32_t)value;
		g->counter_latch = counters_read(g, g->counter_index);
	} else if (offset == UMBRA_COUNTER_MARK_PORT - UMBRA_COUNTER_INDEX_PORT) {
		counter_mark(g, (uint32_t)value);
	}
}

bool counter_port_attach(struct guest *g, struct device_bus *b)
{
	return bus_register(b, &(struct bus_range){
		BUS_PORT, UMBRA_COUNTER_INDEX_PORT, UMBRA_COUNTER_MARK_PORT + 4 - UMBRA_COUNTER_INDEX_PORT,
		"umbra-counters", counter_port_read, counter_port_write, g, false });
}
