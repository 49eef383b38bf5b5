/*
 * The shadow-MMU host test fixture, shared by test_mmu.c and test_mmu_audit.c. Umbra's host
 * map is the identity, so an mmap'ed buffer handed to the page allocator stands in for physical
 * memory: guest RAM, shadow pages and Umbra's PAE root all live in it.
 */
#ifndef UMBRA_TESTS_MMU_FIXTURE_H
#define UMBRA_TESTS_MMU_FIXTURE_H

#include <stdlib.h>
#include <sys/mman.h>

#include "mm/mem_range.h"
#include "mm/guest_mem.h"
#include "mm/mmu.h"
#include "mm/pmm.h"

#define HOST_BYTES	(96ULL << 20)
#define GUEST_RAM	(16ULL << 20)

struct fixture {
	void *host;
	struct pmm pmm;
	struct guest_mem gm;
	struct mmu mmu;
	uint64_t next_table;	/* guest-side bump allocator for guest page tables */
	unsigned direct_faults;	/* P = 0 faults mmu_hw.h gave the guest without an exit */
};

static inline struct fixture *fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct mem_range r;

	/* Below 2 GiB, as the PAE root must be below 4 GiB (SDM 4.4: CR3 is 32 bits there). */
	f->host = mmap(NULL, HOST_BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(f->host != MAP_FAILED);
	r = (struct mem_range){ (uint64_t)(uintptr_t)f->host, HOST_BYTES, MEM_USABLE };
	pmm_init(&f->pmm, &r, 1, NULL, 0);
	assert_true(guest_mem_init(&f->gm, &f->pmm, GUEST_RAM));
	assert_true(mmu_init(&f->mmu, &f->gm, &f->pmm,
			     &(struct mmu_cpu){ .maxphyaddr = 40, .host_maxphyaddr = 40, .pse36 = true, .gb_pages = true,
						.host_nx = true }));
	f->next_table = 0x200000;
	return f;
}

static inline void fixture_free(struct fixture *f)
{
	munmap(f->host, HOST_BYTES);
	free(f);
}

/* A zeroed guest page-table page from the bump allocator. */
static inline uint64_t guest_table(struct fixture *f)
{
	uint64_t gpa = f->next_table;

	f->next_table += 4096;
	assert_true(guest_mem_zero(&f->gm, gpa, 4096));
	return gpa;
}

static inline void gwrite(struct fixture *f, uint64_t gpa, uint64_t value, unsigned size)
{
	assert_true(guest_mem_write(&f->gm, gpa, &value, size));
}

/* The shadow page (not direct) of guest table gfn at level in quadrant q, found by role. */
static inline struct shadow_page *find_sp(struct fixture *f, uint64_t gfn, unsigned level,
					  unsigned q)
{
	for (struct shadow_page *sp = sp_next_of_gfn(&f->mmu.cache, gfn, NULL); sp;
	     sp = sp_next_of_gfn(&f->mmu.cache, gfn, sp))
		if (!sp->role.direct && sp->role.level == level && sp->role.quadrant == q)
			return sp;
	return NULL;
}

#endif
