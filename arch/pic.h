/* The legacy 8259A interrupt controllers: remapped above the exceptions, every line masked
 * except those Umbra uses itself. */
#ifndef UMBRA_ARCH_PIC_H
#define UMBRA_ARCH_PIC_H

#include <stdint.h>

#define PIC1_CMD	0x20	/* master: ICW1, OCW2, OCW3 */
#define PIC1_DATA	0x21	/* master: ICW2-4, interrupt mask (OCW1) */
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define PIC_EOI		0x20	/* OCW2: non-specific end of interrupt */
#define PIC_READ_ISR	0x0b	/* OCW3: the next command-port read returns the in-service register */
#define IRQ_TIMER	0
#define IRQ_CASCADE	2

/* Moves IRQs 0-15 to vectors base..base+15 (the BIOS leaves them on top of the exceptions) and
 * masks every line (8259A data sheet: ICW1-ICW4). */
void pic_init(uint8_t base);
void pic_unmask(unsigned irq);
/* Ends the interrupt irq; returns false when it was spurious (IRQ 7/15 not in service). */
int pic_eoi(unsigned irq);
/* Masks every line: Umbra polls, and a stray timer interrupt must not cause exits. */
void pic_mask_all(void);

#endif
