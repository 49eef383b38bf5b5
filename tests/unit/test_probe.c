/* Unit tests for the VMX and SVM availability decisions and the CPUID signature decoding. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "arch/apic.h"
#include "arch/cpuid.h"
#include "arch/msr.h"
#include "svm/svm_probe.h"
#include "vmx/vmx_probe.h"

static struct cpu_info intel_cpu(uint64_t feature_control)
{
	struct cpu_info ci;

	memset(&ci, 0, sizeof(ci));
	strcpy(ci.vendor, "GenuineIntel");
	ci.leaf1_ecx = CPUID_1_ECX_VMX;
	ci.have_feature_control = true;
	ci.feature_control = feature_control;
	return ci;
}

static struct cpu_info amd_cpu(uint64_t vm_cr, uint32_t svm_edx)
{
	struct cpu_info ci;

	memset(&ci, 0, sizeof(ci));
	strcpy(ci.vendor, "AuthenticAMD");
	ci.ext1_ecx = CPUID_80000001_ECX_SVM;
	ci.have_vm_cr = true;
	ci.vm_cr = vm_cr;
	ci.svm_eax = 1;
	ci.svm_ebx = 16;
	ci.svm_edx = svm_edx;
	return ci;
}

static void test_vmx_usable_when_locked_and_enabled(void **state)
{
	struct cpu_info ci = intel_cpu(FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	struct virt_probe p;

	(void)state;
	vmx_probe(&ci, &p);
	assert_true(p.usable);
	assert_non_null(strstr(p.reason, "locked, VMX outside SMX enabled"));
}

static void test_vmx_usable_when_unlocked(void **state)
{
	struct cpu_info ci = intel_cpu(0);
	struct virt_probe p;

	(void)state;
	vmx_probe(&ci, &p);
	assert_true(p.usable);
	assert_non_null(strstr(p.reason, "unlocked: Umbra will enable and lock it"));
}

static void test_vmx_disabled_by_firmware(void **state)
{
	struct cpu_info ci = intel_cpu(FEATURE_CONTROL_LOCKED);
	struct virt_probe p;

	(void)state;
	vmx_probe(&ci, &p);
	assert_false(p.usable);
	assert_non_null(strstr(p.reason, "IA32_FEATURE_CONTROL=0x1 is locked with VMX outside SMX disabled"));
}

/* Locked with only the inside-SMX bit: VMX is there for Intel TXT launches alone. */
static void test_vmx_only_inside_smx(void **state)
{
	struct cpu_info ci = intel_cpu(FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_IN_SMX);
	struct virt_probe p;

	(void)state;
	vmx_probe(&ci, &p);
	assert_false(p.usable);
	assert_non_null(strstr(p.reason, "IA32_FEATURE_CONTROL=0x3 is locked with VMX allowed only "
			       "inside SMX (Intel TXT)"));
}

static void test_apic_modes(void **state)
{
	(void)state;
	assert_string_equal(cpu_apic_mode(0xfee00000 | APIC_BASE_EN | APIC_BASE_BSP), "xAPIC mode");
	assert_string_equal(cpu_apic_mode(0xfee00000 | APIC_BASE_EN | APIC_BASE_EXTD),
			    "x2APIC mode");
	assert_string_equal(cpu_apic_mode(0xfee00000), "disabled");
	assert_string_equal(cpu_apic_mode(APIC_BASE_EXTD), "invalid (x2APIC set without EN)");
}

static void test_vmx_missing_cpuid(void **state)
{
	struct cpu_info ci = intel_cpu(0x5);
	struct virt_probe p;

	(void)state;
	ci.leaf1_ecx = 0;
	vmx_probe(&ci, &p);
	assert_false(p.usable);
	assert_non_null(strstr(p.reason, "CPUID.1:ECX.VMX[bit 5] is clear"));
}

static void test_svm_usable(void **state)
{
	struct cpu_info ci = amd_cpu(0, CPUID_SVM_EDX_NP);
	struct virt_probe p;

	(void)state;
	svm_probe(&ci, &p);
	assert_true(p.usable);
	assert_non_null(strstr(p.reason, "16 ASIDs, nested paging yes, NRIP save no"));
}

static void test_svm_disabled_not_unlockable(void **state)
{
	struct cpu_info ci = amd_cpu(VM_CR_SVMDIS | VM_CR_LOCK, 0);
	struct virt_probe p;

	(void)state;
	svm_probe(&ci, &p);
	assert_false(p.usable);
	assert_non_null(strstr(p.reason, "VM_CR.SVMDIS is set (VM_CR=0x18): enable SVM in the firmware setup"));
}

static void test_svm_disabled_with_key(void **state)
{
	struct cpu_info ci = amd_cpu(VM_CR_SVMDIS | VM_CR_LOCK, CPUID_SVM_EDX_SVML);
	struct virt_probe p;

	(void)state;
	svm_probe(&ci, &p);
	assert_false(p.usable);
	assert_non_null(strstr(p.reason, "locked with a key"));
}

static void test_svm_missing_cpuid_or_asids(void **state)
{
	struct cpu_info ci = amd_cpu(0, 0);
	struct virt_probe p;

	(void)state;
	ci.svm_ebx = 0;
	svm_probe(&ci, &p);
	assert_false(p.usable);
	assert_non_null(strstr(p.reason, "no ASIDs"));
	ci.ext1_ecx = 0;
	svm_probe(&ci, &p);
	assert_false(p.usable);
	assert_non_null(strstr(p.reason, "CPUID 80000001h:ECX.SVM[bit 2] is clear"));
}

/* SDM Vol. 2A CPUID leaf 1 figure 3-6: extended family only for family 0Fh, extended model for 06h and 0Fh. */
static void test_signature_decoding(void **state)
{
	struct cpu_info ci;

	(void)state;
	cpu_info_decode_signature(&ci, 0x00050654);	/* Skylake-SP */
	assert_int_equal(ci.family, 6);
	assert_int_equal(ci.model, 0x55);
	assert_int_equal(ci.stepping, 4);
	cpu_info_decode_signature(&ci, 0x00800f12);	/* Zen 1 */
	assert_int_equal(ci.family, 0x17);
	assert_int_equal(ci.model, 0x01);
	assert_int_equal(ci.stepping, 2);
	cpu_info_decode_signature(&ci, 0x00f50663);	/* family 6: extended family ignored */
	assert_int_equal(ci.family, 6);
	assert_int_equal(ci.model, 0x56);
	cpu_info_decode_signature(&ci, 0x00010583);	/* family 5: extended model ignored */
	assert_int_equal(ci.family, 5);
	assert_int_equal(ci.model, 8);
}

/* The vendor string decides the emulator's vendor model; anything but AMD's is not AMD. */
static void test_cpu_is_amd(void **state)
{
	struct cpu_info intel = intel_cpu(0), amd = amd_cpu(0, 0), other = amd;

	(void)state;
	strcpy(other.vendor, "HygonGenuine");
	assert_false(cpu_is_amd(&intel));
	assert_true(cpu_is_amd(&amd));
	assert_false(cpu_is_amd(&other));
}

/* When Umbra may set CR4.OSXSAVE: XSAVE with x87 in leaf 0Dh, except under QEMU TCG without
 * XSAVEOPT (whose MOV to CR4 would hang, see cpu_osxsave_blocker). */
static void test_osxsave_blocker(void **state)
{
	struct cpu_info ci;

	(void)state;
	memset(&ci, 0, sizeof(ci));
	assert_non_null(cpu_osxsave_blocker(&ci));		/* no XSAVE */
	ci.leaf1_ecx = CPUID_1_ECX_XSAVE;
	ci.max_leaf = CPUID_LEAF_XSAVE;
	assert_non_null(cpu_osxsave_blocker(&ci));		/* leaf 0Dh without x87 */
	ci.xsave_eax0 = 3;
	assert_null(cpu_osxsave_blocker(&ci));			/* XSAVE alone, bare metal */
	strcpy(ci.hv_signature, CPUID_HV_SIGNATURE_QEMU_TCG);
	assert_non_null(cpu_osxsave_blocker(&ci));		/* QEMU TCG: the MOV would hang */
	ci.xsave_eax1 = 1;					/* +xsaveopt */
	assert_null(cpu_osxsave_blocker(&ci));
	ci.xsave_eax1 = 0;
	strcpy(ci.hv_signature, "KVMKVMKVM");
	assert_null(cpu_osxsave_blocker(&ci));			/* others check CR4 correctly */
	ci.max_leaf = CPUID_LEAF_XSAVE - 1;
	assert_non_null(cpu_osxsave_blocker(&ci));		/* no leaf 0Dh at all */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmx_usable_when_locked_and_enabled),
		cmocka_unit_test(test_vmx_usable_when_unlocked),
		cmocka_unit_test(test_vmx_disabled_by_firmware),
		cmocka_unit_test(test_vmx_only_inside_smx),
		cmocka_unit_test(test_apic_modes),
		cmocka_unit_test(test_vmx_missing_cpuid),
		cmocka_unit_test(test_svm_usable),
		cmocka_unit_test(test_svm_disabled_not_unlockable),
		cmocka_unit_test(test_svm_disabled_with_key),
		cmocka_unit_test(test_svm_missing_cpuid_or_asids),
		cmocka_unit_test(test_signature_decoding),
		cmocka_unit_test(test_osxsave_blocker),
		cmocka_unit_test(test_cpu_is_amd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
