/*
 * What a guest may rely on beyond the PC platform: Umbra's counter port. Shared with the test
 * guests, so it holds plain constants only.
 *
 * Reading a counter: write its index with a 32-bit OUT to UMBRA_COUNTER_INDEX_PORT, then read
 * the value with 32-bit INs from UMBRA_COUNTER_LOW_PORT and UMBRA_COUNTER_HIGH_PORT. The value
 * is taken when the index is written, so the two halves belong together. An unknown index
 * reads as all-ones.
 *
 * Marks: a write of any size to UMBRA_COUNTER_MARK_PORT records a snapshot of the counters of
 * UMBRA_MARK_COUNTERS (and the guest time), tagged with the value written (its low byte with a
 * byte OUT). Umbra prints each mark in its stop report as one line,
 *   "umbra: mark TAG: time_ns=N total=N KIND=N ... faults=N ..."
 * (guest/report.c), so a guest can split its run into phases without reading the counters
 * itself: Linux's /init writes one byte through /dev/port at each phase boundary. Marks cost
 * one I/O exit and print nothing while the guest runs (no output interleaves with the
 * guest's). At most UMBRA_MARKS_MAX marks are kept; later ones are only counted.
 */
#ifndef UMBRA_GUEST_UMBRA_ABI_H
#define UMBRA_GUEST_UMBRA_ABI_H

#define UMBRA_COUNTER_INDEX_PORT	0x5f0
#define UMBRA_COUNTER_LOW_PORT		0x5f4
#define UMBRA_COUNTER_HIGH_PORT		0x5f8
#define UMBRA_COUNTER_MARK_PORT		0x5fc
#define UMBRA_MARKS_MAX			32

/* Indexes 0x00-0x3f: exits by kind (enum exit_kind of guest/vm_exit.h: 1 cpuid, 2 io, 3 rdmsr,
 * 4 wrmsr, 5 cr, 6 hlt, 7 invlpg, 8 xsetbv, 9 page-fault, 10 exception, ...). */
#define UMBRA_CTR_EXITS_BY_KIND		0x00
#define UMBRA_CTR_EXITS_TOTAL		0x40
/* Shadow MMU counters. */
#define UMBRA_CTR_PF_EXITS		0x80	/* #PF exits */
#define UMBRA_CTR_PF_FILLS		0x81	/* shadow leaf entries installed by the fault path */
#define UMBRA_CTR_PF_REFLECTED		0x82	/* faults given to the guest */
#define UMBRA_CTR_PT_WRITES		0x83	/* emulated guest page-table writes */
#define UMBRA_CTR_PT_UPDATED		0x84	/* shadow entries recomputed in place by them */
#define UMBRA_CTR_PT_ZAPPED		0x85	/* shadow entries cleared by them */
#define UMBRA_CTR_PT_UNSHADOWED		0x86	/* shadow pages dropped as flooded */
#define UMBRA_CTR_PT_FALLBACKS		0x87	/* page-table writes Umbra could not emulate */
#define UMBRA_CTR_SP_CREATED		0x88
#define UMBRA_CTR_SP_ZAPPED		0x89
#define UMBRA_CTR_ROOTS_BUILT		0x8a
#define UMBRA_CTR_ROOTS_REUSED		0x8b
#define UMBRA_CTR_NOT_RAM_READS		0x8c
#define UMBRA_CTR_DELIVERY_UNSHADOWED	0x8d	/* tables unshadowed for a delivery */
#define UMBRA_CTR_MMU_MODE		0x8e	/* 0 shadow, 1 TDP */
#define UMBRA_CTR_TDP_FAULTS		0x8f	/* EPT violations / NPFs */
#define UMBRA_CTR_TDP_MAPS_4K		0x90
#define UMBRA_CTR_TDP_MAPS_2M		0x91
#define UMBRA_CTR_TDP_TABLE_PAGES	0x92
#define UMBRA_CTR_SP_EVICTED		0x93	/* shadow pages evicted to make room */
#define UMBRA_CTR_MMU_RESETS		0x94	/* whole shadow-MMU resets */
#define UMBRA_CTR_SP_LIMIT		0x95	/* shadow pages the pool holds (shadow_mem=) */
#define UMBRA_CTR_SP_USED		0x96	/* shadow pages in use now */
#define UMBRA_CTR_PF_PREFETCHED		0x97	/* shadow leaf entries filled by prefetch */
/* 1 when a fault on a not-present guest entry, in the guest's current paging state, reaches
 * the guest without an exit (VMX with the shadow MMU's marker, mm/spte.h); 0 otherwise. */
#define UMBRA_CTR_PF_NP_DIRECT		0x98
#define UMBRA_CTR_PF_TRAPS		0x99	/* #PF exits on the "not yet shadowed" marker
						 * or a guest reserved bit (P = 1, RSVD = 1) */
#define UMBRA_CTR_SP_UNSYNC		0x9a	/* shadow pages let out of sync (writable) */
#define UMBRA_CTR_SP_SYNCS		0x9b	/* syncs of an out-of-sync frame */
#define UMBRA_CTR_SP_SYNC_CHANGED	0x9c	/* guest entries a sync found changed */

#endif
