/* CPL3 for test guests with paging off: user segments, TSSs, and running a function at CPL3
 * (ring3.h). */
#include <stddef.h>
#include <stdint.h>
#include "desc.h"
#include "guest.h"
#include "ring3.h"
#include "x86.h"

/* Segment descriptor bits (SDM Vol. 3A 3.4.5, figure 3-8; 7.2.2, figure 7-3 for the TSS). */
#define DESC_P			0x80
#define DESC_S			0x10
#define DESC_DPL3		0x60
#define DESC_CODE_RX		0x0a
#define DESC_DATA_RW		0x02
#define DESC_ACCESSED		0x01
#define DESC_TSS32_AVAIL	0x09
#define DESC_FLAG_G		0x8
#define DESC_FLAG_DB		0x4
#define DESC_FLAG_L		0x2
#define EFLAGS_FIXED1		0x2

#define RING3_STACK_SIZE		16384
#define KERNEL_STACK_SIZE	8192

/* The 32-bit TSS (SDM Vol. 3A 7.2.1, figure 7-2). */
struct tss32 {
	uint16_t link, r0;
	uint32_t esp0;
	uint16_t ss0, r1;
	uint32_t esp1;
	uint16_t ss1, r2;
	uint32_t esp2;
	uint16_t ss2, r3;
	uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint16_t es, r4, cs, r5, ss, r6, ds, r7, fs, r8, gs, r9, ldt, r10;
	uint16_t trap, iomap;
} __attribute__((packed));
_Static_assert(sizeof(struct tss32) == 104, "32-bit TSS is 104 bytes (SDM Vol. 3A 7.2.1)");

static struct tss32 tss_running, tss_idle;
static uint64_t gdt[9] __attribute__((aligned(8)));
static uint8_t ring3_stack[RING3_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t kernel_stack[KERNEL_STACK_SIZE] __attribute__((aligned(16)));

/* ring3_enter in this file's assembly below. */
void ring3_enter(uint32_t eip, uint32_t eflags, uint32_t esp);
extern const char ring3_done[];

static uint64_t flat_desc(uint8_t access, uint8_t flags)
{
	return 0x000f00000000ffffull | ((uint64_t)access << 40) | ((uint64_t)flags << 52);
}

static uint64_t tss_desc(const struct tss32 *t)
{
	uint32_t base = (uint32_t)t, limit = sizeof(*t) - 1;

	return (limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)(DESC_P | DESC_TSS32_AVAIL) << 40) | ((uint64_t)(base >> 24) << 56);
}

void ring3_init(void)
{
	struct desc_ptr32 p = { .limit = sizeof(gdt) - 1, .base = (uint32_t)gdt };

	gdt[GDT_SEL_CODE32 / 8] = flat_desc(DESC_P | DESC_S | DESC_CODE_RX | DESC_ACCESSED,
					    DESC_FLAG_G | DESC_FLAG_DB);
	gdt[GDT_SEL_DATA / 8] = flat_desc(DESC_P | DESC_S | DESC_DATA_RW | DESC_ACCESSED,
					  DESC_FLAG_G | DESC_FLAG_DB);
	gdt[GDT_SEL_CODE64 / 8] = flat_desc(DESC_P | DESC_S | DESC_CODE_RX | DESC_ACCESSED,
					    DESC_FLAG_G | DESC_FLAG_L);
	gdt[RING3_SEL_CODE / 8] = flat_desc(DESC_P | DESC_S | DESC_DPL3 | DESC_CODE_RX |
					   DESC_ACCESSED, DESC_FLAG_G | DESC_FLAG_DB);
	gdt[RING3_SEL_DATA / 8] = flat_desc(DESC_P | DESC_S | DESC_DPL3 | DESC_DATA_RW |
					   DESC_ACCESSED, DESC_FLAG_G | DESC_FLAG_DB);
	/* A fault at CPL3 switches to SS0:ESP0 (SDM Vol. 3A 6.12.1). */
	tss_running.ss0 = GDT_SEL_DATA;
	tss_running.esp0 = (uint32_t)kernel_stack + KERNEL_STACK_SIZE;
	tss_running.iomap = sizeof(struct tss32);
	tss_idle.iomap = sizeof(struct tss32);
	gdt[RING3_SEL_TSS / 8] = tss_desc(&tss_running);
	gdt[RING3_SEL_TSS2 / 8] = tss_desc(&tss_idle);
	__asm__ volatile("lgdt %0\n\t"
			 "ltr %w1" : : "m"(p), "r"(RING3_SEL_TSS) : "memory");
}

uint32_t ring3_stack_top(void)
{
	return (uint32_t)ring3_stack + RING3_STACK_SIZE;
}

struct ring3_call {
	void (*fn)(void);
	uint32_t eflags, stack_top;
};

/* Under try_call: the return address of fn is UD2, then CPL3 at fn. */
static void ring3_call_fn(void *arg)
{
	struct ring3_call *c = arg;
	uint32_t *sp = (uint32_t *)(c->stack_top - 4);

	*sp = (uint32_t)ring3_done;
	ring3_enter((uint32_t)c->fn, c->eflags | EFLAGS_FIXED1, (uint32_t)sp);
}

struct fault ring3_run(void (*fn)(void), uint32_t eflags, uint32_t stack_top)
{
	struct ring3_call c = { fn, eflags, stack_top };
	struct fault f = try_call(ring3_call_fn, &c);

	/* The fault came from CPL3 with the user data selectors loaded: take the kernel's back. */
	__asm__ volatile("movw %w0, %%ds\n\t"
			 "movw %w0, %%es\n\t"
			 "movw %w0, %%fs\n\t"
			 "movw %w0, %%gs" : : "r"(GDT_SEL_DATA) : "memory");
	return f;
}

bool ring3_returned(struct fault f)
{
	return f.faulted && f.vector == EXC_UD && f.eip == (uint32_t)ring3_done;
}

void ring3_set_idt_gate(unsigned vector, uint32_t handler, uint16_t sel)
{
	struct desc_ptr32 p;
	uint64_t *idt;

	__asm__ volatile("sidt %0" : "=m"(p));
	idt = (uint64_t *)p.base;
	idt[vector] = (handler & 0xffff) | ((uint64_t)sel << 16) | (0x8eull << 40) |
		      ((uint64_t)(handler >> 16) << 48);
}

void ring3_set_stack16(uint32_t base)
{
	gdt[RING3_SEL_STACK16 / 8] = 0xffff | ((uint64_t)(base & 0xffffff) << 16) |
				    ((uint64_t)(DESC_P | DESC_S | DESC_DATA_RW | DESC_ACCESSED) << 40) |
				    ((uint64_t)(base >> 24) << 56);
}

void ring3_prepare_task(uint32_t eip, uint32_t esp)
{
	tss_idle.eip = eip;
	tss_idle.esp = esp;
	tss_idle.eflags = EFLAGS_FIXED1;
	tss_idle.cs = GDT_SEL_CODE32;
	tss_idle.ss = tss_idle.ds = tss_idle.es = tss_idle.fs = tss_idle.gs = GDT_SEL_DATA;
	tss_idle.cr3 = read_cr3();
}

#define STR_(x) #x
#define STR(x) STR_(x)

/* ring3_enter(eip, eflags, esp): IRET to CPL3 (SDM Vol. 3A 6.12.1: the frame an interrupt from
 * CPL3 pushes, built by hand). Each push moves the arguments 4 bytes further up the stack. The
 * data segments get the user selector first, as a CPL3 program would have it. */
__asm__(".text\n"
	".globl ring3_enter\n"
	"ring3_enter:\n\t"
	"movl	$" STR(RING3_SEL_DATA) ", %eax\n\t"
	"movw	%ax, %ds\n\t"
	"movw	%ax, %es\n\t"
	"movw	%ax, %fs\n\t"
	"movw	%ax, %gs\n\t"
	"pushl	$" STR(RING3_SEL_DATA) "\n\t"	/* SS */
	"pushl	16(%esp)\n\t"			/* ESP */
	"pushl	16(%esp)\n\t"			/* EFLAGS */
	"pushl	$" STR(RING3_SEL_CODE) "\n\t"	/* CS */
	"pushl	20(%esp)\n\t"			/* EIP */
	"iretl\n"
	".globl ring3_done\n"
	"ring3_done:\n\t"
	"ud2\n");
