/* Reads CPUID and the virtualization MSRs into struct cpu_info. */
#include "arch/cpu_info.h"
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
	/* APM Vol. 2 15.30.1: VM_CR exists on processors with SVM. */
	if (cpu_has(ci->ext1_ecx, CPUID_80000001_ECX_SVM)) {
		ci->have_vm_cr = true;
		ci->vm_cr = rdmsr(MSR_VM_CR);
	}
}
