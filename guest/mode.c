/* Guest paging-mode transitions: keep LMA right, then hand the new state to the shadow MMU. */
#include "guest/mode.h"
#include "guest/guest.h"
#include "arch/cr.h"
#include "arch/msr.h"

void guest_paging_changed(struct guest *g)
{
	struct vcpu *v = &g->vcpu;
	struct paging_state ps;
	uint64_t root;

	/* SDM Vol. 3A 10.8.5: LMA becomes 1 when paging is enabled with LME = 1, and 0 when
	 * paging is disabled. */
	if ((v->cr0 & CR0_PG) && (v->efer & EFER_LME))
		v->efer |= EFER_LMA;
	else
		v->efer &= ~EFER_LMA;

	ps = (struct paging_state){ v->cr0, v->cr3, v->cr4, v->efer };
	root = mmu_load_root(&g->mmu, &ps);
	if (!root) {
		guest_stop(g, GUEST_STOP_FATAL, "guest paging mode %s is not supported yet",
			   paging_mode_name(paging_mode_of(&ps)));
		return;
	}
	v->ops->update_paging(v, root);
	v->ops->flush_tlb(v);
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
