/* Exits that end the guest because Umbra cannot go on with it: a refused entry, or an exit
 * nothing handles. Each stops the guest with a full report; none skips an instruction. */
#include "guest/exits/exits.h"
#include "guest/guest.h"

void exit_entry_failed(struct guest *g, struct vm_exit *e)
{
	guest_stop(g, GUEST_STOP_FATAL, "the processor refused the guest state (error 0x%x)",
		   e->entry.error);
}

void exit_unknown(struct guest *g, struct vm_exit *e)
{
	guest_stop(g, GUEST_STOP_FATAL, "unhandled exit (vendor reason 0x%llx)",
		   (unsigned long long)e->raw_reason);
}
