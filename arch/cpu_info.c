/* Reads CPUID and the virtualization MSRs into struct cpu_info. */
#include "arch/cpu_info.h"
#include "arch/apic.h"
#include "arch/cpu.h"
#include "arch/cpuid.h"
#include "arch/msr.h"
#include "lib/string.h"

void cpu_info_decode_signature(struct cpu_info *ci, uint32_t eax)
{
	uint32_t family = (eax >> 8) & 0xf, model = (eax >> 4) & 0xf;

	/* The extended fields count only for family 0Fh (and, for the model, family 06h). */
	if (family == 0xf)
		family += (eax >> 20) & 0xff;
	if (family == 0x6 || family >= 0xf)
		model += ((eax >> 16) & 0xf) << 4;
	ci->family = family;
	ci->model = model;
	ci->stepping = eax & 0xf;
}

bool cpu_is_amd(const struct cpu_info *ci)
{
	return strcmp(ci->vendor, "AuthenticAMD") == 0;
}

static void cpu_info_read_brand(struct cpu_info *ci)
{
	ci->brand[0] = '\0';
	if (ci->max_ext_leaf < CPUID_LEAF_BRAND_0 + 2)
		return;
	for (uint32_t i = 0; i < 3; i++) {
		struct cpuid_regs r = cpuid(CPUID_LEAF_BRAND_0 + i, 0);

		memcpy(ci->brand + 16 * i, &r, 16);
	}
	ci->brand[48] = '\0';
}

/*
 * SDM Vol. 3A 2.5 / APM Vol. 2 3.1.3: CR4.OSXSAVE may be set when CPUID.1:ECX.XSAVE[26] is 1;
 * XSETBV then needs leaf 0Dh to say which XCR0 bits exist, x87 among them (SDM Vol. 1 13.2-13.3).
 *
 * QEMU's TCG (seen on 7.2) gets this wrong: it treats OSXSAVE as a reserved CR4 bit unless
 * CPUID.(EAX=0Dh,ECX=1):EAX (XSAVEOPT, XSAVEC, XGETBV1, XSAVES) is non-zero, and answers a
 * reserved CR4 bit with #VMEXIT(VMEXIT_INVALID) even outside a guest instead of #GP(0). With
 * VM_HSAVE_PA still 0 that "exit" saves the state to physical page 0 and reloads it from the
 * same place, so the MOV restarts forever with no exception and no message (-cpu
 * qemu64,+xsave; Opteron_G5). The same CPUID on real hardware is architecturally fine
 * (processors before XSAVEOPT enumerate XSAVE alone), so only TCG is spared the write.
 */
const char *cpu_osxsave_blocker(const struct cpu_info *ci)
{
	if (!cpu_has(ci->leaf1_ecx, CPUID_1_ECX_XSAVE))
		return "CPUID.1:ECX.XSAVE[26] is clear";
	if (ci->max_leaf < CPUID_LEAF_XSAVE || !(ci->xsave_eax0 & CPUID_D0_EAX_X87))
		return "CPUID leaf 0Dh does not enumerate x87 state in XCR0";
	if (!strcmp(ci->hv_signature, CPUID_HV_SIGNATURE_QEMU_TCG) && !ci->xsave_eax1)
		return "QEMU TCG hangs on MOV to CR4.OSXSAVE when CPUID.(EAX=0Dh,ECX=1):EAX is 0 "
		       "(add +xsaveopt to -cpu)";
	return NULL;
}

void cpu_info_read(struct cpu_info *ci)
{
	struct cpuid_regs r = cpuid(CPUID_LEAF_VENDOR, 0);

	memset(ci, 0, sizeof(*ci));
	ci->max_leaf = r.eax;
	memcpy(ci->vendor + 0, &r.ebx, 4);
	memcpy(ci->vendor + 4, &r.edx, 4);
	memcpy(ci->vendor + 8, &r.ecx, 4);

	r = cpuid(CPUID_LEAF_FEATURES, 0);
	cpu_info_decode_signature(ci, r.eax);
	ci->leaf1_ecx = r.ecx;
	ci->leaf1_edx = r.edx;
	if (ci->max_leaf >= CPUID_LEAF_EXT_FEATURES) {
		r = cpuid(CPUID_LEAF_EXT_FEATURES, 0);
		ci->leaf7_ebx = r.ebx;
		ci->leaf7_ecx = r.ecx;
	}

	if (cpu_has(ci->leaf1_ecx, CPUID_1_ECX_XSAVE) && ci->max_leaf >= CPUID_LEAF_XSAVE) {
		ci->xsave_eax0 = cpuid(CPUID_LEAF_XSAVE, 0).eax;
		ci->xsave_eax1 = cpuid(CPUID_LEAF_XSAVE, 1).eax;
	}
	/* Read even with CPUID.1:ECX[31] clear: QEMU answers it under -cpu ...,-hypervisor too, and
	 * on bare metal the leaf is reserved (zeros, or the highest basic leaf's values). */
	r = cpuid(CPUID_LEAF_HV_SIGNATURE, 0);
	memcpy(ci->hv_signature + 0, &r.ebx, 4);
	memcpy(ci->hv_signature + 4, &r.ecx, 4);
	memcpy(ci->hv_signature + 8, &r.edx, 4);
	ci->hv_signature[12] = '\0';

	ci->max_ext_leaf = cpuid(CPUID_LEAF_EXT_MAX, 0).eax;
	if (ci->max_ext_leaf >= CPUID_LEAF_EXT_SIGNATURE) {
		r = cpuid(CPUID_LEAF_EXT_SIGNATURE, 0);
		ci->ext1_ecx = r.ecx;
		ci->ext1_edx = r.edx;
	}
	cpu_info_read_brand(ci);

	/* SDM Vol. 3A 4.1.4: without leaf 80000008h the physical width is 36 bits. */
	ci->maxphyaddr = 36;
	ci->maxlinaddr = 48;
	if (ci->max_ext_leaf >= CPUID_LEAF_ADDR_SIZES) {
		r = cpuid(CPUID_LEAF_ADDR_SIZES, 0);
		ci->maxphyaddr = r.eax & 0xff;
		ci->maxlinaddr = (r.eax >> 8) & 0xff;
	}

	if (cpu_has(ci->ext1_ecx, CPUID_80000001_ECX_SVM) && ci->max_ext_leaf >= CPUID_LEAF_SVM) {
		r = cpuid(CPUID_LEAF_SVM, 0);
		ci->svm_eax = r.eax;
		ci->svm_ebx = r.ebx;
		ci->svm_edx = r.edx;
	}

	/* SDM Vol. 4 table 2-2: IA32_FEATURE_CONTROL exists if CPUID.1:ECX.VMX or SMX is set. */
	if (cpu_has(ci->leaf1_ecx, CPUID_1_ECX_VMX) || cpu_has(ci->leaf1_ecx, CPUID_1_ECX_SMX)) {
		ci->have_feature_control = true;
		ci->feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
	}
	/* SDM Vol. 3A 11.4.4: IA32_APIC_BASE exists with CPUID.1:EDX.APIC. Firmware may hand
	 * over in x2APIC mode (11.12), where the xAPIC MMIO page no longer answers. */
	if (cpu_has(ci->leaf1_edx, CPUID_1_EDX_APIC)) {
		ci->have_apic_base = true;
		ci->apic_base = rdmsr(MSR_IA32_APIC_BASE);
	}
	/* APM Vol. 2 15.30.1: VM_CR exists on processors with SVM. */
	if (cpu_has(ci->ext1_ecx, CPUID_80000001_ECX_SVM)) {
		ci->have_vm_cr = true;
		ci->vm_cr = rdmsr(MSR_VM_CR);
	}
}

const char *cpu_apic_mode(uint64_t apic_base)
{
	bool en = apic_base & APIC_BASE_EN, extd = apic_base & APIC_BASE_EXTD;

	if (!en)
		return extd ? "invalid (x2APIC set without EN)" : "disabled";
	return extd ? "x2APIC mode" : "xAPIC mode";
}
