/* What Umbra knows about the processor: raw CPUID and MSR values, read once at boot. */
#ifndef UMBRA_ARCH_CPU_INFO_H
#define UMBRA_ARCH_CPU_INFO_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_info {
	char vendor[13];		/* "GenuineIntel", "AuthenticAMD", ... */
	char brand[49];			/* brand string, "" when the CPU has none */
	uint32_t family, model, stepping;	/* display values (SDM Vol. 2A CPUID leaf 1) */
	uint32_t max_leaf, max_ext_leaf;
	uint32_t leaf1_ecx, leaf1_edx;
	uint32_t leaf7_ebx, leaf7_ecx;
	uint32_t ext1_ecx, ext1_edx;	/* leaf 80000001h */
	uint32_t xsave_eax0, xsave_eax1;	/* leaf 0Dh subleaves 0 (XCR0 bits) and 1 (XSAVEOPT..) */
	char hv_signature[13];		/* leaf 40000000h EBX:ECX:EDX, a hypervisor's vendor */
	uint32_t svm_eax, svm_ebx, svm_edx;	/* leaf 8000000Ah: revision, ASIDs, features */
	uint8_t maxphyaddr;		/* physical address width (36 when leaf 80000008h is absent) */
	uint8_t maxlinaddr;
	bool have_feature_control;	/* IA32_FEATURE_CONTROL exists (CPUID VMX or SMX) */
	uint64_t feature_control;
	bool have_apic_base;		/* IA32_APIC_BASE exists (CPUID.1:EDX.APIC) */
	uint64_t apic_base;		/* as the firmware left it */
	bool have_vm_cr;		/* VM_CR exists (CPUID SVM) */
	uint64_t vm_cr;
};

/* Fills ci from CPUID and the MSRs that exist according to CPUID. */
void cpu_info_read(struct cpu_info *ci);
/* Decodes family/model/stepping from CPUID.1:EAX (SDM Vol. 2A, CPUID leaf 1, figure 3-6). */
void cpu_info_decode_signature(struct cpu_info *ci, uint32_t leaf1_eax);
/* Whether CPUID leaf 0 names AMD ("AuthenticAMD", APM Vol. 3 CPUID Fn0000_0000). */
bool cpu_is_amd(const struct cpu_info *ci);
/* Why Umbra must leave CR4.OSXSAVE clear on this CPU, or NULL when it may set it. */
const char *cpu_osxsave_blocker(const struct cpu_info *ci);
/* The local APIC's mode from IA32_APIC_BASE (SDM Vol. 3A 11.12.1, table 11-5 "x2APIC
 * Operating Mode Configurations"): "disabled", "xAPIC mode", "x2APIC mode", or "invalid". */
const char *cpu_apic_mode(uint64_t apic_base);
/* Prints the boot CPU report: identity, paging features, VMX and SVM usability. */
void cpu_report(const struct cpu_info *ci);

static inline bool cpu_has(uint32_t reg, uint32_t bit)
{
	return (reg & bit) != 0;
}

#endif
