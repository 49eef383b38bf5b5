/* The guest's interrupt lines: from its devices through the virtual PIC to the vCPU. */
#ifndef UMBRA_GUEST_INTERRUPTS_H
#define UMBRA_GUEST_INTERRUPTS_H

struct guest;

/* Brings the PIC's inputs up to date with the devices' interrupt lines. */
void guest_update_irq_lines(struct guest *g);
/* Before each entry: queues the PIC's interrupt if the guest can take it now (RFLAGS.IF, no
 * STI/MOV SS shadow, no other event pending), else asks for an interrupt-window exit. */
void guest_deliver_interrupts(struct guest *g);

#endif
