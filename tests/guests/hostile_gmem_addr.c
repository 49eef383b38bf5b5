/*
 * hostile_gmem_addr: how Umbra forms the addresses of the instructions it completes.
 *  - Instruction fetch is done at the instruction's CPL: with CR4.SMEP, a CPL 3 store into a
 *    user-writable page table (emulated by Umbra) must not fail on a supervisor fetch of the
 *    user's own code page (SDM Vol. 3A 4.6: SMEP forbids supervisor fetches from user pages).
 *  - In 64-bit mode the DS and ES bases count as 0 and FS/GS bases apply (SDM Vol. 3A 3.4.4).
 *  - Outside 64-bit mode (compatibility mode included) a linear address wraps at 4 GiB, and so
 *    does EIP: an OUT at 0xffffffff continues at 0.
 */
#include "guest.h"
#include "paging.h"
#include "ptw.h"
#include "user.h"

#include "arch/uart16550.h"

#define PORT_SCR	(COM1_BASE + UART_SCR)
#define SEL_BASED	0x30		/* pg_gdt[6] (user 64-bit code) borrowed for a based data segment */
#define VA_R		0x50000000u	/* a page whose PTE CPL 3 code rewrites */
#define VA_PTU		0x50400000u	/* VA_R's page table, mapped user-writable */
#define MARK_A		0xa11a0001u
#define MARK_B		0xb22b0002u

extern uint64_t pg_gdt[10];
void ptw_call64(void);
extern uint32_t ptw_cur;

extern char snip_start[], snip_end[], snip_store[];
__asm__(".section .text.gmem_addr_user, \"ax\", @progbits\n"
	".balign 4096\n"
	"snip_start:\n"
	"snip_store: movl %eax, (%ebx); jmp user_done\n"
	".balign 4096, 0xcc\n"
	"snip_end:\n"
	".previous\n");

/* 64-bit snippets (run by ptw_call64: registers from struct ptw_req, memory at %r8), the
 * compatibility-mode one (ptw_run32), the 64-bit runner with DS/ES loaded from a selector,
 * and the jump to an OUT at 0xffffffff. */
extern char hg64_outsb[], hg64_insb[], hg64_fs_outsb[], hg32_es_insb[];
void hg_run64_sel(struct ptw_req *req, uint32_t sel);
void hg_eip_wrap(void *arg);
__asm__(".text\n"
	".code64\n"
	"hg64_outsb: cld; rep outsb; ret\n"
	"hg64_insb: cld; rep insb; ret\n"
	"hg64_fs_outsb:\n"
	"	pushq %rcx\n"
	"	pushq %rdx\n"
	"	movl $0xc0000100, %ecx\n"
	"	movl %r8d, %eax\n"
	"	xorl %edx, %edx\n"
	"	wrmsr\n"
	"	popq %rdx\n"
	"	popq %rcx\n"
	"	cld\n"
	"	rep outsb %fs:(%rsi), (%dx)\n"
	"	ret\n"
	".code32\n"
	"hg32_es_insb:\n"
	"	movw %bx, %es\n"
	"	cld\n"
	"	rep insb\n"
	"	movl $0x10, %ebx\n"
	"	movw %bx, %es\n"
	"	ret\n"
	".globl hg_run64_sel\n"
	"hg_run64_sel:\n"
	"	movl 4(%esp), %eax\n"
	"	movl %eax, ptw_cur\n"
	"	movl 8(%esp), %eax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %es\n"
	"	call ptw_call64\n"
	"	movl $0x10, %eax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %es\n"
	"	movw %ax, %fs\n"
	"	ret\n"
	".globl hg_eip_wrap\n"
	"hg_eip_wrap:\n"
	"	pushl %ebx\n"
	"	movl $1f, %ebx\n"
	"	movl $0x3ff, %edx\n"
	"	movb $0x77, %al\n"
	"	movl $0xffffffff, %ecx\n"
	"	jmp *%ecx\n"		/* OUT DX, AL at 0xffffffff; JMP *EBX at 0 */
	"1:	popl %ebx\n"
	"	ret\n");

/* A present, writable, ring-0 data segment with base base and a 4 GiB limit (SDM Vol. 3A 3.4.5). */
static uint64_t data_desc(uint32_t base)
{
	return 0xffffull | ((uint64_t)(base & 0xffffff) << 16) | (0x93ull << 40) |
	       (0xcfull << 48) | ((uint64_t)(base >> 24) << 56);
}

/* CPL 3 rewrites VA_R's PTE through VA_PTU while CR4.SMEP is on. */
static void test_user_fetch(struct pg_space *as, uint32_t fa, uint32_t fb)
{
	struct user_regs r = { .eax = fb | 0x63, .ebx = VA_PTU, .eflags = 0,
			       .eip = (uint32_t)snip_store };
	struct fault f;
	bool ok;

	(void)as;
	CHECK_EQ(*(volatile uint32_t *)VA_R, MARK_A, "VA_R reads frame A (its table is shadowed)");
	if (pg_cpu.smep)
		write_cr4(read_cr4() | CR4_SMEP);
	else
		SKIP("no SMEP on this CPU: the store runs without it");
	ok = user_run(&r, &f);
	write_cr4(read_cr4() & ~(unsigned long)CR4_SMEP);
	CHECK(ok, "CPL 3 store into its user-writable page table completes%s",
	      pg_cpu.smep ? " with SMEP on" : "");
	if (!ok)
		gprintf("  (%s error 0x%x at eip 0x%x, cr2 0x%x)\n", vector_name(f.vector), f.error,
			f.eip, f.cr2);
	pg_flush();
	CHECK_EQ(*(volatile uint32_t *)VA_R, MARK_B, "VA_R now reads frame B");
	*(volatile uint32_t *)fa = 0;
}

static void test_eip_wrap(void)
{
	struct fault f;

	outb(PORT_SCR, 0);
	f = try_call(hg_eip_wrap, 0);
	CHECK_NO_FAULT(f, "an OUT at EIP 0xffffffff continues at EIP 0");
	CHECK_EQ(inb(PORT_SCR), 0x77, "the OUT happened");
}

static void run_legacy(void)
{
	struct pg_space as;
	uint32_t fa = pg_alloc(), fb = pg_alloc(), top = pg_alloc(), zero = pg_alloc();

	*(volatile uint32_t *)fa = MARK_A;
	*(volatile uint32_t *)fb = MARK_B;
	((volatile uint8_t *)top)[0xfff] = 0xee;		/* OUT DX, AL */
	((volatile uint8_t *)zero)[0] = 0xff;			/* JMP *EBX */
	((volatile uint8_t *)zero)[1] = 0xe3;
	pg_space_init(&as, PG_32);
	user_map(&as, snip_start, snip_end);
	pg_map(&as, VA_R, fa, 1, PTE_P | PTE_W);
	pg_map(&as, VA_PTU, pg_entry_pa(&as, VA_R, 1, false) & ~0xfffu, 1,
	       PTE_P | PTE_W | PTE_U);
	pg_map(&as, 0xfffff000u, top, 1, PTE_P | PTE_W);
	pg_map(&as, 0, zero, 1, PTE_P | PTE_W);
	pg_activate(&as);
	test_user_fetch(&as, fa, fb);
	test_eip_wrap();
	pg_deactivate();
}

/* 64-bit code with DS and ES holding a segment of base 0x1000: the base must not count. */
static void test_64bit_bases(uint32_t s, uint32_t s2)
{
	struct ptw_req req = { .fn = (uint32_t)hg64_outsb, .cx = 1, .dx = PORT_SCR, .si = s };

	pg_gdt[SEL_BASED / 8] = data_desc(0x1000);
	((volatile uint8_t *)s)[0] = 0x11;
	((volatile uint8_t *)s2)[0] = 0x22;
	outb(PORT_SCR, 0);
	hg_run64_sel(&req, SEL_BASED);
	CHECK(req.done, "64-bit REP OUTSB ran");
	CHECK_EQ(inb(PORT_SCR), 0x11, "64-bit REP OUTSB read at RSI: the DS base counts as 0");

	outb(PORT_SCR, 0x33);
	req = (struct ptw_req){ .fn = (uint32_t)hg64_insb, .cx = 1, .dx = PORT_SCR, .di = s };
	hg_run64_sel(&req, SEL_BASED);
	CHECK(req.done, "64-bit REP INSB ran");
	CHECK(((volatile uint8_t *)s)[0] == 0x33 && ((volatile uint8_t *)s2)[0] == 0x22,
	      "64-bit REP INSB wrote at RDI: ES has base 0");

	outb(PORT_SCR, 0);
	req = (struct ptw_req){ .fn = (uint32_t)hg64_fs_outsb, .addr = 0x1000, .cx = 1,
				.dx = PORT_SCR, .si = s };
	hg_run64_sel(&req, 0x10);
	CHECK(req.done, "64-bit FS: REP OUTSB ran");
	CHECK_EQ(inb(PORT_SCR), 0x22, "64-bit FS: REP OUTSB read at FS.base + RSI");
	pg_gdt[SEL_BASED / 8] = 0;
}

/* Compatibility mode, ES base 0xfffff000: ES:(s + 0x1000) is linear s, wrapped at 4 GiB. */
static void test_compat_wrap(uint32_t s)
{
	struct ptw_req req = { .fn = (uint32_t)hg32_es_insb, .bx = SEL_BASED, .cx = 1,
			       .dx = PORT_SCR, .di = s + 0x1000 };

	pg_gdt[SEL_BASED / 8] = data_desc(0xfffff000u);
	outb(PORT_SCR, 0x44);
	ptw_run32(&req);
	CHECK(req.done, "compatibility-mode REP INSB with ES base 0xfffff000 ran");
	CHECK_EQ(((volatile uint8_t *)s)[0], 0x44, "its linear address wrapped at 4 GiB");
	pg_gdt[SEL_BASED / 8] = 0;
}

static void run_long_mode(void)
{
	struct pg_space as;
	uint32_t s = pg_alloc(), s2 = pg_alloc();

	if (!pg_cpu.lm) {
		SKIP("no long mode");
		return;
	}
	CHECK_EQ(s2, s + 0x1000, "two adjacent frames");
	pg_space_init(&as, PG_LM);
	pg_activate(&as);
	test_64bit_bases(s, s2);
	test_compat_wrap(s);
	pg_deactivate();
}

void guest_main(void)
{
	pg_init();
	run_legacy();
	run_long_mode();
	guest_finish_after_console_check();
}
