/* #PF: the shadow MMU decides whether to fill, reflect, emulate a page-table write, or emulate
 * a device-register (MMIO) access. */
#include "guest/exits/exits.h"
#include "guest/exits/mmio.h"
#include "guest/exits/pt_write.h"
#include "guest/guest.h"
#include "guest/mode.h"
#include "arch/rflags.h"

void exit_page_fault(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	struct paging_state ps = guest_paging_state(g);
	struct mmu_outcome out;
	struct segment ss;

	/* The CPL is SS.DPL (SDM Vol. 3A 5.5); the MMU needs it to tell implicit supervisor
	 * accesses at CPL 3 from explicit ones (SDM 4.6). */
	v->ops->get_segment(v, SEG_SS, &ss);
	mmu_page_fault(&g->mmu, &ps, e->exception.cr2, e->exception.error_code, ss.dpl & 3,
		       v->rflags & RFLAGS_AC, &out);
	switch (out.action) {
	case MMU_RETRY:
		break;
	case MMU_INJECT_PF:
		vcpu_queue_page_fault(v, out.error_code, out.cr2);
		break;
	case MMU_EMULATE_WRITE:
		guest_emulate_pt_write(g, out.gpa);
		break;
	case MMU_EMULATE_MMIO:
		guest_emulate_mmio(g, out.gpa);
		break;
	case MMU_GUEST_FATAL:
		guest_stop(g, GUEST_STOP_FATAL, "page fault at %llx: %s",
			   (unsigned long long)e->exception.cr2, out.why);
		break;
	}
}
