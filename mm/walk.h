/*
 * The guest page-table walker: one walker for every guest paging mode, driven by a snapshot of
 * the guest's control registers. Pure: guest memory is reached through struct walk_mem, so the
 * walker runs the same in Umbra and in host unit tests.
 */
#ifndef UMBRA_MM_WALK_H
#define UMBRA_MM_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/access.h"
#include "mm/paging_mode.h"

/* The access being translated: PFEC_W, PFEC_U and PFEC_I bits of mm/mmu.h (the same bits the
 * #PF error code reports). */
#define WALK_WRITE	(1u << 1)	/* = PFEC_W */
#define WALK_USER	(1u << 2)	/* = PFEC_U: CPL 3 */
#define WALK_FETCH	(1u << 4)	/* = PFEC_I */
#define WALK_IMPLICIT	(1u << 8)	/* implicit supervisor access (descriptor tables...), SDM 4.6 */
#define WALK_RFLAGS_AC	(1u << 9)	/* EFLAGS.AC was 1 (SMAP allows explicit supervisor data access) */

#define WALK_MAX_LEVELS	5		/* index 1..4 used; [0] unused */

/* Guest-physical memory as the walker sees it. read/write return false when gpa is not RAM. */
struct walk_mem {
	bool (*read)(void *ctx, uint64_t gpa, void *buf, unsigned len);
	bool (*write)(void *ctx, uint64_t gpa, const void *buf, unsigned len);
	void *ctx;
};

struct walk_request {
	struct paging_state ps;		/* CR0, CR3, CR4, EFER of the guest */
	uint64_t pdptes[4];		/* the cached PDPTEs (PAE mode only; loaded, already checked) */
	uint64_t addr;			/* linear address */
	uint32_t access;		/* WALK_* bits */
	uint8_t maxphyaddr;		/* the guest's physical-address width (CPUID 80000008h) */
	bool pse36;			/* 4 MiB pages can map above 4 GiB (CPUID.1:EDX.PSE-36) */
	bool gb_pages;			/* 1 GiB pages exist (CPUID 80000001h:EDX[26]) */
	bool set_ad;			/* write A and D bits back to guest memory on success */
};

struct walk_result {
	bool fault;
	uint32_t pfec;			/* the #PF error code when fault (P, W, U, RSVD, I bits) */
	bool not_ram;			/* a paging-structure entry lies outside guest RAM: fault is
					 * false, the walk could not finish (Umbra decides) */
	uint64_t gpa;			/* translation of addr (when !fault) */
	unsigned levels;		/* levels walked in this mode: 0 (paging off), 2, 3 or 4 */
	unsigned leaf_level;		/* 1 = 4 KiB page, 2 = 2/4 MiB, 3 = 1 GiB */
	uint64_t page_size;
	/* Per level (1 = page table .. 4 = PML4; for PAE level 3 is the PDPTE): the entry as read
	 * (before the walker set A/D), and its guest-physical address (0 for the cached PDPTEs). */
	uint64_t pte[WALK_MAX_LEVELS];
	uint64_t pte_gpa[WALK_MAX_LEVELS];
	uint8_t pte_size;		/* 4 (32-bit paging) or 8 */
	/* Effective rights of the translation, combined over all levels (ACC_* of
	 * mm/access.h): ACC_USER if every level allows user, ACC_WRITE if every level allows
	 * writes, ACC_EXEC unless some level has XD (with EFER.NXE). */
	unsigned access;
	bool dirty;			/* the leaf's D bit after the walk */
	bool global;			/* the leaf's G bit */
};

/*
 * Translates req->addr as the processor would for req->access (SDM Vol. 3A 4.3-4.8): checks
 * present bits, reserved bits (per mode and MAXPHYADDR), U/S, R/W with CR0.WP, XD with
 * EFER.NXE, SMEP, and SMAP (with EFLAGS.AC and implicit supervisor accesses). On success it
 * sets the accessed flags of every entry used and, for a write, the leaf's dirty flag (when
 * req->set_ad). On a fault it sets nothing and reports the exact error code.
 */
void walk_guest(const struct walk_request *req, const struct walk_mem *mem, struct walk_result *out);

#endif
