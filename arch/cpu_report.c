/* The boot CPU report: who the processor is and what Umbra can use on it. */
#include "arch/cpu_info.h"
#include "arch/apic.h"
#include "arch/cpuid.h"
#include "arch/msr.h"
#include "lib/printk.h"

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

void cpu_report(const struct cpu_info *ci)
{
	pr_info("umbra: cpu: %s family 0x%x model 0x%x stepping %u \"%s\"\n", ci->vendor,
		ci->family, ci->model, ci->stepping, ci->brand);
	pr_info("umbra: cpu: maxphyaddr %u, nx %s, 1g-pages %s, pcid %s, xsave %s, smep %s, smap %s\n",
		ci->maxphyaddr, yes_no(cpu_has(ci->ext1_edx, CPUID_80000001_EDX_NX)),
		yes_no(cpu_has(ci->ext1_edx, CPUID_80000001_EDX_PAGE1GB)),
		yes_no(cpu_has(ci->leaf1_ecx, CPUID_1_ECX_PCID)),
		yes_no(cpu_has(ci->leaf1_ecx, CPUID_1_ECX_XSAVE)),
		yes_no(cpu_has(ci->leaf7_ebx, CPUID_7_EBX_SMEP)),
		yes_no(cpu_has(ci->leaf7_ebx, CPUID_7_EBX_SMAP)));
	/* For bug reports from real machines: how the firmware left the local APIC. */
	if (ci->have_apic_base)
		pr_info("umbra: cpu: local APIC at %llx, %s%s, x2apic %s\n",
			(unsigned long long)(ci->apic_base & APIC_BASE_ADDR_MASK),
			cpu_apic_mode(ci->apic_base),
			(ci->apic_base & APIC_BASE_BSP) ? " (BSP)" : "",
			yes_no(cpu_has(ci->leaf1_ecx, CPUID_1_ECX_X2APIC)));
	else
		pr_info("umbra: cpu: no local APIC (CPUID.1:EDX.APIC clear)\n");
}
