/*
 * Shadow MMU core: roots and the page-fault path. With guest paging off, every shadow page is
 * direct: guest-linear equals guest-physical, and a fault installs the host frame that backs it.
 */
#include "mm/mmu.h"
#include "mm/guest_mem.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/pmm.h"
#include "arch/pt.h"
#include "lib/format.h"
#include "lib/string.h"

#define MMU_SHADOW_PAGES	4096
#define FOUR_GIB		(1ULL << 32)
#define PAE_ROOT_ENTRIES	4
#define PDPTE_P			PT_P	/* PAE PDPTEs have only P, PWT, PCD and the address (SDM 4.4.1) */
#define SPTE_TABLE		(PT_P | PT_RW | PT_US | PT_A)

const char *paging_mode_name(enum paging_mode mode)
{
	static const char *const names[] = {
		[PAGING_OFF] = "off", [PAGING_32] = "32-bit", [PAGING_PAE] = "PAE",
		[PAGING_4LEVEL] = "4-level",
	};
	return mode <= PAGING_4LEVEL ? names[mode] : "?";
}

bool mmu_init(struct mmu *m, struct guest_mem *mem, struct pmm *pmm)
{
	memset(m, 0, sizeof(*m));
	m->mem = mem;
	if (!sp_cache_init(&m->cache, pmm, MMU_SHADOW_PAGES))
		return false;
	/* CR3 holds only 32 bits in PAE mode (SDM Vol. 3A 4.4), so the PAE root lives below 4 GiB. */
	m->pae_root = hostmap_alloc_zeroed_page(pmm, FOUR_GIB);
	m->ones_page = hostmap_alloc_zeroed_page(pmm, UINT64_MAX);
	if (!m->pae_root || !m->ones_page)
		return false;
	memset(phys_to_virt(m->ones_page), 0xff, PAGE_SIZE);
	return true;
}

void mmu_reset(struct mmu *m)
{
	sp_cache_clear(&m->cache);
	memset(phys_to_virt(m->pae_root), 0, PAGE_SIZE);
	m->root_valid = false;
}

/* The role of a direct shadow page at level, mapping guest-physical memory with full rights. */
static union sp_role direct_role(unsigned level)
{
	union sp_role role = { .word = 0 };

	role.level = level;
	role.direct = 1;
	role.access = ACC_ALL;
	return role;
}

/* The direct page directory of PDPTE slot i; its gfn (i GiB) tells it from the other three. */
static union sp_role direct_pd_role(unsigned i)
{
	(void)i;
	return direct_role(2);
}

/* Paging off: the guest runs on PAE shadow tables; PDPTE i hangs the direct page directory that
 * maps guest-physical [i GiB, i+1 GiB). */
static uint64_t mmu_build_direct_pae_root(struct mmu *m)
{
	uint64_t *pdpt = phys_to_virt(m->pae_root);

	for (unsigned i = 0; i < PAE_ROOT_ENTRIES; i++) {
		struct shadow_page *sp;
		bool created;

		sp = sp_get(&m->cache, (uint64_t)i << (30 - PAGE_SHIFT), direct_pd_role(i), &created);
		if (!sp)
			return 0;
		if (created)
			m->stats.shadow_pages_created++;
		sp->root_count++;
		pdpt[i] = sp->hpa | PDPTE_P;
	}
	return m->pae_root;
}

uint64_t mmu_load_root(struct mmu *m, const struct paging_state *ps)
{
	enum paging_mode mode = paging_mode_of(ps);

	if (m->root_valid && m->root_mode == mode) {
		m->stats.roots_reused++;
		return m->root;
	}
	mmu_reset(m);
	switch (mode) {
	case PAGING_OFF:
		m->root = mmu_build_direct_pae_root(m);
		break;
	default:
		m->root = 0;	/* guest paging is the next step of the shadow MMU */
		break;
	}
	m->root_mode = mode;
	m->root_valid = m->root != 0;
	m->stats.roots_built++;
	return m->root;
}

static unsigned spte_index(uint64_t addr, unsigned level)
{
	return (addr >> (PAGE_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

/* Installs the leaf for a direct mapping of gpa below the level-2 direct page pd. */
static bool mmu_fetch_direct(struct mmu *m, struct shadow_page *pd, uint64_t gpa, uint64_t leaf)
{
	uint64_t *pde = &pd->spt[spte_index(gpa, 2)];
	struct shadow_page *pt;
	bool created;

	pt = sp_get(&m->cache, (gpa >> PAGE_SHIFT) & ~(uint64_t)(PT_ENTRIES - 1), direct_role(1),
		    &created);
	if (!pt)
		return false;
	if (created)
		m->stats.shadow_pages_created++;
	*pde = pt->hpa | SPTE_TABLE;
	pt->spt[spte_index(gpa, 1)] = leaf;
	m->stats.fills++;
	return true;
}

void mmu_page_fault(struct mmu *m, const struct paging_state *ps, uint64_t addr, uint32_t error,
		    struct mmu_outcome *out)
{
	enum paging_mode mode = paging_mode_of(ps);
	uint64_t gpa = addr & (FOUR_GIB - 1), hpa, leaf;
	struct shadow_page *pd;

	m->stats.faults++;
	out->action = MMU_RETRY;
	out->why[0] = '\0';
	if (mode != PAGING_OFF || !m->root_valid) {
		out->action = MMU_GUEST_FATAL;
		snprintk(out->why, sizeof(out->why), "guest paging mode %s is not supported yet",
			 paging_mode_name(mode));
		return;
	}
	pd = sp_lookup(&m->cache, (gpa >> 30) << (30 - PAGE_SHIFT), direct_pd_role(gpa >> 30));
	if (!pd) {
		out->action = MMU_GUEST_FATAL;
		snprintk(out->why, sizeof(out->why), "no direct page directory for %llx",
			 (unsigned long long)gpa);
		return;
	}
	if (guest_mem_gpa_to_hpa(m->mem, gpa & ~(PAGE_SIZE - 1), &hpa)) {
		leaf = hpa | PT_P | PT_RW | PT_US | PT_A | PT_D;
	} else if (error & PFEC_W) {
		out->action = MMU_GUEST_FATAL;
		snprintk(out->why, sizeof(out->why), "write to guest-physical %llx, which is not RAM",
			 (unsigned long long)gpa);
		return;
	} else {
		/* Not RAM: reads see all-ones, as an empty bus would give. */
		leaf = m->ones_page | PT_P | PT_US | PT_A;
		m->stats.not_ram_reads++;
	}
	if (!mmu_fetch_direct(m, pd, gpa, leaf)) {
		out->action = MMU_GUEST_FATAL;
		snprintk(out->why, sizeof(out->why), "out of shadow page memory");
	}
}
