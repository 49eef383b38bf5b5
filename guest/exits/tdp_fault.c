/*
 * TDP faults (EPT violations, NPFs): an access the guest-physical tables do not allow. The
 * guest's own page tables have already been walked by the processor, so what is left is
 * Umbra's: map RAM, or hand the access to guest/phys.c. A misconfigured entry is Umbra's bug:
 * the guest stops with the entries of that address.
 */
#include "guest/exits/exits.h"
#include "guest/guest.h"
#include "guest/phys.h"
#include "lib/printk.h"

void exit_tdp_fault(struct guest *g, struct vm_exit *e)
{
	g->tdp.stats.faults++;
	if (!guest_tdp(g)) {
		guest_stop(g, GUEST_STOP_FATAL, "a TDP fault at gpa %llx with shadow paging",
			   (unsigned long long)e->tdp.gpa);
		return;
	}
	guest_phys_access(g, e->tdp.gpa, e->tdp.access);
}

void exit_tdp_misconfig(struct guest *g, struct vm_exit *e)
{
	uint64_t entries[TDP_LEVELS];
	unsigned n = tdp_lookup(&g->tdp, e->tdp.gpa, entries);

	for (unsigned i = 0; i < n; i++) {
		const char *why = tdp_entry_malformed(&g->tdp.caps, entries[i], TDP_LEVELS - i);

		pr_err("umbra: tdp: gpa %llx level %u entry %llx%s%s\n",
		       (unsigned long long)e->tdp.gpa, TDP_LEVELS - i,
		       (unsigned long long)entries[i], why ? ": " : "", why ? why : "");
	}
	guest_stop(g, GUEST_STOP_FATAL, "TDP misconfiguration at guest-physical %llx (Umbra's bug)",
		   (unsigned long long)e->tdp.gpa);
}
