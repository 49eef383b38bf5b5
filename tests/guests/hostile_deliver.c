/*
 * Event delivery onto a shadowed guest page table (issue 13, item 7). The stack pointer is
 * set inside a page table the shadow MMU write-protects, and an exception is raised, so that
 * the processor pushes the exception frame onto that page table: the write that exits is the
 * delivery's, not the instruction's at EIP (SDM Vol. 3C 27.2.4; APM Vol. 2 15.7.2). Two
 * events, with 32-bit and PAE paging:
 *
 *  - a single-step #DB trap, whose frame's EIP names an instruction that writes memory and
 *    that an emulator could run: it must not run before the handler;
 *  - a #PF of a write to a not-present page, whose frame lands on the table: the handler must
 *    run once with its error code and CR2, and no #DF (emulating the faulting instruction
 *    again would fault again, and #PF on #PF is a double fault).
 *
 * The handlers read the frame without pushing anything. Afterwards the page table's entries
 * hold the frame, and every translation through them must be what memory now says (a shadow
 * entry built from the entries before the push would still map the old frames).
 */
#include "desc.h"
#include "guest.h"
#include "paging.h"
#include "ptw.h"
#include "ring3.h"
#include "guest/umbra_abi.h"

#define VA0		0x41000000u	/* the region the page table maps (2 MiB aligned) */
#define STACK_OFF	0x800u		/* ESP in the table: frames in [0x7f0, 0x800) */
#define FRAME_BYTES	16u
#define NOT_PRESENT	0x41080000u	/* under the same page table, never mapped */
#define EFLAGS_TF	0x100u
#define PF_P		0x1u
#define PF_W		0x2u
#define PF_RSVD		0x8u

/* Shared with the assembly below. */
uint32_t dl_stack, dl_saved_esp;
volatile uint32_t dl_count, dl_df_count, dl_cr2, dl_handler_esp, dl_var;
volatile uint32_t dl_frame[4];	/* error code (0 for #DB), EIP, CS, EFLAGS */

void dl_step(void);
void dl_pf(uint32_t addr);
void dl_db_handler(void);
void dl_pf_handler(void);
void dl_df_handler(void);
extern const char dl_step_next[], dl_pf_insn[];

__asm__(".text\n"
	/* TF is set by POPF: the trap follows the next instruction (SDM Vol. 3B 17.3.1.4),
	 * the MOV that puts ESP into the page table, so the #DB frame is pushed there. Its EIP
	 * is dl_step_next, a store an emulator could execute: it must run only after the
	 * handler, and never does here. */
	".globl dl_step\n"
	"dl_step:\n\t"
	"pushl	%ebp\n\t"
	"pushl	%ebx\n\t"
	"pushl	%esi\n\t"
	"pushl	%edi\n\t"
	"pushfl\n\t"
	"movl	%esp, dl_saved_esp\n\t"
	"pushfl\n\t"
	"orl	$0x100, (%esp)\n\t"
	"popfl\n\t"
	"movl	dl_stack, %esp\n"
	".globl dl_step_next\n"
	"dl_step_next:\n\t"
	"movl	$2, dl_var\n\t"
	"nop\n\t"
	"nop\n\t"
	"ud2\n"
	/* A write to a not-present page with EFLAGS = 2 and ESP in the page table. */
	".globl dl_pf\n"
	"dl_pf:\n\t"
	"pushl	%ebp\n\t"
	"pushl	%ebx\n\t"
	"pushl	%esi\n\t"
	"pushl	%edi\n\t"
	"pushfl\n\t"
	"movl	%esp, dl_saved_esp\n\t"
	"movl	24(%esp), %ebx\n\t"
	"pushl	$2\n\t"
	"popfl\n\t"
	"movl	dl_stack, %esp\n"
	".globl dl_pf_insn\n"
	"dl_pf_insn:\n\t"
	"movl	%eax, (%ebx)\n\t"
	"ud2\n"
	/* The handlers: count, copy the frame, and leave without a push onto the table. */
	".globl dl_db_handler\n"
	"dl_db_handler:\n\t"
	"incl	dl_count\n\t"
	"movl	$0, dl_frame\n\t"
	"movl	0(%esp), %eax\n\t"
	"movl	%eax, dl_frame+4\n\t"
	"movl	4(%esp), %eax\n\t"
	"movl	%eax, dl_frame+8\n\t"
	"movl	8(%esp), %eax\n\t"
	"movl	%eax, dl_frame+12\n\t"
	"movl	%esp, dl_handler_esp\n\t"
	"jmp	dl_resume\n"
	".globl dl_pf_handler\n"
	"dl_pf_handler:\n\t"
	"incl	dl_count\n\t"
	"movl	0(%esp), %eax\n\t"
	"movl	%eax, dl_frame\n\t"
	"movl	4(%esp), %eax\n\t"
	"movl	%eax, dl_frame+4\n\t"
	"movl	8(%esp), %eax\n\t"
	"movl	%eax, dl_frame+8\n\t"
	"movl	12(%esp), %eax\n\t"
	"movl	%eax, dl_frame+12\n\t"
	"movl	%cr2, %eax\n\t"
	"movl	%eax, dl_cr2\n\t"
	"movl	%esp, dl_handler_esp\n\t"
	"jmp	dl_resume\n"
	".globl dl_df_handler\n"
	"dl_df_handler:\n\t"
	"incl	dl_df_count\n\t"
	"movl	%esp, dl_handler_esp\n"
	"dl_resume:\n\t"
	"movl	dl_saved_esp, %esp\n\t"
	"popfl\n\t"
	"popl	%edi\n\t"
	"popl	%esi\n\t"
	"popl	%ebx\n\t"
	"popl	%ebp\n\t"
	"ret\n");

static struct {
	enum pg_mode mode;
	const char *name;
	struct pg_space as;
	uint32_t pt;		/* the page table of VA0's region */
	unsigned int size;	/* its entry size */
	uint32_t marks[512];	/* the frames the frame's entries mapped before */
	bool umbra;
} c;

static uint32_t va_of(uint32_t off)
{
	return VA0 + off / c.size * 4096;
}

static uint64_t idt_saved[3];
static const uint8_t idt_vectors[3] = { EXC_DB, EXC_DF, EXC_PF };

static uint64_t *idt_table(void)
{
	struct desc_ptr32 p;

	__asm__ volatile("sidt %0" : "=m"(p));
	return (uint64_t *)p.base;
}

/* Points #DB, #DF and #PF at the recording handlers, or back at the library's. */
static void handlers_install(uint32_t db_or_pf)
{
	uint64_t *idt = idt_table();

	for (unsigned int i = 0; i < 3; i++)
		idt_saved[i] = idt[idt_vectors[i]];
	ring3_set_idt_gate(EXC_DB, db_or_pf == EXC_DB ? (uint32_t)dl_db_handler :
			   (uint32_t)dl_df_handler, GDT_SEL_CODE32);
	ring3_set_idt_gate(EXC_PF, db_or_pf == EXC_PF ? (uint32_t)dl_pf_handler :
			   (uint32_t)dl_df_handler, GDT_SEL_CODE32);
	ring3_set_idt_gate(EXC_DF, (uint32_t)dl_df_handler, GDT_SEL_CODE32);
}

static void handlers_remove(void)
{
	uint64_t *idt = idt_table();

	for (unsigned int i = 0; i < 3; i++)
		idt[idt_vectors[i]] = idt_saved[i];
}

/* The frame's entries map fresh frames and are used, so the table is shadowed (and its page
 * write-protected) and shadow entries exist for them; nothing touches it after that. */
static void prime(void)
{
	pg_flush();
	for (uint32_t off = STACK_OFF - FRAME_BYTES; off < STACK_OFF; off += c.size) {
		uint32_t frame = pg_alloc();

		c.marks[off / c.size] = 0xde110000u | off;
		*(volatile uint32_t *)frame = c.marks[off / c.size];
		pg_write_pte(c.mode, c.pt + off, frame | PTE_P | PTE_W | PTE_A | PTE_D);
	}
	pg_flush();
	for (uint32_t off = STACK_OFF - FRAME_BYTES; off < STACK_OFF; off += c.size)
		pg_check_read(va_of(off), c.marks[off / c.size], "%s: entry at +0x%x in use",
			      c.name, off);
	dl_count = dl_df_count = dl_var = 0;
	dl_cr2 = 0;
	for (unsigned int i = 0; i < 4; i++)
		dl_frame[i] = 0xffffffffu;
	dl_stack = c.pt + STACK_OFF;
}

/* Whether a present entry has a reserved bit (PAE: bits MAXPHYADDR-62, and 63 without
 * EFER.NXE, which these guests leave clear; SDM Vol. 3A 4.4.2). */
static bool reserved(uint64_t e)
{
	return c.mode == PG_PAE && ((e & ~PTE_NX) >> pg_cpu.maxphyaddr || (e & PTE_NX));
}

/* Every entry the frame covers translates as memory says, at once: no stale shadow entry. */
static void check_consistent(const char *what)
{
	for (uint32_t off = STACK_OFF - FRAME_BYTES; off < STACK_OFF; off += c.size) {
		uint64_t e = pg_read_pte(c.mode, c.pt + off);
		uint32_t va = va_of(off);

		unsigned long long ev = e;

		if (!(e & PTE_P))
			pg_check_fault(va, PG_READ, false, 0, "%s: %s: entry +0x%x (%llx) maps "
				       "nothing", c.name, what, off, ev);
		else if (reserved(e))
			pg_check_fault(va, PG_READ, false, PF_P | PF_RSVD, "%s: %s: entry +0x%x "
				       "(%llx) has a reserved bit", c.name, what, off, ev);
		else
			pg_check_read(va, *(volatile uint32_t *)(uint32_t)(e & 0xfffff000u),
				      "%s: %s: entry +0x%x (%llx) maps what it says", c.name, what,
				      off, ev);
	}
}

/* The frame in memory: at [dl_stack - bytes, dl_stack), as the handler saw it. */
static void check_frame_in_table(const char *what, unsigned int words)
{
	volatile uint32_t *top = (volatile uint32_t *)dl_stack;
	bool same = true;

	for (unsigned int i = 0; i < words; i++)
		same &= top[-1 - (int)i] == dl_frame[3 - i];
	CHECK(same && dl_handler_esp == dl_stack - 4 * words,
	      "%s: %s: the frame was pushed onto the page table", c.name, what);
}

static uint64_t counter(uint32_t index)
{
	return c.umbra ? ptw_counter(index) : 0;
}

static void check_unshadowed(const char *what, uint64_t before)
{
	if (c.umbra)
		CHECK(counter(UMBRA_CTR_DELIVERY_UNSHADOWED) > before,
		      "%s: %s: Umbra unshadowed the table for the delivery", c.name, what);
}

static void single_step(void)
{
	const char *w = "single-step #DB";
	uint64_t before;

	prime();
	before = counter(UMBRA_CTR_DELIVERY_UNSHADOWED);
	handlers_install(EXC_DB);
	dl_step();
	handlers_remove();
	CHECK_EQ(dl_count, 1, "%s: %s: the handler ran once", c.name, w);
	CHECK_EQ(dl_df_count, 0, "%s: %s: no #DF", c.name, w);
	CHECK_EQ(dl_frame[1], (uint32_t)dl_step_next, "%s: %s: the frame's EIP is the next "
		 "instruction", c.name, w);
	CHECK_EQ(dl_frame[2], GDT_SEL_CODE32, "%s: %s: the frame's CS", c.name, w);
	CHECK(dl_frame[3] & EFLAGS_TF, "%s: %s: the frame's EFLAGS has TF", c.name, w);
	CHECK_EQ(dl_var, 0, "%s: %s: the instruction after the trap did not run", c.name, w);
	check_frame_in_table(w, 3);
	check_unshadowed(w, before);
	check_consistent(w);
}

static void page_fault(void)
{
	const char *w = "#PF";
	uint64_t before;

	prime();
	before = counter(UMBRA_CTR_DELIVERY_UNSHADOWED);
	handlers_install(EXC_PF);
	dl_pf(NOT_PRESENT);
	handlers_remove();
	CHECK_EQ(dl_count, 1, "%s: %s: the handler ran once", c.name, w);
	CHECK_EQ(dl_df_count, 0, "%s: %s: no #DF", c.name, w);
	CHECK_EQ(dl_frame[0], PF_W, "%s: %s: error code W (not present, supervisor)", c.name, w);
	CHECK_EQ(dl_cr2, NOT_PRESENT, "%s: %s: CR2 is the store's address", c.name, w);
	CHECK_EQ(dl_frame[1], (uint32_t)dl_pf_insn, "%s: %s: the frame's EIP is the store",
		 c.name, w);
	CHECK_EQ(dl_frame[2], GDT_SEL_CODE32, "%s: %s: the frame's CS", c.name, w);
	CHECK_EQ(dl_frame[3], 2, "%s: %s: the frame's EFLAGS", c.name, w);
	check_frame_in_table(w, 4);
	check_unshadowed(w, before);
	check_consistent(w);
}

static void run(enum pg_mode mode)
{
	c.mode = mode;
	c.name = pg_mode_name(mode);
	c.size = mode == PG_32 ? 4 : 8;
	pg_space_init(&c.as, mode);
	pg_map(&c.as, VA0, pg_alloc(), 1, PTE_P | PTE_W);
	c.pt = pg_entry_pa(&c.as, VA0, 1, false) & ~0xfffu;
	pg_activate(&c.as);
	single_step();
	page_fault();
	pg_deactivate();
}

void guest_main(void)
{
	pg_init();
	c.umbra = ptw_umbra();
	gprintf("running under Umbra: %s\n", c.umbra ? "yes" : "no");
	run(PG_32);
	run(PG_PAE);
	guest_finish_after_console_check();
}
