/*
 * hostile_gmem_priv: a CPL 3 program with IOPL 3 aims emulated INS, OUTS and SMSW at memory it
 * may not touch, and the kernel aims INS at a live page table. Every access must get the
 * result the processor gives (SDM Vol. 3A 4.6 rights at the instruction's CPL, 4.7 error
 * codes and CR2, 6.15 interrupt 17 alignment check), and the page-table write must reach the
 * shadow MMU. 32-bit paging with CR0.WP=0 (which does not matter at CPL 3).
 */
#include "guest.h"
#include "paging.h"
#include "user.h"

#include "arch/uart16550.h"

#define PORT_SCR	(COM1_BASE + UART_SCR)	/* reads back what was written: a data source */
#define PORT_NONE	0x2f0			/* no device: reads all-ones */
#define EFL_IOPL3	0x3000u
#define EFL_AC		0x40000u
#define PF_P		0x1u
#define PF_W		0x2u
#define PF_U		0x4u
#define VEC_PF		14
#define VEC_AC		17

#define VA_BASE		0x40000000u
#define VA_SUP		(VA_BASE + 0x0000)	/* P W: supervisor only, holds the secret */
#define VA_RO		(VA_BASE + 0x1000)	/* P U: user read-only */
#define VA_RW		(VA_BASE + 0x2000)	/* P W U */
#define VA_RW2		(VA_BASE + 0x3000)	/* P W U, then */
#define VA_RO2		(VA_BASE + 0x4000)	/* P U */
#define VA_RW3		(VA_BASE + 0x5000)	/* P W U, then */
#define VA_NP		(VA_BASE + 0x6000)	/* not present */
#define VA_T		0x48000000u		/* the kernel's page whose PTE INSB rewrites */
#define SECRET		0x5a
#define MARK_A		0xa11a0001u
#define MARK_B		0xb22b0002u

/* The user snippets: one page-aligned block, mapped user by user_map(). */
extern char snip_start[], snip_end[], snip_rep_insb[], snip_rep_outsb[], snip_insw[],
	snip_insd[], snip_smsw[];
__asm__(".section .text.gmem_priv_user, \"ax\", @progbits\n"
	".balign 4096\n"
	"snip_start:\n"
	"snip_rep_insb:  cld; rep insb; jmp user_done\n"
	"snip_rep_outsb: cld; rep outsb; jmp user_done\n"
	"snip_insw:      cld; insw; jmp user_done\n"
	"snip_insd:      cld; insl; jmp user_done\n"
	"snip_smsw:      smsw (%ebx); nop; nop; jmp user_done\n"
	".balign 4096, 0xcc\n"
	"snip_end:\n"
	".previous\n");

static struct pg_space as;
static uint32_t frame_sup, frame_ro, frame_rw, frame_rw2, frame_ro2, frame_rw3, frame_a, frame_b;

static volatile uint8_t *phys(uint32_t pa)
{
	return (volatile uint8_t *)pa;
}

/* One user run of snippet at CPL 3, IOPL 3, with extra EFLAGS bits. */
static bool urun(char *snippet, uint32_t ecx, uint32_t edi, uint32_t esi, uint32_t ebx,
		 uint16_t port, uint32_t eflags, struct fault *f)
{
	struct user_regs r = { .ecx = ecx, .edi = edi, .esi = esi, .ebx = ebx, .edx = port,
			       .eflags = EFL_IOPL3 | eflags, .eip = (uint32_t)snippet };

	return user_run(&r, f);
}

static void check_pf(const struct fault *f, uint32_t error, uint32_t cr2, const char *what)
{
	CHECK_FAULT(*f, VEC_PF, error, "%s: #PF with error code 0x%x", what, error);
	CHECK_EQ(f->cr2, cr2, "%s: CR2 is 0x%x", what, cr2);
}

static void setup(void)
{
	frame_sup = pg_alloc();
	frame_ro = pg_alloc();
	frame_rw = pg_alloc();
	frame_rw2 = pg_alloc();
	frame_ro2 = pg_alloc();
	frame_rw3 = pg_alloc();
	frame_a = pg_alloc();
	frame_b = pg_alloc();
	for (int i = 0; i < 4096; i++)
		phys(frame_sup)[i] = SECRET;
	*(volatile uint32_t *)frame_a = MARK_A;
	*(volatile uint32_t *)frame_b = MARK_B;

	pg_space_init(&as, PG_32);
	user_map(&as, snip_start, snip_end);
	pg_map(&as, VA_SUP, frame_sup, 1, PTE_P | PTE_W);
	pg_map(&as, VA_RO, frame_ro, 1, PTE_P | PTE_U);
	pg_map(&as, VA_RW, frame_rw, 1, PTE_P | PTE_W | PTE_U);
	pg_map(&as, VA_RW2, frame_rw2, 1, PTE_P | PTE_W | PTE_U);
	pg_map(&as, VA_RO2, frame_ro2, 1, PTE_P | PTE_U);
	pg_map(&as, VA_RW3, frame_rw3, 1, PTE_P | PTE_W | PTE_U);
	pg_map(&as, VA_T, frame_a, 1, PTE_P | PTE_W);
	pg_activate(&as);
	write_cr0(read_cr0() & ~(unsigned long)CR0_WP);
}

/* REP INSB and REP OUTSB at CPL 3 against supervisor and read-only pages. */
static void test_rep_rights(void)
{
	struct fault f;

	outb(PORT_SCR, 0xa5);
	urun(snip_rep_insb, 4, VA_SUP, 0, 0, PORT_SCR, 0, &f);
	check_pf(&f, PF_P | PF_W | PF_U, VA_SUP, "CPL 3 REP INSB into a supervisor page");
	CHECK_EQ(phys(frame_sup)[0], SECRET, "the supervisor page is unchanged");

	urun(snip_rep_insb, 4, VA_RO, 0, 0, PORT_SCR, 0, &f);
	check_pf(&f, PF_P | PF_W | PF_U, VA_RO, "CPL 3 REP INSB into a read-only page (CR0.WP=0)");
	CHECK_EQ(phys(frame_ro)[0], 0, "the read-only page is unchanged");

	CHECK(urun(snip_rep_insb, 4, VA_RW, 0, 0, PORT_SCR, 0, &f),
	      "CPL 3 REP INSB into its own page completes");
	CHECK_EQ(*(volatile uint32_t *)frame_rw, 0xa5a5a5a5u, "its own page got the 4 bytes");
	CHECK_EQ(user_out.ecx, 0, "ECX counted down to 0");
	CHECK_EQ(user_out.edi, VA_RW + 4, "EDI advanced by 4");

	outb(PORT_SCR, 0);
	urun(snip_rep_outsb, 1, 0, VA_SUP, 0, PORT_SCR, 0, &f);
	check_pf(&f, PF_P | PF_U, VA_SUP, "CPL 3 REP OUTSB from a supervisor page");
	CHECK_EQ(inb(PORT_SCR), 0, "no secret byte reached the port");
	CHECK(urun(snip_rep_outsb, 1, 0, VA_RW, 0, PORT_SCR, 0, &f),
	      "CPL 3 REP OUTSB from its own page completes");
	CHECK_EQ(inb(PORT_SCR), 0xa5, "its own byte reached the port");
}

/* Accesses that cross into a page they may not write: CR2 is the first faulting byte, and an
 * element that crosses is checked on both pages before any byte is written. */
static void test_crossing(void)
{
	struct fault f;

	outb(PORT_SCR, 0xa5);
	urun(snip_rep_insb, 4, VA_RW2 + 0xffe, 0, 0, PORT_SCR, 0, &f);
	check_pf(&f, PF_P | PF_W | PF_U, VA_RO2, "REP INSB running into a read-only page");
	CHECK(phys(frame_rw2)[0xffe] == 0xa5 && phys(frame_rw2)[0xfff] == 0xa5,
	      "the iterations before the boundary stand");
	CHECK_EQ(phys(frame_ro2)[0], 0, "the read-only page is unchanged");

	phys(frame_rw2)[0xffe] = 0;
	phys(frame_rw2)[0xfff] = 0;
	urun(snip_insd, 0, VA_RW2 + 0xffe, 0, 0, PORT_NONE, 0, &f);
	check_pf(&f, PF_P | PF_W | PF_U, VA_RO2, "INSD crossing into a read-only page");
	CHECK(phys(frame_rw2)[0xffe] == 0 && phys(frame_rw2)[0xfff] == 0,
	      "no byte of the crossing INSD was written");

	urun(snip_insd, 0, VA_RW3 + 0xffe, 0, 0, PORT_NONE, 0, &f);
	check_pf(&f, PF_W | PF_U, VA_NP, "INSD crossing into a page that is not present");
	CHECK(phys(frame_rw3)[0xffe] == 0 && phys(frame_rw3)[0xfff] == 0,
	      "no byte of that INSD was written");
}

/* CR0.AM with EFLAGS.AC at CPL 3: a misaligned INSW or SMSW raises #AC(0). */
static void test_alignment(void)
{
	struct fault f;

	write_cr0(read_cr0() | CR0_AM);
	urun(snip_insw, 0, VA_RW + 0x11, 0, 0, PORT_NONE, EFL_AC, &f);
	CHECK_FAULT(f, VEC_AC, 0, "misaligned INSW with CR0.AM and EFLAGS.AC at CPL 3: #AC(0)");
	CHECK_EQ(phys(frame_rw)[0x11], 0, "nothing was written");
	CHECK(urun(snip_insw, 0, VA_RW + 0x12, 0, 0, PORT_NONE, EFL_AC, &f),
	      "an aligned INSW is fine");
	CHECK(urun(snip_insw, 0, VA_RW + 0x15, 0, 0, PORT_NONE, 0, &f),
	      "a misaligned INSW without EFLAGS.AC is fine");
	urun(snip_smsw, 0, 0, 0, VA_RW + 0x21, 0, EFL_AC, &f);
	CHECK_FAULT(f, VEC_AC, 0, "misaligned SMSW to memory with AC at CPL 3: #AC(0)");
	write_cr0(read_cr0() & ~(unsigned long)CR0_AM);
}

/* SMSW to memory at CPL 3 (emulated on SVM, where it is the CR0 read intercept). */
static void test_smsw(void)
{
	struct fault f;
	volatile uint8_t *rw = phys(frame_rw) + 0x40;

	urun(snip_smsw, 0, 0, 0, VA_SUP, 0, 0, &f);
	check_pf(&f, PF_P | PF_W | PF_U, VA_SUP, "CPL 3 SMSW into a supervisor page");
	CHECK_EQ(phys(frame_sup)[0], SECRET, "the supervisor page is unchanged");
	urun(snip_smsw, 0, 0, 0, VA_RO, 0, 0, &f);
	check_pf(&f, PF_P | PF_W | PF_U, VA_RO, "CPL 3 SMSW into a read-only page");
	CHECK_EQ(phys(frame_ro)[0], 0, "the read-only page is unchanged");

	rw[0] = rw[1] = rw[2] = rw[3] = 0xee;
	CHECK(urun(snip_smsw, 0, 0, 0, VA_RW + 0x40, 0, 0, &f),
	      "CPL 3 SMSW into its own page completes, and the next instructions run");
	if (f.faulted)
		gprintf("  (%s at eip 0x%x)\n", vector_name(f.vector), f.eip);
	CHECK_EQ(rw[0] | rw[1] << 8, read_cr0() & 0xffff, "SMSW stored CR0[15:0]");
	CHECK(rw[2] == 0xee && rw[3] == 0xee, "SMSW m16 stored 2 bytes only");
}

/* INSB into a live page table: the shadow MMU must see it. */
static void test_insb_page_table(void)
{
	uint32_t pte_pa = pg_entry_pa(&as, VA_T, 1, false), dst = pte_pa + 1;
	uint8_t byte1;

	CHECK((frame_a >> 16) == (frame_b >> 16), "frames A and B differ in PTE byte 1 only");
	CHECK_EQ(*(volatile uint32_t *)VA_T, MARK_A, "VA_T reads frame A (its table is shadowed)");
	byte1 = (uint8_t)(((frame_b >> 8) & 0xf0) | ((pg_read_pte(PG_32, pte_pa) >> 8) & 0x0f));
	outb(PORT_SCR, byte1);
	__asm__ volatile("cld; insb" : "+D"(dst) : "d"(PORT_SCR) : "memory");
	pg_flush();
	CHECK_EQ(*(volatile uint32_t *)VA_T, MARK_B,
		 "after INSB rewrote its PTE and MOV CR3, VA_T reads frame B");
}

/* CPL 0 INSB at the address arg, with EFLAGS.AC clear or (k_insb_ac) set by STAC. */
static void k_insb(void *arg)
{
	uint32_t edi = (uint32_t)arg;

	__asm__ volatile("cld; insb" : "+D"(edi) : "d"(PORT_SCR) : "memory");
}

static void k_insb_ac(void *arg)
{
	uint32_t edi = (uint32_t)arg;

	__asm__ volatile("stac; cld; insb; clac" : "+D"(edi) : "d"(PORT_SCR) : "memory");
}

/* With CR4.SMAP, a CPL 3 INS is a user access (SMAP does not apply); a CPL 0 INS into a user
 * page is a supervisor access that SMAP refuses unless EFLAGS.AC is set (SDM Vol. 3A 4.6). */
static void test_smap(void)
{
	struct fault f;
	bool user_ok;

	if (!pg_cpu.smap) {
		SKIP("no SMAP on this CPU");
		return;
	}
	outb(PORT_SCR, 0x3c);
	write_cr4(read_cr4() | CR4_SMAP);
	user_ok = urun(snip_rep_insb, 4, VA_RW + 0x80, 0, 0, PORT_SCR, 0, &f);
	write_cr4(read_cr4() & ~(unsigned long)CR4_SMAP);
	CHECK(user_ok, "with SMAP, CPL 3 REP INSB into its own page completes");
	CHECK_EQ(phys(frame_rw)[0x80], 0x3c, "the bytes arrived");

	write_cr4(read_cr4() | CR4_SMAP);
	f = try_call(k_insb, (void *)(VA_RW + 0x90));
	write_cr4(read_cr4() & ~(unsigned long)CR4_SMAP);
	check_pf(&f, PF_P | PF_W, VA_RW + 0x90, "with SMAP, CPL 0 INSB into a user page");

	write_cr4(read_cr4() | CR4_SMAP);
	f = try_call(k_insb_ac, (void *)(VA_RW + 0x90));
	write_cr4(read_cr4() & ~(unsigned long)CR4_SMAP);
	CHECK_NO_FAULT(f, "with SMAP and EFLAGS.AC, CPL 0 INSB into a user page completes");
	CHECK_EQ(phys(frame_rw)[0x90], 0x3c, "that byte arrived");
}

void guest_main(void)
{
	pg_init();
	setup();
	test_rep_rights();
	test_crossing();
	test_alignment();
	test_smsw();
	test_insb_page_table();
	test_smap();
	pg_deactivate();
	guest_finish_after_console_check();
}
