/* Intercepted exceptions other than #PF, and the triple fault that ends a guest. */
#include "guest/exits/exits.h"
#include "guest/guest.h"

/* The exception goes back to the guest unchanged. */
void exit_exception(struct guest *g, struct vm_exit *e)
{
	vcpu_queue_exception(&g->vcpu, e->exception.vector, e->exception.has_error_code,
			     e->exception.error_code);
}

void exit_triple_fault(struct guest *g, struct vm_exit *e)
{
	(void)e;
	guest_stop(g, GUEST_STOP_TRIPLE_FAULT, "triple fault");
}
