/*
 * hostile_xsetbv: XCR0 values the SDM forbids, and XSETBV from CPL 3, must give the guest #GP(0)
 * and leave XCR0 alone; none may reach the real XSETBV (Intel SDM Vol. 2C "XSETBV", Vol. 1
 * 13.3). The valid values the guest's CPUID offers must still load and read back.
 */
#include "guest.h"
#include "paging.h"
#include "arch/xsave.h"
#include "lib/format.h"

/* CPL 3 code for pg_probe's user fetch: EAX holds the value; XSETBV XCR0 = EDX:EAX, then RET. */
void hostile_xsetbv_user(void);
__asm__(".text\n"
	".globl hostile_xsetbv_user\n"
	"hostile_xsetbv_user:\n\t"
	"xorl %ecx, %ecx\n\t"
	"xorl %edx, %edx\n\t"
	".byte 0x0f, 0x01, 0xd1\n\t"	/* XSETBV */
	"ret\n");

static bool xsave;		/* CPUID.1:ECX.XSAVE */
static uint64_t supported;	/* CPUID.(EAX=0DH,ECX=0):EDX:EAX as the guest sees it */

static uint64_t xcr0_now(void)
{
	uint64_t v = ~0ull;

	xgetbv_safe(XCR_XFEATURE_ENABLED_MASK, &v);
	return v;
}

/* value must be refused with #GP(0), and XCR0 must keep what it had. */
static void check_refused(uint32_t xcr, uint64_t value, const char *why)
{
	char reg[16];
	uint64_t before;

	if (xcr < 16)
		snprintk(reg, sizeof(reg), "XCR%u", xcr);
	else
		snprintk(reg, sizeof(reg), "ECX=0x%x", xcr);
	if (!xsave) {
		SKIP("XSETBV %s=0x%llx (%s): CPUID.1:ECX.XSAVE clear", reg,
		     (unsigned long long)value, why);
		return;
	}
	before = xcr0_now();
	CHECK_FAULT(xsetbv_safe(xcr, value), EXC_GP, 0, "XSETBV %s=0x%llx (%s) raises #GP(0)",
		    reg, (unsigned long long)value, why);
	CHECK_EQ(xcr0_now(), before, "XCR0 still 0x%llx after XSETBV 0x%llx",
		 (unsigned long long)before, (unsigned long long)value);
}

/* A combination the guest's CPUID supports must load, and XGETBV must read it back. */
static void check_loads(uint64_t needed, uint64_t value, const char *what)
{
	if (!xsave || (supported & needed) != needed) {
		SKIP("XSETBV XCR0=0x%llx (%s): not offered by CPUID.0DH", (unsigned long long)value,
		     what);
		return;
	}
	if (CHECK_NO_FAULT(xsetbv_safe(XCR_XFEATURE_ENABLED_MASK, value),
			   "XSETBV XCR0=0x%llx (%s) loads", (unsigned long long)value, what))
		CHECK_EQ(xcr0_now(), value, "XGETBV reads back 0x%llx", (unsigned long long)value);
}

/* The invalid combinations of SDM Vol. 2C XSETBV: each must fault whatever the CPU supports. */
static void check_combinations(void)
{
	static const struct {
		uint64_t value;
		const char *why;
	} bad[] = {
		{ 0x0, "x87 clear" },
		{ 0x2, "x87 clear, SSE set" },
		{ 0x5, "AVX without SSE" },
		{ 0x27, "opmask without ZMM_Hi256 and Hi16_ZMM" },
		{ 0x47, "ZMM_Hi256 alone" },
		{ 0x87, "Hi16_ZMM alone" },
		{ 0x67, "AVX-512 without Hi16_ZMM" },
		{ 0xa7, "AVX-512 without ZMM_Hi256" },
		{ 0xc7, "AVX-512 without opmask" },
		{ 0xe3, "AVX-512 without AVX" },
		{ 0xe5, "AVX-512 without SSE" },
		{ 0xe1, "AVX-512 without SSE and AVX" },
		{ 0xb, "BNDREG without BNDCSR" },
		{ 0x13, "BNDCSR without BNDREG" },
		{ 0x20003, "TILECFG without TILEDATA" },
		{ 0x40003, "TILEDATA without TILECFG" },
		{ 0x103, "bit 8 (PT) is an IA32_XSS component" },
		{ 0x8000000000000003ull, "bit 63 is reserved" },
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_refused(XCR_XFEATURE_ENABLED_MASK, bad[i].value, bad[i].why);
	check_refused(1, XCR0_X87, "XCR1 does not exist");
	check_refused(0xffffffffu, XCR0_X87, "no such XCR");
}

/* Each component CPUID.0DH does not offer must fault when added to the valid x87|SSE|AVX. */
static void check_unoffered_bits(void)
{
	uint64_t base = XCR0_X87 | (supported & (XCR0_SSE | XCR0_AVX));

	for (unsigned int bit = 1; bit < 63; bit++) {
		uint64_t b = 1ull << bit;

		if (xsave && !(supported & b))
			check_refused(XCR_XFEATURE_ENABLED_MASK, base | b, "component not in CPUID.0DH");
	}
}

/* XSETBV is privileged: #GP(0) at CPL 3 even with a value CPL 0 may load. */
static void check_cpl3(void)
{
	uint64_t before, other;
	struct pg_result r;

	if (!xsave) {
		SKIP("XSETBV at CPL 3 with XCR0's own value: CPUID.1:ECX.XSAVE clear");
		SKIP("XSETBV at CPL 3 with another valid value: CPUID.1:ECX.XSAVE clear");
		return;
	}
	before = xcr0_now();
	other = before == XCR0_X87 ? XCR0_X87 | XCR0_SSE : XCR0_X87;
	r = pg_probe((uint32_t)hostile_xsetbv_user, PG_FETCH, true, (uint32_t)before);
	CHECK_FAULT(pg_fault(r), EXC_GP, 0, "XSETBV at CPL 3 with XCR0's own value raises #GP(0)");
	r = pg_probe((uint32_t)hostile_xsetbv_user, PG_FETCH, true, (uint32_t)other);
	CHECK_FAULT(pg_fault(r), EXC_GP, 0, "XSETBV at CPL 3 with another valid value raises #GP(0)");
	CHECK_EQ(xcr0_now(), before, "XCR0 still 0x%llx after XSETBV at CPL 3",
		 (unsigned long long)before);
}

static void check_disabled(void)
{
	if (!xsave) {
		CHECK_FAULT(xsetbv_safe(XCR_XFEATURE_ENABLED_MASK, XCR0_X87), EXC_UD, 0,
			    "XSETBV without CPUID.1:ECX.XSAVE raises #UD");
		return;
	}
	CHECK_FAULT(xsetbv_safe(XCR_XFEATURE_ENABLED_MASK, XCR0_X87), EXC_UD, 0,
		    "XSETBV with CR4.OSXSAVE clear raises #UD");
}

void guest_main(void)
{
	struct cpuid_regs d;

	pg_init();
	xsave = cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_XSAVE;
	check_disabled();
	if (xsave) {
		d = cpuid(CPUID_LEAF_XSAVE, 0);
		supported = ((uint64_t)d.edx << 32) | d.eax;
		gprintf("xsave: CPUID.0DH offers XCR0 bits 0x%llx\n", (unsigned long long)supported);
		CHECK_NO_FAULT(write_cr4_safe(read_cr4() | CR4_OSXSAVE), "CR4.OSXSAVE set");
	}
	check_loads(XCR0_X87 | XCR0_SSE, XCR0_X87 | XCR0_SSE, "x87|SSE");
	check_loads(XCR0_X87 | XCR0_SSE | XCR0_AVX, 0x7, "x87|SSE|AVX");
	check_loads(0xe7, 0xe7, "x87|SSE|AVX|AVX-512");
	check_combinations();
	check_unoffered_bits();
	check_cpl3();
	check_loads(XCR0_X87, XCR0_X87, "x87 only, the reset value");
	guest_finish_after_console_check();
}
