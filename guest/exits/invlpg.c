/* INVLPG m (SDM Vol. 2A "INVLPG"): the shadow translation of the address goes, and the TLB
 * with it. */
#include "guest/exits/exits.h"
#include "guest/guest.h"
#include "guest/insn.h"
#include "guest/mode.h"

void exit_invlpg(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	struct paging_state ps = guest_paging_state(g);
	uint64_t linear = e->invlpg.linear;

	if (!e->invlpg.known) {
		struct x86_insn in;
		struct segment s;
		int seg;

		if (!guest_decode_at_rip(g, &in))
			return;
		seg = in.segment >= 0 ? in.segment : SEG_DS;
		v->ops->get_segment(v, seg, &s);
		linear = x86_effective_address(&in, v->gpr, v->rip + in.len);
		if (guest_x86_mode(g) != X86_MODE_64 || seg == SEG_FS || seg == SEG_GS)
			linear += s.base;
	}
	mmu_invlpg(&g->mmu, &ps, linear);
	v->ops->flush_tlb(v);
	g->mmu.need_flush = false;
	vcpu_skip_instruction(v, e);
}
