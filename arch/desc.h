/* Host descriptor tables: GDT with a 64-bit TSS, and the IDT (SDM Vol. 3A 3.5, 6.14, 7.7). */
#ifndef UMBRA_ARCH_DESC_H
#define UMBRA_ARCH_DESC_H

#include <stdint.h>

/* Interrupt stack table slots (SDM Vol. 3A 6.14.5): faults that may hit a bad stack get their own. */
#define IST_DOUBLE_FAULT	1
#define IST_NMI			2
#define IST_MACHINE_CHECK	3
#define IST_COUNT		3

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes (SDM Vol. 3A figure 7-11)");

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* Loads Umbra's GDT and task register; the TSS gives IST stacks to #DF, NMI and #MC. */
void gdt_init(void);
/* Fills and loads the IDT: vectors 0-31 report and stop, the rest are reported as unexpected. */
void idt_init(void);
/* The base of the host TSS and GDT, as VMX host-state fields need them. */
uint64_t gdt_base(void);
uint64_t tss_base(void);

#endif
