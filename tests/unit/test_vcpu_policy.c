/* Unit tests for the pure parts of running a guest: VMX control arithmetic, the CPUID policy,
 * the virtual UART and guest memory slots. */
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

static void test_cpuid_policy_leaf1(void **state)
{
	struct cpuid_regs r = { 0x50654, 0x05000800, 0xffffffff, 0xffffffff };

	(void)state;
	cpuid_policy_apply(1, 0, 0, &r);
	assert_int_equal(r.ecx & CPUID_1_ECX_VMX, 0);
	assert_int_equal(r.ecx & CPUID_1_ECX_PCID, 0);
	assert_int_equal(r.ecx & CPUID_1_ECX_OSXSAVE, 0);	/* guest CR4.OSXSAVE is clear */
	assert_int_not_equal(r.ecx & CPUID_1_ECX_HYPERVISOR, 0);
	assert_int_not_equal(r.ecx & CPUID_1_ECX_XSAVE, 0);
	assert_int_equal(r.edx & CPUID_1_EDX_APIC, 0);
	assert_int_equal(r.ebx >> 24, 0);			/* APIC ID 0 */
	r = (struct cpuid_regs){ 0, 0, 0, 0 };
	cpuid_policy_apply(1, 0, CR4_OSXSAVE, &r);
	assert_int_not_equal(r.ecx & CPUID_1_ECX_OSXSAVE, 0);
}

static void test_cpuid_policy_hypervisor_leaves(void **state)
{
	struct cpuid_regs r = { 1, 2, 3, 4 };
	char sig[13];

	(void)state;
	cpuid_policy_apply(CPUID_HV_BASE, 0, 0, &r);
	assert_int_equal(r.eax, CPUID_HV_MAX);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	assert_string_equal(sig, "UmbraUmbraUm");
	cpuid_policy_apply(CPUID_HV_INTERFACE, 0, 0, &r);
	assert_int_equal(r.eax, 1);
	r = (struct cpuid_regs){ 1, 2, 3, 4 };
	cpuid_policy_apply(0x40000100, 0, 0, &r);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = (struct cpuid_regs){ 0, 0, ~0u, ~0u };
	cpuid_policy_apply(CPUID_LEAF_EXT_SIGNATURE, 0, 0, &r);
	assert_int_equal(r.ecx & CPUID_80000001_ECX_SVM, 0);
	r = (struct cpuid_regs){ 1, 16, 0, 0xff };
	cpuid_policy_apply(CPUID_LEAF_SVM, 0, 0, &r);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmx_control_value),
		cmocka_unit_test(test_cpuid_policy_leaf1),
		cmocka_unit_test(test_cpuid_policy_hypervisor_leaves),
		cmocka_unit_test(test_vuart),
		cmocka_unit_test(test_guest_mem_slots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
