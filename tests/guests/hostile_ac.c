/*
 * #AC, reflected as the processor raises it, then the CVE-2015-5307 pattern: an #AC whose
 * delivery raises #AC again. The #AC gate leads to CPL3 code, so delivering it pushes on the
 * CPL3 stack, which is misaligned while EFLAGS.AC and CR0.AM are set: the first push faults,
 * and so on for ever. On a processor left to itself that loop never reaches an instruction
 * boundary; under Umbra each round is an exit, and tests_hostile_intercepts.py checks that the
 * monitor answers while it goes on.
 */
#include "guest.h"
#include "ring3.h"

/* Misaligned by one byte on purpose. */
uint32_t ac_buf[4];

void ac_misaligned_load(void);
void ac_loop_handler(void);
extern const char ac_load[];
extern uint32_t ac_loop_stack;

/* A dword load from ac_buf + 1 (SDM Vol. 3A 6.15 "Interrupt 17": misaligned at CPL3 with AM and
 * AC set). The loop handler takes the misaligned stack again and repeats the load, so that a
 * processor whose deliveries do not fault still loops on #AC, without using up the stack. */
__asm__(".text\n"
	".globl ac_misaligned_load\n"
	"ac_misaligned_load:\n\t"
	"movl	$ac_buf + 1, %eax\n"
	".globl ac_load\n"
	"ac_load:\n\t"
	"movl	(%eax), %eax\n\t"
	"ret\n"
	".globl ac_loop_handler\n"
	"ac_loop_handler:\n\t"
	"movl	ac_loop_stack, %esp\n\t"
	"jmp	ac_misaligned_load\n");

uint32_t ac_loop_stack;

static void set_am(bool on)
{
	unsigned long cr0 = read_cr0();

	write_cr0(on ? cr0 | CR0_AM : cr0 & ~(unsigned long)CR0_AM);
}

/* The load at CPL0 with EFLAGS.AC set: alignment checks apply at CPL3 only. */
static void ac_load_at_cpl0(void *arg)
{
	(void)arg;
	__asm__ volatile("pushfl\n\t"
			 "orl	%0, (%%esp)\n\t"
			 "popfl\n\t"
			 "call	ac_misaligned_load\n\t"
			 "pushfl\n\t"
			 "andl	%1, (%%esp)\n\t"
			 "popfl" : : "i"(RFLAGS_AC), "i"(~RFLAGS_AC) : "eax", "cc", "memory");
}

static void check_reflection(void)
{
	struct fault f;

	set_am(true);
	f = ring3_run(ac_misaligned_load, RFLAGS_AC, ring3_stack_top());
	CHECK_FAULT(f, EXC_AC, 0, "a misaligned load at CPL3 with CR0.AM and EFLAGS.AC raises #AC(0)");
	CHECK_EQ(f.eip, (uint32_t)ac_load, "#AC reports the load's own address");
	f = ring3_run(ac_misaligned_load, 0, ring3_stack_top());
	CHECK(ring3_returned(f), "no #AC with EFLAGS.AC clear");
	f = try_call(ac_load_at_cpl0, NULL);
	CHECK_NO_FAULT(f, "no #AC at CPL0");
	set_am(false);
	f = ring3_run(ac_misaligned_load, RFLAGS_AC, ring3_stack_top());
	CHECK(ring3_returned(f), "no #AC with CR0.AM clear");
}

void guest_main(void)
{
	ring3_init();
	check_reflection();

	set_am(true);
	ac_loop_stack = ring3_stack_top() - 1;
	ring3_set_idt_gate(EXC_AC, (uint32_t)ac_loop_handler, RING3_SEL_CODE);
	gprintf("hostile: #AC delivery loop starts\n");
	ring3_run(ac_misaligned_load, RFLAGS_AC, ac_loop_stack);
	gprintf("FAIL: the #AC loop ended\n");
}
