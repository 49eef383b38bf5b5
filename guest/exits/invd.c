/* INVD would throw away dirty cache lines of memory Umbra shares; WBINVD is what it gets. */
#include "guest/exits/exits.h"
#include "guest/guest.h"

void exit_invd(struct guest *g, struct vm_exit *e)
{
	__asm__ volatile("wbinvd" ::: "memory");
	vcpu_skip_instruction(&g->vcpu, e);
}
