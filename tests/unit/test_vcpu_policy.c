/* Unit tests for the pure parts of running a guest: VMX control arithmetic, the CPUID policy,
 * XSETBV's checks, the virtual UART and guest memory slots. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arch/cpuid.h"
#include "arch/cr.h"
#include "arch/uart16550.h"
#include "guest/exits/cpuid_policy.h"
#include "guest/exits/xcr0_policy.h"
#include "guest/devices/vuart.h"
#include "mm/guest_mem.h"
#include "mm/pmm.h"
#include "vmx/vmx_caps.h"

static void test_vmx_control_value(void **state)
{
	uint32_t out, missing;

	(void)state;
	/* Must-be-1 bits 0x16, may-be-1 0xfff6: optional bit 0 is not allowed, bit 5 is. */
	assert_true(vmx_control_value(0x0000fff600000016ULL, 0x80, 0x21, &out, &missing));
	assert_int_equal(out, 0x16 | 0x80 | 0x20);
	assert_int_equal(missing, 0);
	/* A required bit the CPU cannot set is reported. */
	assert_false(vmx_control_value(0x0000fff600000016ULL, 0x10001, 0, &out, &missing));
	assert_int_equal(missing, 0x10001);
	assert_int_equal(vmx_cr_fixed(0x11, 0x80000021, 0xffffffff), 0x80000031);
	assert_int_equal(vmx_cr_fixed(0x60000011, 0x21, 0x9fffffff), 0x31);
}

/* The guest's CPUID environment: CR4.OSXSAVE clear, RDTSCP usable. */
static const struct cpuid_env env0 = { .cr4 = 0, .rdtscp_faults = false };

/* The guest's answer to (leaf, subleaf) on a host whose registers are all ones. */
static struct cpuid_regs all_ones(uint32_t leaf, uint32_t subleaf, const struct cpuid_env *env)
{
	struct cpuid_regs r = { ~0u, ~0u, ~0u, ~0u };

	cpuid_policy_apply(leaf, subleaf, env, &r);
	return r;
}

static void test_cpuid_policy_leaf1(void **state)
{
	struct cpuid_regs r = { 0x50654, 0x05000800, 0xffffffff, 0xffffffff };
	struct cpuid_env osxsave = { .cr4 = CR4_OSXSAVE };

	(void)state;
	cpuid_policy_apply(1, 0, &env0, &r);
	assert_int_equal(r.ecx & CPUID_1_ECX_VMX, 0);
	assert_int_equal(r.ecx & CPUID_1_ECX_PCID, 0);
	assert_int_equal(r.ecx & CPUID_1_ECX_OSXSAVE, 0);	/* guest CR4.OSXSAVE is clear */
	assert_int_not_equal(r.ecx & CPUID_1_ECX_HYPERVISOR, 0);
	assert_int_not_equal(r.ecx & CPUID_1_ECX_XSAVE, 0);
	assert_int_equal(r.edx & CPUID_1_EDX_APIC, 0);
	assert_int_equal(r.ebx >> 24, 0);			/* APIC ID 0 */
	r = (struct cpuid_regs){ 0, 0, CPUID_1_ECX_XSAVE, 0 };
	cpuid_policy_apply(1, 0, &osxsave, &r);
	assert_int_not_equal(r.ecx & CPUID_1_ECX_OSXSAVE, 0);
	r = (struct cpuid_regs){ 0, 0, 0, 0 };			/* no XSAVE: nothing to mirror */
	cpuid_policy_apply(1, 0, &osxsave, &r);
	assert_int_equal(r.ecx & CPUID_1_ECX_OSXSAVE, 0);
}

/* Leaf 1 keeps instruction-set features and the MSR features Umbra models, nothing else. */
static void test_cpuid_policy_leaf1_lists(void **state)
{
	struct cpuid_regs r = all_ones(CPUID_LEAF_FEATURES, 0, &env0);

	(void)state;
	assert_int_equal(r.ecx & (CPUID_1_ECX_MONITOR | CPUID_1_ECX_EIST | CPUID_1_ECX_PDCM |
				  CPUID_1_ECX_DCA | CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE |
				  (1u << 2) | (1u << 4) | (1u << 8) | (1u << 11) | (1u << 14)), 0);
	assert_int_equal(r.ecx & ((1u << 0) | (1u << 9) | (1u << 19) | (1u << 28)),
			 (1u << 0) | (1u << 9) | (1u << 19) | (1u << 28));	/* SSE3 .. AVX */
	assert_int_equal(r.edx & (CPUID_1_EDX_MTRR | CPUID_1_EDX_ACPI | CPUID_1_EDX_TM |
				  CPUID_1_EDX_APIC | (1u << 18) | (1u << 31)), 0);
	assert_int_equal(r.edx & (CPUID_1_EDX_TSC | CPUID_1_EDX_MCE | CPUID_1_EDX_MCA |
				  CPUID_1_EDX_PAT | CPUID_1_EDX_DS | CPUID_1_EDX_SEP),
			 CPUID_1_EDX_TSC | CPUID_1_EDX_MCE | CPUID_1_EDX_MCA | CPUID_1_EDX_PAT |
			 CPUID_1_EDX_DS | CPUID_1_EDX_SEP);
}

/* Leaf 7: TSC_ADJUST, MPX, PT, WAITPKG, CET, the SPEC_CTRL family and ARCH_CAPABILITIES are
 * hidden, instruction-set features stay, subleaf 2 (more SPEC_CTRL controls) is empty. */
static void test_cpuid_policy_leaf7(void **state)
{
	struct cpuid_regs r = all_ones(CPUID_LEAF_EXT_FEATURES, 0, &env0);
	struct cpuid_env no_rdtscp = { .rdtscp_faults = true };

	(void)state;
	assert_int_equal(r.eax, ~0u);				/* the highest subleaf */
	assert_int_equal(r.ebx & (CPUID_7_EBX_TSC_ADJUST | CPUID_7_EBX_MPX | CPUID_7_EBX_PT |
				  CPUID_7_EBX_INVPCID | CPUID_7_EBX_RDT_M | CPUID_7_EBX_RDT_A |
				  (1u << 2)), 0);
	assert_int_equal(r.ebx & (CPUID_7_EBX_SMEP | CPUID_7_EBX_SMAP | (1u << 16)),
			 CPUID_7_EBX_SMEP | CPUID_7_EBX_SMAP | (1u << 16));	/* AVX512F */
	assert_int_equal(r.ecx & (CPUID_7_ECX_WAITPKG | CPUID_7_ECX_CET_SS | CPUID_7_ECX_PKU |
				  CPUID_7_ECX_OSPKE | CPUID_7_ECX_LA57), 0);
	assert_int_not_equal(r.ecx & CPUID_7_ECX_RDPID, 0);
	assert_int_equal(r.edx & (CPUID_7_EDX_IBRS_IBPB | CPUID_7_EDX_STIBP | CPUID_7_EDX_SSBD |
				  CPUID_7_EDX_L1D_FLUSH | CPUID_7_EDX_ARCH_CAPABILITIES |
				  CPUID_7_EDX_CORE_CAPABILITIES | CPUID_7_EDX_CET_IBT), 0);
	assert_int_not_equal(r.edx & (1u << 24), 0);		/* AMX_TILE */
	r = all_ones(CPUID_LEAF_EXT_FEATURES, 0, &no_rdtscp);
	assert_int_equal(r.ecx & CPUID_7_ECX_RDPID, 0);
	r = all_ones(CPUID_LEAF_EXT_FEATURES, 1, &env0);
	assert_int_equal(r.eax & ((1u << 19) | (1u << 26) | (1u << 27)), 0);	/* WRMSRNS, LAM, MSRLIST */
	assert_int_not_equal(r.eax & (1u << 4), 0);		/* AVX-VNNI */
	assert_int_equal(r.ebx | r.ecx, 0);
	assert_int_equal(r.edx & (1u << 21), 0);		/* APX */
	r = all_ones(CPUID_LEAF_EXT_FEATURES, 2, &env0);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
}

/* Where Umbra left CR4.OSXSAVE clear for itself, the guest sees no XSAVE at all. */
static void test_cpuid_policy_no_xsave(void **state)
{
	struct cpuid_env env = { .cr4 = CR4_OSXSAVE, .no_xsave = true };
	struct cpuid_regs r = all_ones(CPUID_LEAF_FEATURES, 0, &env);

	(void)state;
	assert_int_equal(r.ecx & (CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE), 0);
	r = all_ones(CPUID_LEAF_XSAVE, 0, &env);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = all_ones(CPUID_LEAF_XSAVE, 1, &env);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
}

/* XSAVES and XFD are hidden, and with them every IA32_XSS component. */
static void test_cpuid_policy_xsave_subleaf1(void **state)
{
	struct cpuid_regs r = all_ones(CPUID_LEAF_XSAVE, 1, &env0);

	(void)state;
	assert_int_equal(r.eax, 0x7);				/* XSAVEOPT, XSAVEC, XGETBV1 */
	assert_int_equal(r.ebx, ~0u);
	assert_int_equal(r.ecx | r.edx, 0);
}

/* Leaves of hardware the guest does not get read as zero. */
static void test_cpuid_policy_zero_leaves(void **state)
{
	static const uint32_t leaves[] = { 0x5, 0x6, 0x9, 0xa, 0xf, 0x10, 0x12, 0x14, 0x19, 0x1b,
					   0x1c, 0x20, 0x23, 0x8000000a, 0x8000001b, 0x8000001c,
					   0x8000001f, 0x80000020, 0x80000022 };

	(void)state;
	for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		struct cpuid_regs r = all_ones(leaves[i], 0, &env0);

		assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	}
}

/* The extended leaves: RDTSCP with the backend, MTRR, FFXSR, OSVW, the extended counters and
 * MONITORX hidden; the invariant TSC alone in 8000_0007h; no speculation controls. */
static void test_cpuid_policy_extended(void **state)
{
	struct cpuid_env no_rdtscp = { .rdtscp_faults = true };
	struct cpuid_regs r = all_ones(CPUID_LEAF_EXT_SIGNATURE, 0, &env0);

	(void)state;
	assert_int_not_equal(r.edx & CPUID_80000001_EDX_RDTSCP, 0);
	assert_int_equal(r.edx & ((1u << 12) | (1u << 25) | (1u << 9)), 0);	/* MTRR FFXSR APIC */
	assert_int_equal(r.edx & (CPUID_80000001_EDX_NX | CPUID_80000001_EDX_LM |
				  CPUID_80000001_EDX_PAGE1GB),
			 CPUID_80000001_EDX_NX | CPUID_80000001_EDX_LM | CPUID_80000001_EDX_PAGE1GB);
	assert_int_equal(r.ecx & (CPUID_80000001_ECX_SVM | CPUID_80000001_ECX_OSVW |
				  CPUID_80000001_ECX_PERFCTR_CORE | (1u << 29)), 0);
	r = all_ones(CPUID_LEAF_EXT_SIGNATURE, 0, &no_rdtscp);
	assert_int_equal(r.edx & CPUID_80000001_EDX_RDTSCP, 0);
	r = all_ones(CPUID_LEAF_EXT_POWER, 0, &env0);
	assert_int_equal(r.eax | r.ebx | r.ecx, 0);
	assert_int_equal(r.edx, 1u << 8);
	r = all_ones(CPUID_LEAF_ADDR_SIZES, 0, &env0);
	assert_int_equal(r.eax, 0xffff30ffu);			/* linear width 48: no LA57 */
	r = (struct cpuid_regs){ 0x3027, 0, 0, 0 };
	cpuid_policy_apply(CPUID_LEAF_ADDR_SIZES, 0, &env0, &r);
	assert_int_equal(r.eax, 0x3027);
	r = all_ones(CPUID_LEAF_ADDR_SIZES, 0, &env0);
	assert_int_equal(r.ebx & (CPUID_80000008_EBX_IBPB | CPUID_80000008_EBX_IBRS |
				  CPUID_80000008_EBX_STIBP | CPUID_80000008_EBX_SSBD |
				  CPUID_80000008_EBX_VIRT_SSBD), 0);
	assert_int_equal(r.edx, 0);
	r = all_ones(CPUID_LEAF_EXT_FEATURES2, 0, &env0);
	assert_int_equal(r.eax, (1u << 0) | (1u << 2) | (1u << 6));
}

static void test_cpuid_policy_hypervisor_leaves(void **state)
{
	struct cpuid_regs r = { 1, 2, 3, 4 };
	char sig[13];

	(void)state;
	cpuid_policy_apply(CPUID_HV_BASE, 0, &env0, &r);
	assert_int_equal(r.eax, CPUID_HV_MAX);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	assert_string_equal(sig, "UmbraUmbraUm");
	cpuid_policy_apply(CPUID_HV_INTERFACE, 0, &env0, &r);
	assert_int_equal(r.eax, 1);
	r = (struct cpuid_regs){ 1, 2, 3, 4 };
	cpuid_policy_apply(0x40000100, 0, &env0, &r);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = (struct cpuid_regs){ 0, 0, ~0u, ~0u };
	cpuid_policy_apply(CPUID_LEAF_EXT_SIGNATURE, 0, &env0, &r);
	assert_int_equal(r.ecx & CPUID_80000001_ECX_SVM, 0);
	r = (struct cpuid_regs){ 1, 16, 0, 0xff };
	cpuid_policy_apply(CPUID_LEAF_SVM, 0, &env0, &r);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
}

/* A CPU that supports every XCR0 component Umbra knows, MPX and PKRU included. */
#define XCR0_ALL_KNOWN	(XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_MPX | XCR0_AVX512 | XCR0_PKRU | \
			 XCR0_AMX | XCR0_APX)

/* An XSETBV at CPL 0 with XSAVE enabled, of value, on that CPU as the guest sees it. */
static struct xsetbv_request xsetbv_at_cpl0(uint64_t value)
{
	return (struct xsetbv_request){ .cpl = 0, .xsave = true, .osxsave = true, .xcr = 0,
					.value = value,
					.supported = xcr0_guest_supported(XCR0_ALL_KNOWN) };
}

static void test_xcr0_guest_supported(void **state)
{
	(void)state;
	assert_int_equal(xcr0_guest_supported(XCR0_ALL_KNOWN),
			 XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512 | XCR0_AMX);
	assert_int_equal(xcr0_guest_supported(0x7), 0x7);	/* never more than the host's */
	assert_int_equal(xcr0_guest_supported(~0ull) & XCR0_XSS_ONLY, 0);
	assert_int_equal(xcr0_guest_supported(~0ull) >> 63, 0);
}

/* Every value SDM Vol. 2C XSETBV accepts, on a CPU that has the components. */
static void test_xsetbv_loads(void **state)
{
	static const uint64_t good[] = { 0x1, 0x3, 0x7, 0xe7, 0x60001, 0x60003, 0x600e7 };

	(void)state;
	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct xsetbv_request r = xsetbv_at_cpl0(good[i]);

		assert_int_equal(xsetbv_check(&r), XSETBV_LOAD);
	}
	/* MPX is a valid pair for the instruction, though Umbra does not offer it. */
	assert_true(xcr0_valid(0x1b, XCR0_ALL_KNOWN));
	assert_true(xcr0_valid(0x207, XCR0_ALL_KNOWN));
}

/* Each combination rule of SDM Vol. 1 13.3, one value per way of breaking it. */
static void test_xsetbv_combinations(void **state)
{
	static const uint64_t bad[] = {
		0x0, 0x2, 0x6,			/* x87 clear */
		0x5,				/* AVX without SSE */
		0x27, 0x47, 0x87,		/* one AVX-512 component */
		0x67, 0xa7, 0xc7,		/* two of the three */
		0xe3, 0xe5, 0xe1,		/* AVX-512 without AVX, without SSE, without both */
		0x20001, 0x40001, 0x200e7,	/* one of the AMX pair */
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct xsetbv_request r = xsetbv_at_cpl0(bad[i]);

		assert_false(xcr0_valid(bad[i], XCR0_ALL_KNOWN));
		assert_int_equal(xsetbv_check(&r), XSETBV_GP);
	}
	assert_false(xcr0_valid(0x0b, XCR0_ALL_KNOWN));	/* BNDREG without BNDCSR */
	assert_false(xcr0_valid(0x13, XCR0_ALL_KNOWN));	/* BNDCSR without BNDREG */
}

/* Bits the CPU does not support, or Umbra does not offer, are reserved. */
static void test_xsetbv_unsupported(void **state)
{
	static const uint64_t bad[] = {
		0x1b,			/* MPX: not offered */
		0x207,			/* PKRU: not offered */
		0x80007,		/* APX: not offered */
		0x107,			/* bit 8 (PT): an IA32_XSS component */
		0x8000000000000007ull,	/* bit 63: reserved for XCR0 extension */
	};
	struct xsetbv_request r;

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = xsetbv_at_cpl0(bad[i]);
		assert_int_equal(xsetbv_check(&r), XSETBV_GP);
	}
	r = xsetbv_at_cpl0(0xe7);
	r.supported = 0x7;			/* a CPU without AVX-512 */
	assert_int_equal(xsetbv_check(&r), XSETBV_GP);
}

/* #GP(0) for CPL > 0 and for an XCR other than 0; #UD without XSAVE or CR4.OSXSAVE, first. */
static void test_xsetbv_privilege_and_enable(void **state)
{
	struct xsetbv_request r;

	(void)state;
	for (unsigned cpl = 1; cpl <= 3; cpl++) {
		r = xsetbv_at_cpl0(0x3);
		r.cpl = cpl;
		assert_int_equal(xsetbv_check(&r), XSETBV_GP);
	}
	r = xsetbv_at_cpl0(0x1);
	r.xcr = 1;
	assert_int_equal(xsetbv_check(&r), XSETBV_GP);
	r.xcr = 0xffffffff;
	assert_int_equal(xsetbv_check(&r), XSETBV_GP);
	r = xsetbv_at_cpl0(0x1);
	r.osxsave = false;
	r.cpl = 3;
	assert_int_equal(xsetbv_check(&r), XSETBV_UD);
	r = xsetbv_at_cpl0(0x1);
	r.xsave = false;
	assert_int_equal(xsetbv_check(&r), XSETBV_UD);
}

/* CPUID leaf 0DH offers what XSETBV accepts, and hides the subleaves of the rest. */
static void test_cpuid_policy_xsave_leaf(void **state)
{
	struct cpuid_regs r = { (uint32_t)XCR0_ALL_KNOWN, 0x340, 0x2b00, 0 };

	(void)state;
	cpuid_policy_apply(CPUID_LEAF_XSAVE, 0, &env0, &r);
	assert_int_equal(r.eax, XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512 | XCR0_AMX);
	assert_int_equal(r.edx, 0);
	assert_int_equal(r.ecx, 0x2b00);
	r = (struct cpuid_regs){ 256, 576, 0, 0 };		/* AVX: size and offset */
	cpuid_policy_apply(CPUID_LEAF_XSAVE, 2, &env0, &r);
	assert_int_equal(r.eax, 256);
	r = (struct cpuid_regs){ 64, 960, 0, 0 };		/* BNDREG */
	cpuid_policy_apply(CPUID_LEAF_XSAVE, 3, &env0, &r);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = (struct cpuid_regs){ 8, 2688, 0, 0 };		/* PKRU */
	cpuid_policy_apply(CPUID_LEAF_XSAVE, 9, &env0, &r);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
}

static char tx_buf[64];
static unsigned tx_len;

static void tx_capture(void *ctx, uint8_t b)
{
	(void)ctx;
	if (tx_len < sizeof(tx_buf))
		tx_buf[tx_len++] = (char)b;
}

static void test_vuart(void **state)
{
	struct vuart u;

	(void)state;
	tx_len = 0;
	vuart_init(&u, tx_capture, NULL);
	assert_int_equal(vuart_read(&u, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
			 UART_LSR_THRE | UART_LSR_TEMT);
	vuart_write(&u, UART_THR, 'h');
	vuart_write(&u, UART_THR, 'i');
	assert_int_equal(tx_len, 2);
	assert_memory_equal(tx_buf, "hi", 2);
	vuart_write(&u, UART_SCR, 0x5a);
	assert_int_equal(vuart_read(&u, UART_SCR), 0x5a);
	/* Divisor latch: DLAB=1 redirects offsets 0 and 1. */
	vuart_write(&u, UART_LCR, UART_LCR_DLAB | UART_LCR_8N1);
	vuart_write(&u, UART_DLL, 0x0c);
	vuart_write(&u, UART_DLM, 0x00);
	assert_int_equal(vuart_read(&u, UART_DLL), 0x0c);
	assert_int_equal(tx_len, 2);			/* no byte sent through the latch */
	vuart_write(&u, UART_LCR, UART_LCR_8N1);
	assert_int_equal(vuart_read(&u, UART_LCR), UART_LCR_8N1);
	/* Receive: data ready, interrupt identification, read order. */
	vuart_write(&u, UART_IER, UART_IER_RDA);
	assert_int_equal(vuart_read(&u, UART_IIR) & 0xf, UART_IIR_NO_INT);
	assert_true(vuart_receive(&u, 'a'));
	assert_true(vuart_receive(&u, 'b'));
	assert_int_not_equal(vuart_read(&u, UART_LSR) & UART_LSR_DR, 0);
	assert_int_equal(vuart_read(&u, UART_IIR) & 0xf, UART_IIR_RDA);
	assert_int_equal(vuart_read(&u, UART_RBR), 'a');
	assert_int_equal(vuart_read(&u, UART_RBR), 'b');
	assert_int_equal(vuart_read(&u, UART_LSR) & UART_LSR_DR, 0);
	/* Loopback: what is sent comes back instead of leaving. */
	vuart_write(&u, UART_MCR, UART_MCR_LOOP);
	vuart_write(&u, UART_THR, 'z');
	assert_int_equal(tx_len, 2);
	assert_int_equal(vuart_read(&u, UART_RBR), 'z');
	for (int i = 0; i < VUART_RX_SIZE; i++)
		assert_true(vuart_receive(&u, 'x'));
	assert_false(vuart_receive(&u, 'y'));
}

/* Guest memory over fake "host frames": the identity host map makes a host pointer a frame
 * address, so heap buffers stand in for physical memory. */
static void test_guest_mem_slots(void **state)
{
	uint8_t *a = aligned_alloc(4096, 8192), *b = aligned_alloc(4096, 4096);
	struct guest_mem gm;
	uint8_t buf[32];
	uint64_t hpa;

	(void)state;
	memset(&gm, 0, sizeof(gm));
	assert_true(guest_mem_add_slot(&gm, 0x1000, 8192, (uint64_t)(uintptr_t)a));
	assert_true(guest_mem_add_slot(&gm, 0x3000, 4096, (uint64_t)(uintptr_t)b));
	assert_false(guest_mem_add_slot(&gm, 0x5001, 4096, (uint64_t)(uintptr_t)b));
	assert_true(guest_mem_gpa_to_hpa(&gm, 0x2010, &hpa));
	assert_int_equal(hpa, (uint64_t)(uintptr_t)a + 0x1010);
	assert_false(guest_mem_gpa_to_hpa(&gm, 0x0fff, &hpa));
	assert_false(guest_mem_gpa_to_hpa(&gm, 0x4000, &hpa));
	/* A copy across the two slots lands in both host buffers. */
	memset(buf, 0xab, sizeof(buf));
	assert_true(guest_mem_write(&gm, 0x3000 - 16, buf, 32));
	assert_int_equal(a[8192 - 1], 0xab);
	assert_int_equal(b[15], 0xab);
	memset(buf, 0, sizeof(buf));
	assert_true(guest_mem_read(&gm, 0x3000 - 16, buf, 32));
	assert_int_equal(buf[0], 0xab);
	assert_int_equal(buf[31], 0xab);
	/* Leaving guest RAM fails. */
	assert_false(guest_mem_read(&gm, 0x4000 - 8, buf, 16));
	assert_false(guest_mem_write(&gm, 0x800, buf, 8));
	free(a);
	free(b);
}

/* Leaves 15H/16H report the TSC rate Umbra measured, not the CPU model's: TSC = ECX * EBX / EAX. */
static void test_cpuid_policy_tsc_rate(void **state)
{
	struct cpuid_env bochs = { .max_leaf = 0x16, .tsc_hz = 10000000 };
	struct cpuid_env fast = { .max_leaf = 0x16, .tsc_hz = 5200000123ull };
	struct cpuid_env amd = { .max_leaf = 0x10, .tsc_hz = 2000000000 };
	struct cpuid_env unknown = { .max_leaf = 0x16 };
	struct cpuid_regs r;

	(void)state;
	r = all_ones(0x15, 0, &bochs);
	assert_int_equal(r.eax, 1);
	assert_int_equal((uint64_t)r.ecx * r.ebx, 10000000);
	r = all_ones(0x16, 0, &bochs);
	assert_int_equal(r.eax, 10);			/* MHz */
	assert_int_equal(r.ebx, 10);
	/* Above 4 GHz the crystal does not fit ECX: a ratio keeps the product within EBX Hz. */
	r = all_ones(0x15, 0, &fast);
	assert_int_equal(r.eax, 1);
	assert_int_equal(r.ebx, 2);
	assert_true(5200000123ull - (uint64_t)r.ecx * r.ebx < r.ebx);
	assert_int_equal(all_ones(0x16, 0, &fast).eax, 5200);
	/* Beyond the host's last basic leaf, or with no measurement, the host's answer stays. */
	r = all_ones(0x15, 0, &amd);
	assert_int_equal(r.eax, ~0u);
	assert_int_equal(r.ecx, ~0u);
	assert_int_equal(all_ones(0x16, 0, &unknown).eax, ~0u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmx_control_value),
		cmocka_unit_test(test_cpuid_policy_leaf1),
		cmocka_unit_test(test_cpuid_policy_tsc_rate),
		cmocka_unit_test(test_cpuid_policy_leaf1_lists),
		cmocka_unit_test(test_cpuid_policy_leaf7),
		cmocka_unit_test(test_cpuid_policy_xsave_subleaf1),
		cmocka_unit_test(test_cpuid_policy_no_xsave),
		cmocka_unit_test(test_cpuid_policy_zero_leaves),
		cmocka_unit_test(test_cpuid_policy_extended),
		cmocka_unit_test(test_cpuid_policy_hypervisor_leaves),
		cmocka_unit_test(test_cpuid_policy_xsave_leaf),
		cmocka_unit_test(test_xcr0_guest_supported),
		cmocka_unit_test(test_xsetbv_loads),
		cmocka_unit_test(test_xsetbv_combinations),
		cmocka_unit_test(test_xsetbv_unsupported),
		cmocka_unit_test(test_xsetbv_privilege_and_enable),
		cmocka_unit_test(test_vuart),
		cmocka_unit_test(test_guest_mem_slots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
