/*
 * #DB, reflected with the DR6 and DR7 the processor gives its handler (SDM Vol. 3A 18.2-18.3):
 * an instruction breakpoint, a single step, a data breakpoint, general detect and INT1. Then
 * the CVE-2015-8104 pattern: an instruction breakpoint on the #DB handler itself, so each
 * delivery of #DB raises #DB again before the handler's first instruction. The stack is a
 * 16-bit one, so the endless deliveries wrap inside it instead of running down memory. Under
 * Umbra each round is an exit, and tests_hostile_intercepts.py checks that the monitor answers
 * while it goes on. The words no-general-detect, no-int1 and stale-dr6 on the command line skip
 * checks of what the processor (an emulator) does not model.
 */
#include "cmdline.h"
#include "desc.h"
#include "guest.h"
#include "ring3.h"

/* Checks DR6 bits as the handler saw them, unless the command line says the processor leaves
 * DR6 stale at an intercepted #DB. */
static void check_dr6(uint32_t dr6, uint32_t mask, uint32_t want, const char *what)
{
	if (!guest_cmdline_has("stale-dr6"))
		CHECK_EQ(dr6 & mask, want, "%s", what);
	else
		SKIP("%s: the processor leaves DR6 stale at an intercepted #DB", what);
}

/* DR6 and DR7 bits (SDM Vol. 3A 18.2.3, 18.2.4, figure 18-1). */
#define DR6_CLEAR	0xffff0ff0u	/* no condition reported; reserved bits as they read */
#define DR6_B0		(1u << 0)
#define DR6_BD		(1u << 13)
#define DR6_BS		(1u << 14)
#define DR7_RESET	0x400u
#define DR7_L0		(1u << 0)
#define DR7_GD		(1u << 13)
#define DR7_RW0_WRITE	(1u << 16)	/* R/W0 = 01: data writes */
#define DR7_LEN0_4	(3u << 18)	/* LEN0 = 11: 4 bytes */

#define DEFINE_DR_ACCESSORS(n)						\
static inline uint32_t read_dr##n(void)					\
{									\
	uint32_t v;							\
									\
	__asm__ volatile("mov %%dr" #n ", %0" : "=r"(v));		\
	return v;							\
}									\
static inline void write_dr##n(uint32_t v)				\
{									\
	__asm__ volatile("mov %0, %%dr" #n : : "r"(v) : "memory");	\
}
DEFINE_DR_ACCESSORS(0)
DEFINE_DR_ACCESSORS(6)
DEFINE_DR_ACCESSORS(7)

volatile uint32_t db_var;
static uint8_t loop_stack[65536] __attribute__((aligned(65536)));

void db_target(void);
void db_single_step(void);
void db_write_var(void);
void db_read_dr0(void);
void db_icebp(void);
void db_loop_handler(void);
extern const char db_step_after[], db_write_after[], db_icebp_after[];

__asm__(".text\n"
	".globl db_target\n"
	"db_target:\n\t"
	"nop\n\t"
	"ret\n"
	/* POPF sets TF: the trap comes after the instruction that follows it (SDM 18.3.1.4). */
	".globl db_single_step\n"
	"db_single_step:\n\t"
	"pushfl\n\t"
	"orl	$0x100, (%esp)\n\t"
	"popfl\n\t"
	"nop\n"
	".globl db_step_after\n"
	"db_step_after:\n\t"
	"ret\n"
	".globl db_write_var\n"
	"db_write_var:\n\t"
	"movl	$1, db_var\n"
	".globl db_write_after\n"
	"db_write_after:\n\t"
	"ret\n"
	".globl db_read_dr0\n"
	"db_read_dr0:\n\t"
	"mov	%dr0, %eax\n\t"
	"ret\n"
	/* INT1 (ICEBP, opcode F1) is a trap: its #DB returns after it (SDM Vol. 2A "INT n"). */
	/* The loop's #DB handler, DR0's target: should a processor ever run it instead of
	 * faulting on it, it jumps to itself, and the next fetch faults. */
	".globl db_loop_handler\n"
	"db_loop_handler:\n\t"
	"jmp	db_loop_handler\n"
	".globl db_icebp\n"
	"db_icebp:\n\t"
	".byte	0xf1\n"
	".globl db_icebp_after\n"
	"db_icebp_after:\n\t"
	"ret\n");

static void call_fn(void *fn)
{
	((void (*)(void))fn)();
}

static void read_dr7_fn(void *out)
{
	*(uint32_t *)out = read_dr7();
}

/* Arms DR0/DR7, runs fn under try_call, disarms, and returns the fault with DR6 as the
 * handler saw it. */
static struct fault run_with(uint32_t dr0, uint32_t dr7, void (*fn)(void), uint32_t *dr6)
{
	struct fault f;

	write_dr6(DR6_CLEAR);
	write_dr0(dr0);
	write_dr7(dr7);
	f = try_call(call_fn, (void *)fn);
	write_dr7(DR7_RESET);
	*dr6 = read_dr6();
	return f;
}

static void check_breakpoints(void)
{
	uint32_t dr6;
	struct fault f;

	/* Bochs 2.7 with VMX may miss the first code breakpoint a guest arms (seen, depending on
	 * where the code lies); one unchecked round first makes the check test Umbra. */
	run_with((uint32_t)db_target, DR7_RESET | DR7_L0, db_target, &dr6);
	f = run_with((uint32_t)db_target, DR7_RESET | DR7_L0, db_target, &dr6);
	CHECK_FAULT(f, EXC_DB, 0, "an instruction breakpoint raises #DB");
	CHECK_EQ(f.eip, (uint32_t)db_target, "the instruction breakpoint is a fault at the instruction");
	check_dr6(dr6, DR6_B0 | DR6_BS, DR6_B0, "DR6.B0 reports the instruction breakpoint");

	f = run_with(0, DR7_RESET, db_single_step, &dr6);
	CHECK_FAULT(f, EXC_DB, 0, "a single step raises #DB");
	CHECK_EQ(f.eip, (uint32_t)db_step_after, "the single step traps after the stepped instruction");
	check_dr6(dr6, DR6_B0 | DR6_BS, DR6_BS, "DR6.BS reports the single step");

	f = run_with((uint32_t)&db_var, DR7_RESET | DR7_L0 | DR7_RW0_WRITE | DR7_LEN0_4,
		     db_write_var, &dr6);
	CHECK_FAULT(f, EXC_DB, 0, "a data write breakpoint raises #DB");
	CHECK_EQ(f.eip, (uint32_t)db_write_after, "the data breakpoint traps after the write");
	check_dr6(dr6, DR6_B0 | DR6_BS, DR6_B0, "DR6.B0 reports the data breakpoint");
}

static void check_general_detect(void)
{
	uint32_t dr6, dr7 = 0;
	struct fault f;

	write_dr6(DR6_CLEAR);
	write_dr7(DR7_RESET | DR7_GD);
	f = try_call(call_fn, (void *)db_read_dr0);
	CHECK_FAULT(f, EXC_DB, 0, "MOV from DR0 with DR7.GD set raises #DB");
	f = try_call(read_dr7_fn, &dr7);
	CHECK_NO_FAULT(f, "the #DB cleared DR7.GD, so the handler may use the debug registers");
	CHECK_EQ(dr7 & DR7_GD, 0, "DR7.GD reads clear after the #DB");
	write_dr7(DR7_RESET);
	dr6 = read_dr6();
	check_dr6(dr6, DR6_BD, DR6_BD, "DR6.BD reports the debug-register access");
}

static void check_int1(void)
{
	uint32_t dr6;
	struct fault f = run_with(0, DR7_RESET, db_icebp, &dr6);

	CHECK_FAULT(f, EXC_DB, 0, "INT1 raises #DB");
	CHECK_EQ(f.eip, (uint32_t)db_icebp_after, "INT1's #DB returns after the instruction");
}

/* The endless loop: DR0 on the first instruction of the #DB handler, a 16-bit stack, then a
 * jump to the handler. Never returns. */
static void db_loop(void)
{
	uint32_t handler = (uint32_t)db_loop_handler;

	ring3_set_stack16((uint32_t)loop_stack);
	ring3_set_idt_gate(EXC_DB, handler, GDT_SEL_CODE32);
	write_dr6(DR6_CLEAR);
	write_dr0(handler);
	write_dr7(DR7_RESET | DR7_L0);
	__asm__ volatile("movw	%w0, %%ss\n\t"
			 "movl	$0x8000, %%esp\n\t"
			 "jmp	*%1" : : "r"(RING3_SEL_STACK16), "r"(handler) : "memory");
}

void guest_main(void)
{
	ring3_init();
	check_breakpoints();
	if (guest_cmdline_has("no-general-detect"))
		SKIP("DR7.GD: the processor does not model general detect");
	else
		check_general_detect();
	if (guest_cmdline_has("no-int1"))
		SKIP("INT1: the processor does not model it");
	else
		check_int1();
	gprintf("hostile: #DB loop on its own handler starts\n");
	db_loop();
	gprintf("FAIL: the #DB loop ended\n");
}
