/*
 * pg_implicit_smap: implicit supervisor-mode accesses and SMAP (SDM Vol. 3A 4.6). Loading a
 * segment register reads its descriptor from the GDT or LDT; that read is a supervisor-mode
 * access whatever the CPL (an "implicit" one), and with CR4.SMAP = 1 it may not touch a user
 * page, whatever EFLAGS.AC says: AC only lifts SMAP for explicit accesses at CPL < 3 (4.6.1).
 * The fault is a #PF with U/S = 0 in the error code even at CPL 3 (4.7), CR2 the descriptor.
 *
 * The LDT here sits in a user page; descriptor 1 is a flat data segment, accessed already (so
 * the load only reads). Code at CPL 0 and at CPL 3, each with AC = 0 and AC = 1, loads FS from
 * it: without SMAP the load goes through, with SMAP every one of them faults with #PF 0x1 (the
 * one at CPL 0 with AC = 1 is only reported, see smap_checks()).
 */
#include "guest.h"
#include "lib/format.h"
#include "paging.h"

#define LDT_VA		0x43000000u
#define LDT_SEL_CPL0	0x0c		/* index 1, TI = 1, RPL 0 */
#define LDT_SEL_CPL3	0x0f		/* index 1, TI = 1, RPL 3 */
#define SEL_LDT		0x50		/* GDT entry 10 in gdt[] below */
#define FLAT_DATA_DPL3	0x00cff3000000ffffull	/* present, DPL 3, read/write, accessed */

extern uint64_t pg_gdt[10];
extern uint8_t pg_tss32[104];
extern char pg_user_stack[];

/* The library's GDT with an LDT descriptor added. */
static uint64_t gdt[12] __attribute__((aligned(16)));

/* What the CPL 3 code gets: EAX the selector; it ends in #UD when the load went through. */
struct user_req {
	uint32_t selector;
	uint32_t eflags_or;
};

void implicit_enter_user(void *req);
void implicit_user_page(void);

/*
 * implicit_user_page is a page of its own (mapped user-accessible below): at CPL 3 it loads FS
 * and then executes UD2, so either way it ends in an exception, caught by try_call at CPL 0.
 * implicit_enter_user(req) goes to it with IRET, ESP0 pointing just below its own frame and
 * EFLAGS ORed with req->eflags_or.
 */
__asm__(
	".pushsection .text.implicit_user, \"ax\", @progbits\n"
	".balign 4096\n"
	".globl implicit_user_page\n"
	"implicit_user_page:\n"
	"	movw %ax, %fs\n"
	"	ud2\n"
	".balign 4096, 0xcc\n"
	".popsection\n"
	".text\n"
	".globl implicit_enter_user\n"
	"implicit_enter_user:\n"
	"	movl 4(%esp), %edx\n"
	"	movl %esp, pg_tss32 + 4\n"		/* ESP0 */
	"	movl $0x2b, %eax\n"			/* user data: valid at CPL 3 and CPL 0 */
	"	movl %eax, %ds\n"
	"	movl %eax, %es\n"
	"	pushl $0x2b\n"
	"	pushl $pg_user_stack + 4096\n"
	"	pushfl\n"
	"	movl 4(%edx), %eax\n"
	"	orl %eax, (%esp)\n"
	"	pushl $0x23\n"
	"	pushl $implicit_user_page\n"
	"	movl (%edx), %eax\n"
	"	iretl\n");

static void restore_data_segments(void)
{
	__asm__ volatile("movw %w0, %%ds\n\tmovw %w0, %%es\n\tmovw %w0, %%fs"
			 : : "r"(0x10) : "memory");
}

static struct fault load_at_cpl3(bool ac)
{
	struct user_req req = { LDT_SEL_CPL3, ac ? RFLAGS_AC : 0 };
	struct fault f = try_call(implicit_enter_user, &req);

	restore_data_segments();
	return f;
}

static void load_fs_cpl0(void *arg)
{
	uint32_t ac = *(uint32_t *)arg;
	unsigned long fl = read_eflags();

	/* AC set and cleared around the load only; a fault resumes with try_call's EFLAGS. */
	__asm__ volatile("push %0; popf\n\t"
			 "movw %w1, %%fs\n\t"
			 "push %2; popf"
			 : : "r"(fl | ac), "r"(LDT_SEL_CPL0), "r"(fl) : "memory", "cc");
}

static struct fault load_at_cpl0(bool ac)
{
	uint32_t arg = ac ? RFLAGS_AC : 0;
	struct fault f = try_call(load_fs_cpl0, &arg);

	restore_data_segments();
	return f;
}

static void expect_smap_fault(struct fault f, const char *what)
{
	if (CHECK_FAULT(f, EXC_PF, 0x1, "%s: #PF 0x1 (implicit supervisor read)", what))
		CHECK_EQ(f.cr2, LDT_VA + 8, "%s: CR2 is the descriptor", what);
}

static void set_smap(bool on)
{
	unsigned long cr4 = read_cr4();

	write_cr4(on ? cr4 | CR4_SMAP : cr4 & ~(unsigned long)CR4_SMAP);
}

static void smap_checks(const char *name)
{
	char what[64];
	struct pg_result r;
	unsigned long fl = read_eflags();

	set_smap(true);
	snprintk(what, sizeof(what), "%s: SMAP, CPL 0, AC=0", name);
	expect_smap_fault(load_at_cpl0(false), what);
	snprintk(what, sizeof(what), "%s: SMAP, CPL 3, AC=0", name);
	expect_smap_fault(load_at_cpl3(false), what);
	snprintk(what, sizeof(what), "%s: SMAP, CPL 3, AC=1", name);
	expect_smap_fault(load_at_cpl3(true), what);
	/*
	 * At CPL 0 an implicit access looks like an explicit one to Umbra (U/S = 0 either way):
	 * it is told apart only by the processor refusing it while the shadow entry allows an
	 * explicit one. The emulators the tests run on let it through instead (Bochs 2.7 and
	 * QEMU apply EFLAGS.AC to implicit accesses at CPL 0, bare-metal too), so the outcome is
	 * reported, not checked; the host unit test test_mmu_harden checks it against the SDM.
	 */
	{
		struct fault f = load_at_cpl0(true);
		char got[32];

		pg_result_text(got, sizeof(got), f.faulted, f.vector, f.error);
		gprintf("info: %s: SMAP, CPL 0, AC=1: the load gives %s (SDM: #PF 0x1)\n", name,
			got);
	}
	/* An explicit read of the same descriptor at CPL 0 with AC = 1 is allowed. */
	__asm__ volatile("push %0; popf" : : "r"(fl | RFLAGS_AC) : "memory", "cc");
	r = pg_probe(LDT_VA + 8, PG_READ, false, 0);
	__asm__ volatile("push %0; popf" : : "r"(fl) : "memory", "cc");
	CHECK(!r.faulted && r.value == (uint32_t)FLAT_DATA_DPL3,
	      "%s: SMAP, CPL 0, AC=1: an explicit read of the descriptor goes through", name);
	set_smap(false);
	CHECK_FAULT(load_at_cpl3(true), EXC_UD, 0, "%s: SMAP cleared: CPL 3 loads FS again", name);
}

static void run(enum pg_mode mode)
{
	const char *name = pg_mode_name(mode);
	struct pg_space as;
	uint32_t ldt = pg_alloc();

	((volatile uint64_t *)ldt)[1] = FLAT_DATA_DPL3;
	pg_space_init(&as, mode);
	pg_map(&as, LDT_VA, ldt, 1, PTE_P | PTE_W | PTE_U);
	pg_map(&as, (uint32_t)implicit_user_page, (uint32_t)implicit_user_page, 1,
	       PTE_P | PTE_U);
	pg_activate(&as);
	__asm__ volatile("lldt %w0" : : "r"(SEL_LDT));

	CHECK_FAULT(load_at_cpl3(true), EXC_UD, 0,
		    "%s: no SMAP: CPL 3 loads FS from the user-page LDT", name);
	CHECK_NO_FAULT(load_at_cpl0(false), "%s: no SMAP: CPL 0 loads FS from the user-page LDT",
		       name);
	if (pg_cpu.smap)
		smap_checks(name);
	else
		SKIP("%s: no SMAP", name);
	__asm__ volatile("lldt %w0" : : "r"(0));
	pg_deactivate();
}

void guest_main(void)
{
	struct desc_ptr32 gp = { .limit = sizeof(gdt) - 1, .base = (uint32_t)gdt };
	struct desc_ptr32 lib = { .limit = sizeof(pg_gdt) - 1, .base = (uint32_t)pg_gdt };

	pg_init();
	for (unsigned int i = 0; i < 10; i++)
		gdt[i] = pg_gdt[i];
	/* LDT descriptor (SDM Vol. 3A 3.5, type 2): present, DPL 0, limit 0x17, base LDT_VA. */
	gdt[SEL_LDT / 8] = 0x17 | ((uint64_t)(LDT_VA & 0xffffff) << 16) | (0x82ull << 40) |
			   ((uint64_t)(LDT_VA >> 24) << 56);
	__asm__ volatile("lgdt %0" : : "m"(gp));
	run(PG_32);
	run(PG_PAE);
	__asm__ volatile("lgdt %0" : : "m"(lib));
}
