/*
 * Single steps over the instructions Umbra completes for the guest (issue 13, item 14). Each
 * sequence sets RFLAGS.TF with POPF and runs one instruction that exits (CPUID, IN, OUT,
 * RDMSR, WRMSR, MOV from and to CR3, INVLPG, a store to a shadowed page table, REP OUTSB,
 * REP INSB, REP STOSD onto a shadowed page table), or that runs natively (NOP, REP MOVSB) as
 * the reference. The #DB handler records the EIP and DR6 of every trap, and clears TF once
 * the trap names the instruction after the sequence's one: the processor traps after the
 * instruction and not after the POPF (SDM Vol. 3B 17.3.1.4), with DR6.BS (17.2.3), after
 * each iteration of a REP (with EIP on it until the last). Also: an instruction that faults
 * (RDMSR of an MSR that does not exist) raises its fault and no #DB, and a MOV SS before a
 * CPUID defers the single step to after the CPUID (SDM Vol. 3A 6.8.3): one trap for both.
 * The command-line word stale-dr6 skips the DR6 checks of traps the processor raised itself
 * (Bochs 2.7 with SVM leaves DR6 stale in the VMCB at an intercepted #DB).
 */
#include "cmdline.h"
#include "desc.h"
#include "guest.h"
#include "paging.h"
#include "ptw.h"
#include "ring3.h"
#include "guest/umbra_abi.h"

#define ST_MAX		16		/* traps recorded; TF is cleared at the last */
#define DR6_BS		(1u << 14)
#define MSR_EFER	0xc0000080u
#define MSR_NONE	0x12345678u	/* no such MSR: RDMSR raises #GP(0) */
#define VA0		0x41000000u	/* the pages the page-table stores remap */

/* Shared with the assembly below. */
volatile uint32_t st_count, st_stop, st_eips[ST_MAX], st_dr6s[ST_MAX];
uint32_t st_pte_addr, st_pte_val;
uint8_t st_buf[16], st_buf2[16];
volatile uint32_t st_var;

void st_db_handler(void);

/* One sequence: set TF with POPF, run INSN, and return once the handler has cleared TF. */
#define ST_SEQ(name, setup, insn)					\
	".globl st_" name "\n"						\
	"st_" name ":\n\t"						\
	"pushl	%ebx\n\t"						\
	"pushl	%esi\n\t"						\
	"pushl	%edi\n\t"						\
	"pushl	%ebp\n\t"						\
	setup								\
	"pushfl\n\t"							\
	"orl	$0x100, (%esp)\n\t"					\
	"popfl\n"							\
	".globl st_" name "_insn\n"					\
	"st_" name "_insn:\n\t"						\
	insn "\n"							\
	".globl st_" name "_after\n"					\
	"st_" name "_after:\n\t"					\
	"popl	%ebp\n\t"						\
	"popl	%edi\n\t"						\
	"popl	%esi\n\t"						\
	"popl	%ebx\n\t"						\
	"ret\n"

__asm__(".text\n"
	/* #DB: record EIP and DR6, clear DR6, and stop stepping at st_stop (or at ST_MAX). */
	".globl st_db_handler\n"
	"st_db_handler:\n\t"
	"pushl	%eax\n\t"
	"pushl	%edx\n\t"
	"movl	st_count, %eax\n\t"
	"cmpl	$16, %eax\n\t"
	"jae	1f\n\t"
	"movl	8(%esp), %edx\n\t"
	"movl	%edx, st_eips(,%eax,4)\n\t"
	"movl	%dr6, %edx\n\t"
	"movl	%edx, st_dr6s(,%eax,4)\n"
	"1:\n\t"
	"incl	%eax\n\t"
	"movl	%eax, st_count\n\t"
	"movl	$0xffff0ff0, %edx\n\t"
	"movl	%edx, %dr6\n\t"
	"movl	8(%esp), %edx\n\t"
	"cmpl	st_stop, %edx\n\t"
	"je	2f\n\t"
	"cmpl	$16, %eax\n\t"
	"jb	3f\n"
	"2:\n\t"
	"andl	$0xfffffeff, 16(%esp)\n"
	"3:\n\t"
	"popl	%edx\n\t"
	"popl	%eax\n\t"
	"iretl\n"
	ST_SEQ("nop", "", "nop")
	ST_SEQ("cpuid", "xorl %eax, %eax\n\txorl %ecx, %ecx\n\t", "cpuid")
	ST_SEQ("in", "", "inb $0x61, %al")
	ST_SEQ("out", "movb $0, %al\n\t", "outb %al, $0x80")
	ST_SEQ("rdmsr", "movl $0xc0000080, %ecx\n\t", "rdmsr")
	ST_SEQ("wrmsr", "movl $0xc0000080, %ecx\n\trdmsr\n\t", "wrmsr")
	ST_SEQ("rdmsr_bad", "movl $0x12345678, %ecx\n\t", "rdmsr")
	ST_SEQ("cr3_read", "", "movl %cr3, %eax")
	ST_SEQ("cr3_write", "movl %cr3, %eax\n\t", "movl %eax, %cr3")
	ST_SEQ("invlpg", "", "invlpg st_var")
	ST_SEQ("pt_store", "movl st_pte_addr, %edi\n\tmovl st_pte_val, %eax\n\t",
	       "movl %eax, (%edi)")
	ST_SEQ("pt_rep_stos", "movl st_pte_addr, %edi\n\tmovl st_pte_val, %eax\n\t"
	       "movl $3, %ecx\n\tcld\n\t", "rep stosl")
	ST_SEQ("rep_movs", "movl $st_buf, %esi\n\tmovl $st_buf2, %edi\n\tmovl $3, %ecx\n\tcld\n\t",
	       "rep movsb")
	ST_SEQ("rep_outs", "movl $st_buf, %esi\n\tmovw $0x80, %dx\n\tmovl $3, %ecx\n\tcld\n\t",
	       "rep outsb")
	ST_SEQ("rep_ins", "movl $st_buf2, %edi\n\tmovw $0x61, %dx\n\tmovl $3, %ecx\n\tcld\n\t",
	       "rep insb")
	ST_SEQ("mov_ss", "movw %ss, %bx\n\txorl %eax, %eax\n\txorl %ecx, %ecx\n\t",
	       "movw %bx, %ss\n\tcpuid"));

#define ST_DECLARE(name) \
	void st_##name(void); \
	extern const char st_##name##_insn[], st_##name##_after[]
ST_DECLARE(nop);
ST_DECLARE(cpuid);
ST_DECLARE(in);
ST_DECLARE(out);
ST_DECLARE(rdmsr);
ST_DECLARE(wrmsr);
ST_DECLARE(rdmsr_bad);
ST_DECLARE(cr3_read);
ST_DECLARE(cr3_write);
ST_DECLARE(invlpg);
ST_DECLARE(pt_store);
ST_DECLARE(pt_rep_stos);
ST_DECLARE(rep_movs);
ST_DECLARE(rep_outs);
ST_DECLARE(rep_ins);
ST_DECLARE(mov_ss);

static struct {
	struct pg_space as;
	uint32_t pt;
	bool umbra;
	uint64_t db_gate_saved;
} c;

static uint64_t *idt_table(void)
{
	struct desc_ptr32 p;

	__asm__ volatile("sidt %0" : "=m"(p));
	return (uint64_t *)p.base;
}

static void call_fn(void *fn)
{
	((void (*)(void))fn)();
}

/* Runs one sequence under try_call with the recording #DB handler, stopping at stop. */
static struct fault run_seq(void (*fn)(void), const char *stop)
{
	uint64_t *idt = idt_table();
	struct fault f;

	st_count = 0;
	st_stop = (uint32_t)stop;
	for (unsigned int i = 0; i < ST_MAX; i++)
		st_eips[i] = st_dr6s[i] = 0;
	c.db_gate_saved = idt[EXC_DB];
	ring3_set_idt_gate(EXC_DB, (uint32_t)st_db_handler, GDT_SEL_CODE32);
	f = try_call(call_fn, (void *)fn);
	idt[EXC_DB] = c.db_gate_saved;
	return f;
}

/* The sequence fn must trap iterations + 1 times: iterations times on its instruction (REP
 * iterations that remain), then once after it, each with DR6.BS. native: the processor
 * raised the traps itself. */
static void expect_steps(const char *name, void (*fn)(void), const char *insn, const char *after,
			 unsigned int iterations, bool native)
{
	struct fault f = run_seq(fn, after);
	unsigned int n = st_count < ST_MAX ? st_count : ST_MAX;
	bool eips = st_count == iterations + 1, bs = n > 0;

	for (unsigned int i = 0; i < n; i++) {
		eips &= st_eips[i] == (uint32_t)(i < iterations ? insn : after);
		bs &= (st_dr6s[i] & DR6_BS) != 0;
	}
	CHECK_NO_FAULT(f, "%s: runs with TF set", name);
	if (!CHECK_EQ(st_count, iterations + 1, "%s: %u single-step #DB", name, iterations + 1) ||
	    !CHECK(eips, "%s: each trap follows the instruction%s", name,
		   iterations ? " or one of its iterations" : ""))
		for (unsigned int i = 0; i < n; i++)
			gprintf("  trap %u: eip %08x dr6 %08x (instruction %08x, after %08x)\n", i,
				st_eips[i], st_dr6s[i], (uint32_t)insn, (uint32_t)after);
	if (native && guest_cmdline_has("stale-dr6"))
		SKIP("%s: DR6.BS: the processor leaves DR6 stale at an intercepted #DB", name);
	else
		CHECK(bs, "%s: DR6.BS reports each single step", name);
}

/* The page table of VA0 in use (so shadowed and write-protected), its entry 0 mapping a fresh
 * frame; st_pte_addr/st_pte_val then remap page 0 to another. */
static uint32_t pt_prepare(void)
{
	uint32_t frame = pg_alloc(), next = pg_alloc();

	*(volatile uint32_t *)frame = 0x57e90000u;
	*(volatile uint32_t *)next = 0x57e90001u;
	pg_write_pte(PG_32, c.pt, frame | PTE_P | PTE_W | PTE_A | PTE_D);
	pg_flush();
	pg_check_read(VA0, 0x57e90000u, "page-table store: the page is in use");
	pg_flush();
	st_pte_addr = c.pt;
	st_pte_val = next | PTE_P | PTE_W | PTE_A | PTE_D;
	return next;
}

static uint64_t pt_writes(void)
{
	return c.umbra ? ptw_counter(UMBRA_CTR_PT_WRITES) : 0;
}

static void check_pt_store(void)
{
	uint64_t w;

	pt_prepare();
	w = pt_writes();
	expect_steps("page-table store", st_pt_store, st_pt_store_insn, st_pt_store_after, 0,
		     false);
	pg_check_read(VA0, 0x57e90001u, "page-table store: the page maps the new frame at once");
	if (c.umbra)
		CHECK(pt_writes() > w, "page-table store: Umbra emulated it");

	pt_prepare();
	w = pt_writes();
	expect_steps("REP STOSD onto a page table", st_pt_rep_stos, st_pt_rep_stos_insn,
		     st_pt_rep_stos_after, 2, false);
	pg_check_read(VA0, 0x57e90001u, "REP STOSD onto a page table: the page maps the new "
		      "frame at once");
	if (c.umbra)
		CHECK(pt_writes() >= w + 3, "REP STOSD onto a page table: Umbra emulated each "
		      "iteration");
}

void guest_main(void)
{
	struct fault f;

	pg_init();
	c.umbra = ptw_umbra();
	gprintf("running under Umbra: %s\n", c.umbra ? "yes" : "no");
	pg_space_init(&c.as, PG_32);
	pg_map(&c.as, VA0, pg_alloc(), 1, PTE_P | PTE_W);
	c.pt = pg_entry_pa(&c.as, VA0, 1, false) & ~0xfffu;
	pg_activate(&c.as);

	expect_steps("NOP (native)", st_nop, st_nop_insn, st_nop_after, 0, true);
	expect_steps("REP MOVSB x3 (native)", st_rep_movs, st_rep_movs_insn, st_rep_movs_after, 2,
		     true);
	expect_steps("CPUID", st_cpuid, st_cpuid_insn, st_cpuid_after, 0, false);
	expect_steps("IN", st_in, st_in_insn, st_in_after, 0, false);
	expect_steps("OUT", st_out, st_out_insn, st_out_after, 0, false);
	expect_steps("RDMSR", st_rdmsr, st_rdmsr_insn, st_rdmsr_after, 0, false);
	expect_steps("WRMSR", st_wrmsr, st_wrmsr_insn, st_wrmsr_after, 0, false);
	expect_steps("MOV from CR3", st_cr3_read, st_cr3_read_insn, st_cr3_read_after, 0, false);
	expect_steps("MOV to CR3", st_cr3_write, st_cr3_write_insn, st_cr3_write_after, 0, false);
	expect_steps("INVLPG", st_invlpg, st_invlpg_insn, st_invlpg_after, 0, false);
	expect_steps("REP OUTSB x3", st_rep_outs, st_rep_outs_insn, st_rep_outs_after, 2, false);
	expect_steps("REP INSB x3", st_rep_ins, st_rep_ins_insn, st_rep_ins_after, 2, false);
	check_pt_store();

	/* A MOV SS defers the single step of its own to after the next instruction: one trap,
	 * after the CPUID (SDM Vol. 3A 6.8.3). */
	expect_steps("MOV SS then CPUID", st_mov_ss, st_mov_ss_insn, st_mov_ss_after, 0, false);

	/* A faulting instruction raises its fault, not a single step. */
	f = run_seq(st_rdmsr_bad, st_rdmsr_bad_after);
	CHECK_FAULT(f, EXC_GP, 0, "RDMSR of a missing MSR with TF set raises #GP(0)");
	CHECK_EQ(f.eip, (uint32_t)st_rdmsr_bad_insn, "the #GP is at the RDMSR");
	CHECK_EQ(st_count, 0, "no single-step #DB for the faulting RDMSR");
	pg_deactivate();
	guest_finish_after_console_check();
}
