/* Umbra's counters, readable by the guest through three ports (guest/umbra_abi.h). */
#include "guest/counters.h"
#include "guest/guest.h"
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
	case UMBRA_CTR_NOT_RAM_READS: return m->not_ram_reads;
	}
	return ~0ULL;
}

bool counters_io(struct guest *g, uint16_t port, bool in, unsigned size, uint32_t *value)
{
	switch (port) {
	case UMBRA_COUNTER_INDEX_PORT:
		if (in)
			*value = g->counter_index;
		else {
			g->counter_index = *value;
			g->counter_latch = counters_read(g, *value);
		}
		return true;
	case UMBRA_COUNTER_LOW_PORT:
	case UMBRA_COUNTER_HIGH_PORT:
		if (in)
			*value = (uint32_t)(g->counter_latch >> (port == UMBRA_COUNTER_HIGH_PORT ? 32 : 0));
		if (in && size < 4)
			*value &= (1u << (8 * size)) - 1;
		return true;
	}
	return false;
}
