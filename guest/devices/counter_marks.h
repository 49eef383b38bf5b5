/* The marks of the counter port (guest/umbra_abi.h): types only, so struct guest can hold
 * them without depending on the port's code. */
#ifndef UMBRA_GUEST_DEVICES_COUNTER_MARKS_H
#define UMBRA_GUEST_DEVICES_COUNTER_MARKS_H

#include <stdint.h>
#include "guest/umbra_abi.h"
#include "guest/vm_exit.h"

/* The counters a mark records besides the exits by kind: index and name in the mark line. */
#define UMBRA_MARK_COUNTERS(X)						\
	X(UMBRA_CTR_PF_EXITS, "faults")					\
	X(UMBRA_CTR_PF_FILLS, "fills")					\
	X(UMBRA_CTR_PF_REFLECTED, "reflected")				\
	X(UMBRA_CTR_PT_WRITES, "pt_writes")				\
	X(UMBRA_CTR_PT_UPDATED, "pt_updated")				\
	X(UMBRA_CTR_PT_ZAPPED, "pt_zapped")				\
	X(UMBRA_CTR_PT_UNSHADOWED, "unshadowed")			\
	X(UMBRA_CTR_PT_FALLBACKS, "fallbacks")				\
	X(UMBRA_CTR_SP_CREATED, "sp_created")				\
	X(UMBRA_CTR_SP_ZAPPED, "sp_zapped")				\
	X(UMBRA_CTR_ROOTS_BUILT, "roots_built")				\
	X(UMBRA_CTR_ROOTS_REUSED, "roots_reused")			\
	X(UMBRA_CTR_SP_EVICTED, "evicted")				\
	X(UMBRA_CTR_MMU_RESETS, "resets")				\
	X(UMBRA_CTR_PF_PREFETCHED, "prefetched")			\
	X(UMBRA_CTR_PF_TRAPS, "pf_traps")				\
	X(UMBRA_CTR_SP_UNSYNC, "unsync")				\
	X(UMBRA_CTR_SP_SYNCS, "syncs")					\
	X(UMBRA_CTR_SP_SYNC_CHANGED, "sync_changed")			\
	X(UMBRA_CTR_TDP_FAULTS, "tdp_faults")

#define UMBRA_MARK_COUNT_ONE(index, name) + 1
enum { UMBRA_MARK_COUNTER_COUNT = 0 UMBRA_MARK_COUNTERS(UMBRA_MARK_COUNT_ONE) };
#undef UMBRA_MARK_COUNT_ONE

/* One mark: the tag written, the guest time and the counters at that moment. */
struct counter_mark {
	uint32_t tag;
	uint64_t time_ns;
	uint64_t exits;
	uint64_t by_kind[EXIT_KIND_COUNT];
	uint64_t counters[UMBRA_MARK_COUNTER_COUNT];	/* in UMBRA_MARK_COUNTERS order */
};

struct counter_marks {
	unsigned count;				/* kept, at most UMBRA_MARKS_MAX */
	uint64_t dropped;			/* written while the table was full */
	struct counter_mark mark[UMBRA_MARKS_MAX];
};

#endif
