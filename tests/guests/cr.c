/* cr: control registers as Umbra shadows them, and XSETBV. */
#include "guest.h"

/* CR4 bits reserved on every current CPU (SDM Vol. 3A 2.5; APM Vol. 2 3.1.3). */
#define CR4_RESERVED_BIT15	(1ul << 15)
#define CR4_RESERVED_BIT31	(1ul << 31)

/* CR0 bits a guest may flip at will; each is written, read back and restored. */
static const struct {
	unsigned long bit;
	const char *name;
} cr0_toggles[] = {
	{ CR0_MP, "MP" }, { CR0_EM, "EM" }, { CR0_TS, "TS" },
	{ CR0_NE, "NE" }, { CR0_WP, "WP" }, { CR0_AM, "AM" },
};

static void check_cr0_start(void)
{
	unsigned long cr0 = read_cr0();

	gprintf("cr0 0x%08lx at start (entry 0x%08x)\n", cr0, boot_cr0);
	CHECK_EQ(cr0 & (CR0_PE | CR0_PG | CR0_ET), CR0_PE | CR0_ET, "CR0 has PE=1, PG=0, ET=1");
}

/* Sets or clears bit and expects to read back exactly that change. */
static void check_cr0_toggle(unsigned long bit, const char *name)
{
	unsigned long cr0 = read_cr0();
	struct fault f = write_cr0_safe(cr0 ^ bit);
	unsigned long flipped = read_cr0();

	write_cr0_safe(cr0);
	if (CHECK_NO_FAULT(f, "CR0.%s %s", name, cr0 & bit ? "cleared" : "set"))
		CHECK_EQ(flipped, cr0 ^ bit, "CR0.%s reads back %s", name,
			 cr0 & bit ? "clear" : "set");
	CHECK_EQ(read_cr0(), cr0, "CR0 restored after CR0.%s", name);
}

static void check_cr0_invalid(void)
{
	unsigned long cr0 = read_cr0();

	/* Both are #GP(0) in the MOV to CR0 reference (SDM Vol. 2B, "Protected Mode Exceptions"). */
	CHECK_FAULT(write_cr0_safe((cr0 & ~CR0_PE) | CR0_PG), EXC_GP, 0,
		    "CR0 with PG=1 and PE=0 raises #GP(0)");
	CHECK_FAULT(write_cr0_safe((cr0 & ~CR0_CD) | CR0_NW), EXC_GP, 0,
		    "CR0 with NW=1 and CD=0 raises #GP(0)");
	CHECK_EQ(read_cr0(), cr0, "CR0 unchanged by the faulting writes");
}

/* CR2 and CR3 are plain storage while paging is off, but Umbra must keep the guest's values. */
static void check_cr2_cr3(void)
{
	unsigned long cr3 = read_cr3();

	write_cr2(0x12345678);
	CHECK_EQ(read_cr2(), 0x12345678, "CR2 reads back 0x12345678");
	write_cr3(0x5000);
	CHECK_EQ(read_cr3(), 0x5000, "CR3 reads back 0x5000 with paging off");
	write_cr3(cr3);
}

static void check_cr4(void)
{
	unsigned long cr4 = read_cr4();
	unsigned long set = CR4_DE | CR4_PSE | CR4_TSD;
	struct fault f;

	CHECK_EQ(cr4, 0, "CR4 reads 0 at start");
	f = write_cr4_safe(cr4 | set);
	if (CHECK_NO_FAULT(f, "CR4 DE|PSE|TSD set"))
		CHECK_EQ(read_cr4(), cr4 | set, "CR4 reads back DE|PSE|TSD");
	write_cr4_safe(cr4);
	CHECK_EQ(read_cr4(), cr4, "CR4 reads 0x%lx again after clearing them", cr4);

	CHECK_FAULT(write_cr4_safe(cr4 | CR4_VMXE), EXC_GP, 0,
		    "CR4.VMXE raises #GP(0) (VMX hidden)");
	CHECK_FAULT(write_cr4_safe(cr4 | CR4_RESERVED_BIT15), EXC_GP, 0,
		    "CR4 reserved bit 15 raises #GP(0)");
	CHECK_FAULT(write_cr4_safe(cr4 | CR4_RESERVED_BIT31), EXC_GP, 0,
		    "CR4 reserved bit 31 raises #GP(0)");
	CHECK_EQ(read_cr4(), cr4, "CR4 unchanged by the faulting writes");
	write_cr4_safe(cr4);
}

static bool has_xsave(void)
{
	return cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_XSAVE;
}

/* The XSETBV checks proper, with CR4.OSXSAVE set (SDM Vol. 2C "XSETBV"). */
static void check_xsetbv_enabled(void)
{
	uint64_t xcr0 = 0;

	CHECK(cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_OSXSAVE,
	      "CPUID.1:ECX.OSXSAVE follows CR4.OSXSAVE");
	if (CHECK_NO_FAULT(xgetbv_safe(XCR_XFEATURE_ENABLED_MASK, &xcr0), "XGETBV XCR0"))
		CHECK(xcr0 & XCR0_X87, "XCR0.x87 is set (0x%llx)", (unsigned long long)xcr0);
	if (!(cpuid(CPUID_LEAF_XSAVE, 0).eax & XCR0_SSE)) {
		SKIP("XSETBV x87|SSE: SSE state not supported in XCR0");
		return;
	}
	if (CHECK_NO_FAULT(xsetbv_safe(XCR_XFEATURE_ENABLED_MASK, XCR0_X87 | XCR0_SSE),
			   "XSETBV XCR0 = x87|SSE (3)"))
		CHECK(!xgetbv_safe(XCR_XFEATURE_ENABLED_MASK, &xcr0).faulted &&
		      xcr0 == (XCR0_X87 | XCR0_SSE), "XGETBV reads XCR0 = 3");
	CHECK_FAULT(xsetbv_safe(XCR_XFEATURE_ENABLED_MASK, XCR0_SSE), EXC_GP, 0,
		    "XSETBV XCR0 without x87 (2) raises #GP(0)");
	CHECK_FAULT(xsetbv_safe(1, XCR0_X87 | XCR0_SSE), EXC_GP, 0,
		    "XSETBV XCR1 (ECX=1) raises #GP(0)");
	CHECK(!xgetbv_safe(XCR_XFEATURE_ENABLED_MASK, &xcr0).faulted &&
	      xcr0 == (XCR0_X87 | XCR0_SSE), "XCR0 still 3 after the faulting writes");
	xsetbv_safe(XCR_XFEATURE_ENABLED_MASK, XCR0_X87);
}

static void check_xsetbv(void)
{
	unsigned long cr4 = read_cr4();

	if (!has_xsave()) {
		SKIP("XSETBV: CPUID.1:ECX.XSAVE clear");
		return;
	}
	CHECK_FAULT(xsetbv_safe(XCR_XFEATURE_ENABLED_MASK, XCR0_X87), EXC_UD, 0,
		    "XSETBV with CR4.OSXSAVE clear raises #UD");
	if (!CHECK_NO_FAULT(write_cr4_safe(cr4 | CR4_OSXSAVE), "CR4.OSXSAVE set"))
		return;
	check_xsetbv_enabled();
	write_cr4_safe(cr4);
}

void guest_main(void)
{
	check_cr0_start();
	for (unsigned int i = 0; i < sizeof(cr0_toggles) / sizeof(cr0_toggles[0]); i++)
		check_cr0_toggle(cr0_toggles[i].bit, cr0_toggles[i].name);
	check_cr2_cr3();
	check_cr4();
	check_xsetbv();
	/* Last: should one of these writes wrongly succeed, the guest is unlikely to survive it. */
	check_cr0_invalid();
}
