/* Umbra's final GDT: flat 64-bit code and data, 32-bit code, and a 64-bit TSS with IST stacks. */
#include "arch/desc.h"
#include "arch/segment.h"
#include "lib/string.h"

#define IST_STACK_SIZE 8192

/* Segment descriptor access/flags values (SDM Vol. 3A 3.4.5). */
#define DESC_CODE64	0x00af9a000000ffffULL	/* P, DPL0, code exec/read, L, G */
#define DESC_DATA	0x00cf92000000ffffULL	/* P, DPL0, data read/write, D/B, G */
#define DESC_CODE32	0x00cf9a000000ffffULL	/* P, DPL0, code exec/read, D/B, G */
#define DESC_TSS_AVAIL	0x89ULL			/* P, type 9: available 64-bit TSS */

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static uint8_t ist_stacks[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));

/* A 64-bit system descriptor takes two GDT slots (SDM Vol. 3A 7.2.3, figure 7-4). */
static void gdt_set_tss(unsigned slot, uint64_t base, uint32_t limit)
{
	gdt[slot] = (limit & 0xffffULL) | ((base & 0xffffffULL) << 16) | (DESC_TSS_AVAIL << 40) |
		    ((uint64_t)(limit >> 16 & 0xf) << 48) | (((base >> 24) & 0xffULL) << 56);
	gdt[slot + 1] = base >> 32;
}

void gdt_init(void)
{
	struct desc_ptr gdtr = { sizeof(gdt) - 1, (uint64_t)gdt };

	memset(&tss, 0, sizeof(tss));
	for (int i = 0; i < IST_COUNT; i++)
		tss.ist[i] = (uint64_t)ist_stacks[i] + IST_STACK_SIZE;	/* ist[0] is IST1 */
	tss.iomap_base = sizeof(tss);	/* no I/O permission bitmap */

	gdt[0] = 0;
	gdt[SEL_CODE64 / 8] = DESC_CODE64;
	gdt[SEL_DATA / 8] = DESC_DATA;
	gdt[SEL_CODE32 / 8] = DESC_CODE32;
	gdt_set_tss(SEL_TSS / 8, (uint64_t)&tss, sizeof(tss) - 1);

	__asm__ volatile("lgdt %0" : : "m"(gdtr));
	/* Reload CS with a far return, then the data segments and the task register. */
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w1, %%ds\n\t"
			 "movw %w1, %%es\n\t"
			 "movw %w1, %%ss\n\t"
			 "ltr %w2"
			 : : "i"(SEL_CODE64), "r"(SEL_DATA), "r"(SEL_TSS) : "rax", "memory");
}

uint64_t gdt_base(void)
{
	return (uint64_t)gdt;
}

uint64_t tss_base(void)
{
	return (uint64_t)&tss;
}
