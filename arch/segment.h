/* Umbra's GDT layout, shared by the boot code and arch/gdt.c (SDM Vol. 3A 3.4.5, 7.2.3). */
#ifndef UMBRA_ARCH_SEGMENT_H
#define UMBRA_ARCH_SEGMENT_H

#define GDT_NULL	0
#define SEL_CODE64	0x08	/* 64-bit ring-0 code */
#define SEL_DATA	0x10	/* ring-0 data */
#define SEL_CODE32	0x18	/* 32-bit ring-0 code (boot only) */
#define SEL_TSS		0x20	/* 64-bit TSS: a 16-byte descriptor */
#define GDT_ENTRIES	6	/* null, code64, data, code32, tss (2 slots) */

#endif
