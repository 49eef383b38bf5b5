/* The legacy 8259A interrupt controllers, which Umbra keeps silent. */
#ifndef UMBRA_ARCH_PIC_H
#define UMBRA_ARCH_PIC_H

#define PIC1_DATA	0x21	/* master: interrupt mask register (OCW1) */
#define PIC2_DATA	0xa1	/* slave */

/* Masks every IRQ line: Umbra polls, and a stray timer interrupt must not cause exits. */
void pic_mask_all(void);

#endif
