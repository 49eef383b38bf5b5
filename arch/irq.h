/* Umbra's own interrupts: the periodic tick that gives it control back from a busy guest. */
#ifndef UMBRA_ARCH_IRQ_H
#define UMBRA_ARCH_IRQ_H

#include <stdint.h>

#define UMBRA_TICK_HZ	100

/* Remaps the PICs, then starts the PIT tick on IRQ 0 (masked until irq_enable_tick()). */
void irq_init(void);
void irq_enable_tick(void);
/* Halts the CPU until an interrupt (the tick at the latest) has been taken; the tick is
 * unmasked for it if it was not yet. */
void irq_wait(void);
/* Ticks taken so far. */
uint64_t irq_ticks(void);
/* An interrupt that a VM exit already acknowledged (VMX "acknowledge interrupt on exit"):
 * finishes it as the IDT path would. */
void irq_complete_acknowledged(uint8_t vector);
/* An interrupt that made a VM exit but is still pending (SVM): takes it through the IDT. */
void irq_take_pending(void);

#endif
