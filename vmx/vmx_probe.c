/* VMX availability: CPUID, then the firmware's IA32_FEATURE_CONTROL decision. */
#include "vmx/vmx_probe.h"
#include "arch/cpuid.h"
#include "arch/msr.h"
#include "lib/format.h"

void vmx_probe(const struct cpu_info *ci, struct virt_probe *out)
{
	uint64_t fc = ci->feature_control;

	out->usable = false;
	/* SDM Vol. 3C 24.6: CPUID.1:ECX.VMX[bit 5] = 1 means VMX is supported. */
	if (!cpu_has(ci->leaf1_ecx, CPUID_1_ECX_VMX)) {
		snprintk(out->reason, sizeof(out->reason),
			 "CPUID.1:ECX.VMX[bit 5] is clear (not an Intel VT-x CPU, or hidden by a hypervisor)");
		return;
	}
	if (!ci->have_feature_control) {
		snprintk(out->reason, sizeof(out->reason), "IA32_FEATURE_CONTROL could not be read");
		return;
	}
	/* SDM Vol. 3C 24.7: VMXON outside SMX #GPs if the MSR is locked with bit 2 clear; when it is
	 * unlocked, Umbra sets bit 2 and locks it itself. */
	if ((fc & FEATURE_CONTROL_LOCKED) && !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		/* Bit 1 alone: VMX only inside SMX, i.e. only for a TXT measured launch. */
		snprintk(out->reason, sizeof(out->reason),
			 (fc & FEATURE_CONTROL_VMX_IN_SMX)
			 ? "IA32_FEATURE_CONTROL=0x%llx is locked with VMX allowed only inside SMX "
			   "(Intel TXT): enable VT-x outside TXT in the firmware setup"
			 : "IA32_FEATURE_CONTROL=0x%llx is locked with VMX outside SMX disabled "
			   "(enable VT-x in the firmware setup)", (unsigned long long)fc);
		return;
	}
	out->usable = true;
	snprintk(out->reason, sizeof(out->reason), "IA32_FEATURE_CONTROL=0x%llx (%s)",
		 (unsigned long long)fc,
		 (fc & FEATURE_CONTROL_LOCKED) ? "locked, VMX outside SMX enabled"
					       : "unlocked: Umbra will enable and lock it");
}
