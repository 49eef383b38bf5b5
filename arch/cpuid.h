/* CPUID leaves and feature bits Umbra looks at (Intel SDM Vol. 2A "CPUID"; AMD APM Vol. 3 appendix E). */
#ifndef UMBRA_ARCH_CPUID_H
#define UMBRA_ARCH_CPUID_H

#define CPUID_LEAF_VENDOR		0x00000000
#define CPUID_LEAF_FEATURES		0x00000001
#define  CPUID_1_ECX_MONITOR		(1u << 3)
#define  CPUID_1_ECX_VMX		(1u << 5)
#define  CPUID_1_ECX_SMX		(1u << 6)
#define  CPUID_1_ECX_EIST		(1u << 7)	/* IA32_PERF_STATUS/CTL */
#define  CPUID_1_ECX_PDCM		(1u << 15)	/* IA32_PERF_CAPABILITIES */
#define  CPUID_1_ECX_PCID		(1u << 17)
#define  CPUID_1_ECX_DCA		(1u << 18)	/* IA32_PLATFORM_DCA_CAP */
#define  CPUID_1_ECX_X2APIC		(1u << 21)
#define  CPUID_1_ECX_TSC_DEADLINE	(1u << 24)
#define  CPUID_1_ECX_XSAVE		(1u << 26)
#define  CPUID_1_ECX_OSXSAVE		(1u << 27)
#define  CPUID_1_ECX_HYPERVISOR		(1u << 31)
#define  CPUID_1_EDX_PSE		(1u << 3)
#define  CPUID_1_EDX_TSC		(1u << 4)
#define  CPUID_1_EDX_MSR		(1u << 5)
#define  CPUID_1_EDX_PAE		(1u << 6)
#define  CPUID_1_EDX_MCE		(1u << 7)
#define  CPUID_1_EDX_APIC		(1u << 9)
#define  CPUID_1_EDX_SEP		(1u << 11)	/* SYSENTER/SYSEXIT and their MSRs */
#define  CPUID_1_EDX_MTRR		(1u << 12)
#define  CPUID_1_EDX_PGE		(1u << 13)
#define  CPUID_1_EDX_MCA		(1u << 14)	/* IA32_MCG_CAP/STATUS */
#define  CPUID_1_EDX_PAT		(1u << 16)
#define  CPUID_1_EDX_PSE36		(1u << 17)	/* 4 MiB pages map physical bits above 31 */
#define  CPUID_1_EDX_DS			(1u << 21)	/* IA32_DS_AREA */
#define  CPUID_1_EDX_ACPI		(1u << 22)	/* thermal-monitor MSRs */
#define  CPUID_1_EDX_TM			(1u << 29)
#define CPUID_LEAF_MONITOR		0x00000005
#define CPUID_LEAF_POWER		0x00000006	/* thermal and power management */
#define  CPUID_6_EAX_HWP		(1u << 7)	/* IA32_PM_ENABLE and the HWP MSRs */
#define  CPUID_6_ECX_APERFMPERF		(1u << 0)	/* IA32_MPERF/APERF */
#define CPUID_LEAF_EXT_FEATURES		0x00000007	/* subleaf 0 */
#define  CPUID_7_EBX_TSC_ADJUST		(1u << 1)	/* IA32_TSC_ADJUST */
#define  CPUID_7_EBX_SMEP		(1u << 7)
#define  CPUID_7_EBX_INVPCID		(1u << 10)
#define  CPUID_7_EBX_RDT_M		(1u << 12)	/* IA32_QM_EVTSEL and friends */
#define  CPUID_7_EBX_MPX		(1u << 14)	/* IA32_BNDCFGS, XCR0 bits 4:3 */
#define  CPUID_7_EBX_RDT_A		(1u << 15)	/* IA32_PQR_ASSOC and friends */
#define  CPUID_7_EBX_SMAP		(1u << 20)
#define  CPUID_7_EBX_PT			(1u << 25)	/* Intel PT: IA32_RTIT_* */
#define  CPUID_7_ECX_PKU		(1u << 3)
#define  CPUID_7_ECX_OSPKE		(1u << 4)
#define  CPUID_7_ECX_WAITPKG		(1u << 5)	/* UMONITOR/UMWAIT/TPAUSE, IA32_UMWAIT_CONTROL */
#define  CPUID_7_ECX_CET_SS		(1u << 7)
#define  CPUID_7_ECX_LA57		(1u << 16)
#define  CPUID_7_ECX_RDPID		(1u << 22)	/* reads IA32_TSC_AUX */
#define  CPUID_7_EDX_CET_IBT		(1u << 20)
#define  CPUID_7_EDX_IBRS_IBPB		(1u << 26)	/* IA32_SPEC_CTRL.IBRS, IA32_PRED_CMD */
#define  CPUID_7_EDX_STIBP		(1u << 27)
#define  CPUID_7_EDX_L1D_FLUSH		(1u << 28)	/* IA32_FLUSH_CMD */
#define  CPUID_7_EDX_ARCH_CAPABILITIES	(1u << 29)
#define  CPUID_7_EDX_CORE_CAPABILITIES	(1u << 30)
#define  CPUID_7_EDX_SSBD		(1u << 31)
#define CPUID_LEAF_PERFMON		0x0000000a	/* architectural performance monitoring */
#define CPUID_LEAF_XSAVE		0x0000000d	/* subleaf 0: EDX:EAX = XCR0 bits supported */
#define  CPUID_D0_EAX_X87		(1u << 0)	/* x87 state: always in XCR0 (SDM Vol. 1 13.3) */
#define  CPUID_D1_EAX_XSAVES		(1u << 3)	/* XSAVES/XRSTORS and IA32_XSS */
#define  CPUID_D1_EAX_XFD		(1u << 4)	/* IA32_XFD, IA32_XFD_ERR */
#define CPUID_LEAF_TSC			0x00000015	/* TSC/crystal ratio EBX/EAX, crystal Hz in ECX */
#define CPUID_LEAF_FREQ			0x00000016	/* EAX[15:0]: base frequency in MHz */
#define CPUID_LEAF_HV_SIGNATURE		0x40000000	/* a hypervisor's vendor (EBX:ECX:EDX) */
#define  CPUID_HV_SIGNATURE_QEMU_TCG	"TCGTCGTCGTCG"
#define CPUID_LEAF_EXT_MAX		0x80000000
#define CPUID_LEAF_EXT_SIGNATURE	0x80000001
#define  CPUID_80000001_ECX_SVM		(1u << 2)
#define  CPUID_80000001_ECX_OSVW	(1u << 9)	/* OSVW_ID_LENGTH, OSVW_STATUS */
#define  CPUID_80000001_ECX_PERFCTR_CORE (1u << 23)	/* PerfCtl/PerfCtr 0-5 at C001_0200h */
#define  CPUID_80000001_EDX_NX		(1u << 20)
#define  CPUID_80000001_EDX_PAGE1GB	(1u << 26)
#define  CPUID_80000001_EDX_RDTSCP	(1u << 27)	/* reads TSC_AUX */
#define  CPUID_80000001_EDX_LM		(1u << 29)
#define CPUID_LEAF_BRAND_0		0x80000002	/* brand string: three leaves of 16 bytes */
#define CPUID_LEAF_EXT_POWER		0x80000007	/* EDX[8]: invariant TSC */
#define CPUID_LEAF_ADDR_SIZES		0x80000008	/* EAX[7:0] MAXPHYADDR, EAX[15:8] linear */
#define  CPUID_80000008_EBX_IBPB	(1u << 12)	/* PRED_CMD */
#define  CPUID_80000008_EBX_IBRS	(1u << 14)	/* SPEC_CTRL */
#define  CPUID_80000008_EBX_STIBP	(1u << 15)
#define  CPUID_80000008_EBX_SSBD	(1u << 24)
#define  CPUID_80000008_EBX_VIRT_SSBD	(1u << 25)	/* VIRT_SPEC_CTRL */
#define CPUID_LEAF_SVM			0x8000000a	/* AMD APM Vol. 3 E.4.9 */
#define  CPUID_SVM_EDX_NP		(1u << 0)	/* nested paging */
#define  CPUID_SVM_EDX_LBRV		(1u << 1)
#define  CPUID_SVM_EDX_SVML		(1u << 2)	/* SVM lock: VM_CR.SVMDIS may be keyed */
#define  CPUID_SVM_EDX_NRIPS		(1u << 3)	/* next RIP saved on #VMEXIT */
#define CPUID_LEAF_EXT_FEATURES2	0x80000021	/* AMD extended features 2 */

#endif
