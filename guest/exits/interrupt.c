/* Exits that are about interrupts rather than a guest instruction: Umbra's own tick, the
 * interrupt window it asked for, and exits with nothing left to do. */
#include "guest/exits/exits.h"
#include "guest/guest.h"
#include "arch/irq.h"

/* An interrupt of Umbra's own (the tick) made the exit: finish it; the run loop then looks at
 * the console. */
void exit_host_interrupt(struct guest *g, struct vm_exit *e)
{
	(void)g;
	if (e->interrupt.acknowledged)
		irq_complete_acknowledged(e->interrupt.vector);
	else
		irq_take_pending();
}

/* The backend reports that the guest can take an interrupt: the run loop injects it. */
void exit_interrupt_window(struct guest *g, struct vm_exit *e)
{
	(void)e;
	g->vcpu.ops->set_interrupt_window(&g->vcpu, false);
	g->interrupt_window = false;
}

/* The backend did all there was to do (or the exit only gave Umbra control back). */
void exit_nothing(struct guest *g, struct vm_exit *e)
{
	(void)g;
	(void)e;
}
