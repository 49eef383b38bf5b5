/* The guest's GDT (flat segments) and IDT (vectors 0-31) for 32-bit protected mode. */
#include <stdint.h>
#include "desc.h"
#include "entry.h"
#include "x86.h"

/* Segment descriptor fields (SDM Vol. 3A 3.4.5, figure 3-8). */
#define SEG_ACCESS_P		0x80	/* present */
#define SEG_ACCESS_S		0x10	/* code or data, not system */
#define SEG_TYPE_CODE_RX	0x0a	/* execute/read (3.4.5.1, table 3-1) */
#define SEG_TYPE_DATA_RW	0x02	/* read/write */
#define SEG_TYPE_ACCESSED	0x01	/* preset, so the CPU never writes the table */
#define SEG_FLAG_G		0x8	/* limit in 4 KiB units */
#define SEG_FLAG_DB		0x4	/* 32-bit default operand size */
#define SEG_FLAG_L		0x2	/* 64-bit code */

#define SEG_CODE	(SEG_ACCESS_P | SEG_ACCESS_S | SEG_TYPE_CODE_RX | SEG_TYPE_ACCESSED)
#define SEG_DATA	(SEG_ACCESS_P | SEG_ACCESS_S | SEG_TYPE_DATA_RW | SEG_TYPE_ACCESSED)

/* A descriptor with base 0 and limit 4 GiB: the only kind the guests use. */
#define FLAT_SEG(access, flags) \
	(0x000f00000000ffffull | ((uint64_t)(access) << 40) | ((uint64_t)(flags) << 52))

/* 32-bit interrupt gate, DPL 0, present (SDM Vol. 3A 6.11, figure 6-2): IF is cleared on entry. */
#define GATE_INTERRUPT32	0x8e

static uint64_t gdt[] __attribute__((aligned(8))) = {
	[GDT_SEL_CODE32 / 8] = FLAT_SEG(SEG_CODE, SEG_FLAG_G | SEG_FLAG_DB),
	[GDT_SEL_DATA / 8] = FLAT_SEG(SEG_DATA, SEG_FLAG_G | SEG_FLAG_DB),
	[GDT_SEL_CODE64 / 8] = FLAT_SEG(SEG_CODE, SEG_FLAG_G | SEG_FLAG_L),
};

static uint64_t idt[32] __attribute__((aligned(8)));

void gdt_init(void)
{
	struct desc_ptr32 p = { .limit = sizeof(gdt) - 1, .base = (uint32_t)gdt };

	/* CS changes only through a far transfer; the data segments by plain loads. */
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%fs\n\t"
			 "movw %w2, %%gs\n\t"
			 "movw %w2, %%ss"
			 : : "m"(p), "i"(GDT_SEL_CODE32), "r"(GDT_SEL_DATA) : "memory");
}

static uint64_t interrupt_gate(uint32_t handler)
{
	return (handler & 0xffff) | ((uint64_t)GDT_SEL_CODE32 << 16) |
	       ((uint64_t)GATE_INTERRUPT32 << 40) | ((uint64_t)(handler >> 16) << 48);
}

void idt_init(void)
{
	struct desc_ptr32 p = { .limit = sizeof(idt) - 1, .base = (uint32_t)idt };

	for (unsigned int v = 0; v < 32; v++)
		idt[v] = interrupt_gate(trap_stubs[v]);
	lidt(&p);
}
