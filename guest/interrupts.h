/* The guest's interrupt lines: from its devices through the virtual PIC to the vCPU. */
#ifndef UMBRA_GUEST_INTERRUPTS_H
#define UMBRA_GUEST_INTERRUPTS_H

#include <stdint.h>

struct guest;

#define GUEST_NO_TIMER	UINT64_MAX

/* Brings the PIC's inputs up to date with the devices' interrupt lines at the guest's time now:
 * a timer that came due since the last look raises its line. */
void guest_update_irq_lines(struct guest *g);
/* The guest time at which a device's timer raises its next interrupt, or GUEST_NO_TIMER. */
uint64_t guest_next_timer(const struct guest *g);
/* Before each entry: queues the PIC's interrupt if the guest can take it now (RFLAGS.IF, no
 * STI/MOV SS shadow, no other event or single-step trap pending), else asks for an
 * interrupt-window exit; and tells the backend when the next timer is due. */
void guest_deliver_interrupts(struct guest *g);

#endif
