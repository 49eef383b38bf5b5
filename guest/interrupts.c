/* The guest's interrupt lines: from its devices through the virtual PIC to the vCPU. */
#include "guest/interrupts.h"
#include "guest/guest.h"
#include "arch/rflags.h"

void guest_update_irq_lines(struct guest *g)
{
	vpic_set_line(&g->pic, GUEST_UART_IRQ, vuart_irq_level(&g->uart));
}

void guest_deliver_interrupts(struct guest *g)
{
	struct vcpu *v = &g->vcpu;
	int vector;

	guest_update_irq_lines(g);
	if (vpic_pending(&g->pic) < 0 || v->pending_event.pending)
		return;
	if ((v->rflags & RFLAGS_IF) && !v->ops->interrupt_shadow(v)) {
		vector = vpic_acknowledge(&g->pic);
		v->pending_event = (struct event){ .pending = true, .type = EVENT_EXT_INTERRUPT,
						   .vector = (uint8_t)vector };
	} else if (!g->interrupt_window) {
		v->ops->set_interrupt_window(v, true);
		g->interrupt_window = true;
	}
}
