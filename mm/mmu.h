/*
 * The shadow MMU: builds the page tables the processor really walks while the guest runs.
 * Vendor-neutral: it takes the guest's paging state by value and returns what to do.
 */
#ifndef UMBRA_MM_MMU_H
#define UMBRA_MM_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/paging_mode.h"
#include "mm/shadow_page.h"

struct guest_mem;
struct pmm;

/* #PF error code bits (SDM Vol. 3A 4.7, figure 4-12). */
#define PFEC_P		(1u << 0)	/* the fault was a protection violation (else not present) */
#define PFEC_W		(1u << 1)	/* write access */
#define PFEC_U		(1u << 2)	/* user-mode access */
#define PFEC_RSVD	(1u << 3)	/* reserved bit set in a paging-structure entry */
#define PFEC_I		(1u << 4)	/* instruction fetch */
#define PFEC_PK		(1u << 5)	/* protection key */

struct mmu_stats {
	uint64_t faults;		/* #PF exits seen */
	uint64_t fills;			/* leaf entries installed */
	uint64_t reflected;		/* faults given back to the guest */
	uint64_t not_ram_reads;		/* reads of guest-physical memory that is not RAM */
	uint64_t shadow_pages_created;
	uint64_t roots_built;
	uint64_t roots_reused;
};

struct mmu {
	struct guest_mem *mem;
	struct sp_cache cache;
	uint64_t pae_root;		/* a PAE PDPT below 4 GiB, Umbra's own (32-bit and PAE guests) */
	uint64_t ones_page;		/* read-only page of all-ones bytes: what non-RAM reads see */
	uint64_t root;			/* what CR3 must hold for the current mode */
	enum paging_mode root_mode;
	bool root_valid;
	struct mmu_stats stats;
};

enum mmu_action {
	MMU_RETRY,		/* the shadow tables now allow the access: re-execute */
	MMU_INJECT_PF,		/* a real guest fault: deliver #PF with error_code and cr2 */
	MMU_GUEST_FATAL,	/* the guest did something Umbra does not support: stop it */
};

struct mmu_outcome {
	enum mmu_action action;
	uint32_t error_code;
	uint64_t cr2;
	char why[96];		/* for MMU_GUEST_FATAL */
};

bool mmu_init(struct mmu *m, struct guest_mem *mem, struct pmm *pmm);
/* Returns the shadow root for the guest's current paging state, building it on first use. */
uint64_t mmu_load_root(struct mmu *m, const struct paging_state *ps);
/* Handles a #PF exit at linear address addr with the hardware error code. */
void mmu_page_fault(struct mmu *m, const struct paging_state *ps, uint64_t addr, uint32_t error,
		    struct mmu_outcome *out);
/* Forgets every shadow page: the next root load rebuilds from scratch. */
void mmu_reset(struct mmu *m);

#endif
