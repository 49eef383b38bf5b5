/* Guest paging-mode transitions: keep LMA right, then hand the new state to the shadow MMU. */
#include "guest/mode.h"
#include "guest/guest.h"
#include "arch/cpu_info.h"
#include "arch/cr.h"
#include "arch/msr.h"
#include "arch/pt.h"

struct paging_state guest_paging_state(const struct guest *g)
{
	const struct vcpu *v = &g->vcpu;
	struct paging_state ps = { v->cr0, v->cr3, v->cr4, v->efer,
				   { v->pdptes[0], v->pdptes[1], v->pdptes[2], v->pdptes[3] } };

	return ps;
}

void guest_reload_root(struct guest *g)
{
	struct vcpu *v = &g->vcpu;
	struct paging_state ps = guest_paging_state(g);
	uint64_t root;

	/* TDP: the processor walks the guest's own tables; a change of its paging state flushes
	 * the guest's TLB as the instruction that made it would have (SDM Vol. 3A 4.10.4.1). */
	if (guest_tdp(g)) {
		v->ops->update_paging(v, 0);
		v->ops->flush_tlb(v);
		return;
	}
	root = mmu_load_root(&g->mmu, &ps);

	if (!root) {
		guest_stop(g, GUEST_STOP_FATAL, "out of memory for the shadow root (%s paging)",
			   paging_mode_name(paging_mode_of(&ps)));
		return;
	}
	v->ops->update_paging(v, root);
	v->ops->flush_tlb(v);
	g->mmu.need_flush = false;
}

void guest_paging_changed(struct guest *g)
{
	struct vcpu *v = &g->vcpu;

	/* SDM Vol. 3A 10.8.5: LMA becomes 1 when paging is enabled with LME = 1, and 0 when
	 * paging is disabled. */
	if ((v->cr0 & CR0_PG) && (v->efer & EFER_LME))
		v->efer |= EFER_LMA;
	else
		v->efer &= ~EFER_LMA;
	guest_reload_root(g);
}

bool guest_pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LME);
}

bool guest_load_pdptes(struct guest *g, uint64_t cr3, uint64_t out[4])
{
	/* Reserved in a present PDPTE: bits 2:1, 8:5 and MAXPHYADDR-63 (SDM 4.4.1, table 4-8). */
	uint64_t reserved = 0x1e6ULL | ~((1ULL << g->host_cpu->maxphyaddr) - 1);
	uint64_t pdptes[4];

	/* The PDPT is 32-byte aligned at CR3 bits 31:5. Memory that is not RAM reads all-ones. */
	if (!guest_mem_read(&g->mem, cr3 & 0xffffffe0ULL, pdptes, sizeof(pdptes)))
		return false;
	for (int i = 0; i < 4; i++)
		if ((pdptes[i] & PT_P) && (pdptes[i] & reserved))
			return false;
	for (int i = 0; i < 4; i++)
		out[i] = pdptes[i];
	return true;
}

void guest_set_cr0(struct guest *g, uint64_t value)
{
	uint64_t changed = value ^ g->vcpu.cr0;

	g->vcpu.cr0 = value;
	if (changed & (CR0_PG | CR0_WP | CR0_PE))
		guest_paging_changed(g);
	else
		g->vcpu.ops->update_paging(&g->vcpu, g->mmu.root);
}

void guest_set_cr3(struct guest *g, uint64_t value)
{
	g->vcpu.cr3 = value;
	if (g->vcpu.cr0 & CR0_PG)
		guest_paging_changed(g);
}

void guest_set_cr4(struct guest *g, uint64_t value)
{
	uint64_t changed = value ^ g->vcpu.cr4;

	g->vcpu.cr4 = value;
	if (changed & (CR4_PAE | CR4_PSE | CR4_PGE | CR4_SMEP | CR4_SMAP | CR4_PCIDE))
		guest_paging_changed(g);
	else
		g->vcpu.ops->update_paging(&g->vcpu, g->mmu.root);
}

void guest_set_efer(struct guest *g, uint64_t value)
{
	uint64_t changed = value ^ g->vcpu.efer;

	g->vcpu.efer = value;
	if (changed & (EFER_LME | EFER_NXE))
		guest_paging_changed(g);
	else
		g->vcpu.ops->update_paging(&g->vcpu, g->mmu.root);
}
