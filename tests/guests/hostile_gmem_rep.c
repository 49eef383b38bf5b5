/*
 * hostile_gmem_rep: REP INSB and REP OUTSB with ECX = 0x10000000 (256 MiB, every page of it
 * mapped to one frame). Umbra must not run them in one exit: while they run, the harness opens
 * the monitor and gets an answer, then types "s"; the guest's UART interrupt (IRQ 4) arrives
 * in the middle of the instruction, as on hardware between two iterations (SDM Vol. 2B REP:
 * RIP on the instruction, ECX and EDI/ESI describing the remaining work), and its handler sets
 * ECX to 0, which ends the instruction. The counter port tells how many exits it cost.
 */
#include "guest.h"
#include "paging.h"
#include "ptw.h"

#include "arch/uart16550.h"
#include "guest/umbra_abi.h"
#include "lib/string.h"

#define REP_COUNT	0x10000000u
#define VA_BIG		0x40000000u	/* [VA_BIG, VA_BIG + 256 MiB) -> one frame */
#define PORT_NONE	0x2f0		/* no device: reads all-ones, writes ignored */
#define UART_VECTOR	0x24		/* master PIC at 0x20: IRQ 4 */
#define CTR_IO_EXITS	(UMBRA_CTR_EXITS_BY_KIND + 2)	/* enum exit_kind EXIT_IO */
#define CHUNK_MAX	1024		/* the most iterations Umbra runs in one exit */

volatile uint32_t isr_ecx, isr_edi, isr_esi, isr_count, isr_stop;
void rep_isr(void);

/* IRQ 4: note where the REP was, drain the UART, EOI; on "s" end the REP by zeroing ECX. */
__asm__(".text\n"
	".globl rep_isr\n"
	"rep_isr:\n"
	"	movl %ecx, isr_ecx\n"
	"	movl %edi, isr_edi\n"
	"	movl %esi, isr_esi\n"
	"	incl isr_count\n"
	"	pushl %eax\n"
	"	pushl %edx\n"
	"1:	movw $0x3fd, %dx\n"		/* LSR */
	"	inb %dx, %al\n"
	"	testb $1, %al\n"		/* data ready */
	"	jz 2f\n"
	"	movw $0x3f8, %dx\n"		/* RBR */
	"	inb %dx, %al\n"
	"	cmpb $'s', %al\n"
	"	jne 1b\n"
	"	movl $1, isr_stop\n"
	"	jmp 1b\n"
	"2:	movb $0x20, %al\n"		/* non-specific EOI */
	"	outb %al, $0x20\n"
	"	popl %edx\n"
	"	popl %eax\n"
	"	cmpl $0, isr_stop\n"
	"	je 3f\n"
	"	xorl %ecx, %ecx\n"
	"3:	iretl\n");

static uint64_t idt[256] __attribute__((aligned(8)));

/* The paging library's IDT with the UART's gate added (32-bit interrupt gate, SDM 6.11). */
static void idt_install(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr;
	uint32_t handler = (uint32_t)rep_isr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	memcpy(idt, (const void *)idtr.base, idtr.limit + 1u);
	idt[UART_VECTOR] = (handler & 0xffff) | (0x08u << 16) |
			   ((uint64_t)((handler & 0xffff0000u) | 0x8e00) << 32);
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint32_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* ICW1-4 for both chips (vectors 0x20 and 0x28), then only IRQ 4 unmasked. */
static void pic_setup(void)
{
	static const uint8_t seq[][2] = {
		{ 0x20, 0x11 }, { 0x21, 0x20 }, { 0x21, 0x04 }, { 0x21, 0x01 },
		{ 0xa0, 0x11 }, { 0xa1, 0x28 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
		{ 0x21, 0xef }, { 0xa1, 0xff },
	};

	for (unsigned i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		outb(seq[i][0], seq[i][1]);
}

/* 256 MiB of linear space on one frame: one page table of 1024 PTEs to it, 64 PDEs to that. */
static void map_big(struct pg_space *as)
{
	uint32_t frame = pg_alloc(), pt = pg_alloc();

	for (unsigned i = 0; i < 1024; i++)
		pg_write_pte(PG_32, pt + 4 * i, frame | PTE_P | PTE_W);
	for (uint32_t va = VA_BIG; va < VA_BIG + REP_COUNT; va += 0x400000)
		pg_set(as, va, 2, pt | PTE_P | PTE_W);
}

/* Runs one REP string instruction (outs: OUTSB, else INSB) over the big range and checks how it
 * was interrupted and what it cost. */
static void rep_run(bool outs)
{
	const char *name = outs ? "REP OUTSB" : "REP INSB";
	uint32_t ecx = REP_COUNT, idx = VA_BIG, done, at_irq;
	uint64_t io0, io1;

	isr_count = isr_stop = 0;
	gprintf("hostile: %s running\n", outs ? "rep outsb" : "rep insb");
	io0 = ptw_counter(CTR_IO_EXITS);
	if (outs)
		__asm__ volatile("sti; nop; cld; rep outsb; cli" : "+c"(ecx), "+S"(idx) : "d"(PORT_NONE)
				 : "memory");
	else
		__asm__ volatile("sti; nop; cld; rep insb; cli" : "+c"(ecx), "+D"(idx) : "d"(PORT_NONE)
				 : "memory");
	io1 = ptw_counter(CTR_IO_EXITS);
	at_irq = outs ? isr_esi : isr_edi;
	done = REP_COUNT - isr_ecx;
	CHECK(isr_stop && isr_ecx > 0 && isr_ecx < REP_COUNT,
	      "%s: the UART interrupt arrived in the middle of it (ECX 0x%x left)", name, isr_ecx);
	CHECK_EQ(at_irq, VA_BIG + done, "%s: at the interrupt, %s matched the iterations done",
		 name, outs ? "ESI" : "EDI");
	CHECK(ecx == 0 && idx == VA_BIG + done,
	      "%s: ended with ECX 0 where the handler stopped it", name);
	gprintf("%s: %u iterations in %u io exits\n", name, done, (unsigned)(io1 - io0));
	CHECK(io1 - io0 >= 2 && done <= CHUNK_MAX * (io1 - io0),
	      "%s: at most %u iterations per exit", name, CHUNK_MAX);
}

void guest_main(void)
{
	struct pg_space as;

	pg_init();
	pg_space_init(&as, PG_32);
	map_big(&as);
	pg_activate(&as);
	idt_install();
	pic_setup();
	outb(COM1_BASE + UART_IER, UART_IER_RDA);

	rep_run(false);
	rep_run(true);

	outb(COM1_BASE + UART_IER, 0);
	outb(0x21, 0xff);
	pg_deactivate();
	guest_finish_after_console_check();
}
