/* Model-specific register numbers and bits used by Umbra's host code (Intel SDM Vol. 4; AMD APM Vol. 2). */
#ifndef UMBRA_ARCH_MSR_H
#define UMBRA_ARCH_MSR_H

#define MSR_IA32_TSC			0x00000010	/* SDM Vol. 3B 18.17 time-stamp counter */
/* IA32_APIC_BASE and its bits: arch/apic.h. */
#define MSR_IA32_FEATURE_CONTROL	0x0000003a	/* SDM Vol. 4 table 2-2 */
#define  FEATURE_CONTROL_LOCKED		(1 << 0)	/* writes #GP until reset */
#define  FEATURE_CONTROL_VMX_IN_SMX	(1 << 1)
#define  FEATURE_CONTROL_VMX_OUTSIDE_SMX (1 << 2)
#define MSR_IA32_TSC_ADJUST		0x0000003b	/* CPUID.7.0:EBX[1] */
#define MSR_IA32_SPEC_CTRL		0x00000048	/* IBRS/STIBP/SSBD controls */
#define MSR_IA32_PRED_CMD		0x00000049	/* IBPB, write-only */
#define MSR_IA32_CORE_CAPABILITIES	0x000000cf	/* CPUID.7.0:EDX[30] */
#define MSR_IA32_UMWAIT_CONTROL		0x000000e1	/* CPUID.7.0:ECX.WAITPKG[5] */
#define MSR_IA32_MPERF			0x000000e7	/* CPUID.6:ECX[0] */
#define MSR_IA32_MTRRCAP		0x000000fe	/* CPUID.1:EDX.MTRR[12] */
#define MSR_IA32_ARCH_CAPABILITIES	0x0000010a	/* CPUID.7.0:EDX[29] */
#define MSR_IA32_FLUSH_CMD		0x0000010b	/* CPUID.7.0:EDX.L1D_FLUSH[28] */
#define MSR_IA32_SYSENTER_CS		0x00000174
#define MSR_IA32_SYSENTER_ESP		0x00000175	/* WRMSR checks it is canonical */
#define MSR_IA32_SYSENTER_EIP		0x00000176	/* WRMSR checks it is canonical */

/* Machine-check global registers (SDM Vol. 3B 16.3.1; APM Vol. 2 9.3.1). */
#define MSR_IA32_MCG_CAP		0x00000179	/* read-only */
#define  MCG_CAP_COUNT			0xffu		/* number of error-reporting banks */
#define  MCG_CAP_CTL_P			(1u << 8)	/* IA32_MCG_CTL exists */
#define MSR_IA32_MCG_STATUS		0x0000017a
#define  MCG_STATUS_RIPV		(1u << 0)
#define  MCG_STATUS_EIPV		(1u << 1)
#define  MCG_STATUS_MCIP		(1u << 2)	/* bits 63:3 reserved without LMCE */
#define MSR_IA32_MC0_CTL		0x00000400	/* bank i at 0x400 + 4i */

#define MSR_IA32_PERF_STATUS		0x00000198	/* CPUID.1:ECX.EIST[7] */
#define MSR_IA32_THERM_STATUS		0x0000019c	/* CPUID.1:EDX.ACPI[22] */

/* IA32_MISC_ENABLE (SDM Vol. 4 table 2-2), Intel only. */
#define MSR_IA32_MISC_ENABLE		0x000001a0
#define  MISC_ENABLE_FAST_STRINGS	(1ull << 0)	/* R/W, set at reset */
#define  MISC_ENABLE_PMU_AVAILABLE	(1ull << 7)	/* RO: architectural perfmon */
#define  MISC_ENABLE_BTS_UNAVAILABLE	(1ull << 11)	/* RO */
#define  MISC_ENABLE_PEBS_UNAVAILABLE	(1ull << 12)	/* RO */
#define  MISC_ENABLE_MONITOR		(1ull << 18)	/* R/W: clear hides CPUID MONITOR */
#define  MISC_ENABLE_LIMIT_CPUID	(1ull << 22)	/* R/W: caps the basic leaves at 2 */
#define  MISC_ENABLE_XD_DISABLE		(1ull << 34)	/* R/W: set hides CPUID NX */

#define MSR_IA32_PAT			0x00000277
#define MSR_IA32_MTRR_DEF_TYPE		0x000002ff
#define MSR_IA32_PERF_CAPABILITIES	0x00000345	/* CPUID.1:ECX.PDCM[15] */
#define MSR_IA32_RTIT_CTL		0x00000570	/* CPUID.7.0:EBX.PT[25] */
#define MSR_IA32_DS_AREA		0x00000600	/* CPUID.1:EDX.DS[21]; WRMSR checks it is canonical */
#define MSR_IA32_U_CET			0x000006a0	/* CPUID.7.0:ECX.CET_SS[7] or EDX.CET_IBT[20] */
#define MSR_IA32_PM_ENABLE		0x00000770	/* CPUID.6:EAX.HWP[7] */
#define MSR_IA32_BNDCFGS		0x00000d90	/* CPUID.7.0:EBX.MPX[14] */
#define MSR_IA32_XSS			0x00000da0	/* CPUID.(EAX=0DH,ECX=1):EAX.XSAVES[3] */
#define MSR_IA32_XFD			0x000001c4	/* CPUID.(EAX=0DH,ECX=1):EAX.XFD[4] */

#define MSR_IA32_EFER			0xc0000080	/* SDM Vol. 3A 2.2.1; APM Vol. 2 3.1.7 */
#define  EFER_SCE			(1 << 0)	/* SYSCALL enable */
#define  EFER_LME			(1 << 8)	/* long mode enable */
#define  EFER_LMA			(1 << 10)	/* long mode active */
#define  EFER_NXE			(1 << 11)	/* no-execute enable */
#define  EFER_SVME			(1 << 12)	/* SVM enable (AMD) */

#define MSR_STAR			0xc0000081
#define MSR_LSTAR			0xc0000082	/* WRMSR checks it is canonical */
#define MSR_CSTAR			0xc0000083
#define MSR_SFMASK			0xc0000084
#define MSR_FS_BASE			0xc0000100	/* WRMSR checks it is canonical */
#define MSR_GS_BASE			0xc0000101	/* WRMSR checks it is canonical */
#define MSR_KERNEL_GS_BASE		0xc0000102	/* WRMSR checks it is canonical */
#define MSR_TSC_AUX			0xc0000103	/* RDTSCP's ECX and RDPID's value: bits 31:0 */

/* AMD legacy performance counters (APM Vol. 2 13.2.1): four PerfEvtSel and four PerfCtr. */
#define MSR_AMD_PERF_EVTSEL0		0xc0010000
#define MSR_AMD_PERF_CTR0		0xc0010004
#define MSR_AMD_PERF_LEGACY_COUNT	4
#define MSR_AMD_INT_PENDING_MSG		0xc0010055	/* K8/10h Interrupt Pending Message: C1E, SMI */
#define MSR_AMD_PERF_CTL_EXT0		0xc0010200	/* CPUID 8000_0001h:ECX.PerfCtrExtCore[23] */
#define MSR_AMD_VIRT_SPEC_CTRL		0xc001011f	/* CPUID 8000_0008h:EBX.VIRT_SSBD[25] */
#define MSR_AMD_OSVW_ID_LENGTH		0xc0010140	/* CPUID 8000_0001h:ECX.OSVW[9] */

#define MSR_VM_CR			0xc0010114	/* APM Vol. 2 15.30.1 */
#define  VM_CR_LOCK			(1 << 3)	/* SVMDIS is read-only */
#define  VM_CR_SVMDIS			(1 << 4)	/* EFER.SVME cannot be set */
#define MSR_VM_HSAVE_PA			0xc0010117	/* APM Vol. 2 15.30.4 */

#endif
