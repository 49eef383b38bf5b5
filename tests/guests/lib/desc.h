/* The guest's own GDT and IDT for 32-bit protected mode; a later mode switch may rebuild them. */
#ifndef GUEST_DESC_H
#define GUEST_DESC_H

/* Selectors of desc.c's GDT (SDM Vol. 3A 3.4.2): index << 3, TI=0, RPL=0. */
#define GDT_SEL_CODE32	0x08
#define GDT_SEL_DATA	0x10
#define GDT_SEL_CODE64	0x18	/* for a later switch to long mode; unused in 32-bit mode */

/* Loads the GDT and reloads every segment register from it. */
void gdt_init(void);
/* Points vectors 0-31 at traps.S and loads the IDT. */
void idt_init(void);

#endif
