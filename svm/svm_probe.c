/* SVM availability: CPUID, then VM_CR.SVMDIS and whether the firmware lock can be opened. */
#include "svm/svm_probe.h"
#include "arch/cpuid.h"
#include "arch/msr.h"
#include "lib/format.h"

void svm_probe(const struct cpu_info *ci, struct virt_probe *out)
{
	out->usable = false;
	/* APM Vol. 2 15.4: the decision sequence is CPUID SVM, then VM_CR.SVMDIS, then SVML. */
	if (!cpu_has(ci->ext1_ecx, CPUID_80000001_ECX_SVM)) {
		snprintk(out->reason, sizeof(out->reason),
			 "CPUID 80000001h:ECX.SVM[bit 2] is clear (not an AMD-V CPU, or hidden by a hypervisor)");
		return;
	}
	if (!ci->have_vm_cr) {
		snprintk(out->reason, sizeof(out->reason), "VM_CR could not be read");
		return;
	}
	if (ci->vm_cr & VM_CR_SVMDIS) {
		if (cpu_has(ci->svm_edx, CPUID_SVM_EDX_SVML))
			snprintk(out->reason, sizeof(out->reason),
				 "VM_CR.SVMDIS is set and locked with a key (VM_CR=0x%llx; the firmware or TPM holds the key)",
				 (unsigned long long)ci->vm_cr);
		else
			snprintk(out->reason, sizeof(out->reason),
				 "VM_CR.SVMDIS is set (VM_CR=0x%llx): enable SVM in the firmware setup",
				 (unsigned long long)ci->vm_cr);
		return;
	}
	if (ci->svm_ebx < 1) {
		snprintk(out->reason, sizeof(out->reason),
			 "CPUID 8000000Ah:EBX reports no ASIDs for guests");
		return;
	}
	out->usable = true;
	snprintk(out->reason, sizeof(out->reason), "revision %u, %u ASIDs, nested paging %s, NRIP save %s",
		 ci->svm_eax & 0xff, ci->svm_ebx,
		 cpu_has(ci->svm_edx, CPUID_SVM_EDX_NP) ? "yes" : "no",
		 cpu_has(ci->svm_edx, CPUID_SVM_EDX_NRIPS) ? "yes" : "no (Umbra decodes instruction lengths)");
}
