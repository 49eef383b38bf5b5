/* #PF: the shadow MMU decides whether to fill, reflect, or emulate a page-table write. */
#include "guest/exits/exits.h"
#include "guest/exits/pt_write.h"
#include "guest/guest.h"
#include "guest/mode.h"
#include "arch/rflags.h"
#include "mm/page.h"

/*
 * An event delivery wrote a shadowed guest page table, and the MMU unshadowed it so that the
 * delivery, redone, writes memory directly. When that table is on the delivery's own
 * translation path, the fill of the redone write shadows it again and the write faults once
 * more: the same delivery at the same RIP unshadows the same frame two exits later, for
 * ever. Like an emulation fallback that repeats (pt_write.c), that is stopped with a report.
 */
static void guest_delivery_unshadowed(struct guest *g, uint64_t gpa)
{
	struct vcpu *v = &g->vcpu;
	uint64_t gfn = gpa >> PAGE_SHIFT;

	if (g->delivery_rip == v->rip && g->delivery_gfn == gfn &&
	    v->stats.exits - g->delivery_exit <= 2) {
		guest_stop(g, GUEST_STOP_FATAL, "an event delivery at rip %llx writes its own page "
			   "table at %llx", (unsigned long long)v->rip, (unsigned long long)gpa);
		return;
	}
	g->delivery_rip = v->rip;
	g->delivery_gfn = gfn;
	g->delivery_exit = v->stats.exits;
}

void exit_page_fault(struct guest *g, struct vm_exit *e)
{
	struct vcpu *v = &g->vcpu;
	struct paging_state ps = guest_paging_state(g);
	struct mmu_outcome out;
	struct segment ss;

	/* The CPL is SS.DPL (SDM Vol. 3A 5.5); the MMU needs it to tell implicit supervisor
	 * accesses at CPL 3 from explicit ones (SDM 4.6). A fault during an event's delivery
	 * (SDM Vol. 3C 27.2.4, APM Vol. 2 15.7.2) is the delivery's: the instruction at RIP did
	 * not make the access, and is never emulated for it. */
	v->ops->get_segment(v, SEG_SS, &ss);
	mmu_page_fault(&g->mmu, &ps, e->exception.cr2, e->exception.error_code, ss.dpl & 3,
		       v->rflags & RFLAGS_AC, e->during_delivery, &out);
	switch (out.action) {
	case MMU_RETRY:
		if (out.delivery_unshadowed)
			guest_delivery_unshadowed(g, out.gpa);
		break;
	case MMU_INJECT_PF:
		vcpu_queue_page_fault(v, out.error_code, out.cr2);
		break;
	case MMU_EMULATE_WRITE:
		guest_emulate_pt_write(g, out.gpa);
		break;
	case MMU_GUEST_FATAL:
		guest_stop(g, GUEST_STOP_FATAL, "page fault at %llx: %s",
			   (unsigned long long)e->exception.cr2, out.why);
		break;
	}
}
