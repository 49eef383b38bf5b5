/* CPUID leaves and feature bits Umbra looks at (Intel SDM Vol. 2A "CPUID"; AMD APM Vol. 3 appendix E). */
#ifndef UMBRA_ARCH_CPUID_H
#define UMBRA_ARCH_CPUID_H

#define CPUID_LEAF_VENDOR		0x00000000
#define CPUID_LEAF_FEATURES		0x00000001
#define  CPUID_1_ECX_VMX		(1u << 5)
#define  CPUID_1_ECX_SMX		(1u << 6)
#define  CPUID_1_ECX_PCID		(1u << 17)
#define  CPUID_1_ECX_XSAVE		(1u << 26)
#define  CPUID_1_ECX_OSXSAVE		(1u << 27)
#define  CPUID_1_ECX_HYPERVISOR		(1u << 31)
#define  CPUID_1_EDX_PSE		(1u << 3)
#define  CPUID_1_EDX_MSR		(1u << 5)
#define  CPUID_1_EDX_PAE		(1u << 6)
#define  CPUID_1_EDX_APIC		(1u << 9)
#define  CPUID_1_EDX_PGE		(1u << 13)
#define  CPUID_1_EDX_PSE36		(1u << 17)	/* 4 MiB pages map physical bits above 31 */
#define CPUID_LEAF_EXT_FEATURES		0x00000007	/* subleaf 0 */
#define  CPUID_7_EBX_SMEP		(1u << 7)
#define  CPUID_7_EBX_SMAP		(1u << 20)
#define CPUID_LEAF_XSAVE		0x0000000d	/* subleaf 0: EDX:EAX = XCR0 bits supported */
#define  CPUID_D0_EAX_X87		(1u << 0)	/* x87 state: always in XCR0 (SDM Vol. 1 13.3) */
#define CPUID_LEAF_TSC			0x00000015	/* TSC/crystal ratio EBX/EAX, crystal Hz in ECX */
#define CPUID_LEAF_FREQ			0x00000016	/* EAX[15:0]: base frequency in MHz */
#define CPUID_LEAF_HV_SIGNATURE		0x40000000	/* a hypervisor's vendor (EBX:ECX:EDX) */
#define  CPUID_HV_SIGNATURE_QEMU_TCG	"TCGTCGTCGTCG"
#define CPUID_LEAF_EXT_MAX		0x80000000
#define CPUID_LEAF_EXT_SIGNATURE	0x80000001
#define  CPUID_80000001_ECX_SVM		(1u << 2)
#define  CPUID_80000001_EDX_NX		(1u << 20)
#define  CPUID_80000001_EDX_PAGE1GB	(1u << 26)
#define  CPUID_80000001_EDX_LM		(1u << 29)
#define CPUID_LEAF_BRAND_0		0x80000002	/* brand string: three leaves of 16 bytes */
#define CPUID_LEAF_ADDR_SIZES		0x80000008	/* EAX[7:0] MAXPHYADDR, EAX[15:8] linear */
#define CPUID_LEAF_SVM			0x8000000a	/* AMD APM Vol. 3 E.4.9 */
#define  CPUID_SVM_EDX_NP		(1u << 0)	/* nested paging */
#define  CPUID_SVM_EDX_LBRV		(1u << 1)
#define  CPUID_SVM_EDX_SVML		(1u << 2)	/* SVM lock: VM_CR.SVMDIS may be keyed */
#define  CPUID_SVM_EDX_NRIPS		(1u << 3)	/* next RIP saved on #VMEXIT */

#endif
