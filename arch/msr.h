/* Model-specific register numbers and bits used by Umbra's host code (Intel SDM Vol. 4; AMD APM Vol. 2). */
#ifndef UMBRA_ARCH_MSR_H
#define UMBRA_ARCH_MSR_H

#define MSR_IA32_TSC			0x00000010	/* SDM Vol. 3B 18.17 time-stamp counter */
#define MSR_IA32_FEATURE_CONTROL	0x0000003a	/* SDM Vol. 4 table 2-2 */
#define  FEATURE_CONTROL_LOCKED		(1 << 0)	/* writes #GP until reset */
#define  FEATURE_CONTROL_VMX_IN_SMX	(1 << 1)
#define  FEATURE_CONTROL_VMX_OUTSIDE_SMX (1 << 2)

#define MSR_IA32_MISC_ENABLE		0x000001a0	/* SDM Vol. 4 table 2-2; Intel only */
#define  MISC_ENABLE_FAST_STRINGS	(1ull << 0)
#define  MISC_ENABLE_BTS_UNAVAILABLE	(1ull << 11)	/* read-only */
#define  MISC_ENABLE_PEBS_UNAVAILABLE	(1ull << 12)	/* read-only */

#define MSR_IA32_PAT			0x00000277
#define MSR_IA32_EFER			0xc0000080	/* SDM Vol. 3A 2.2.1; APM Vol. 2 3.1.7 */
#define  EFER_SCE			(1 << 0)	/* SYSCALL enable */
#define  EFER_LME			(1 << 8)	/* long mode enable */
#define  EFER_LMA			(1 << 10)	/* long mode active */
#define  EFER_NXE			(1 << 11)	/* no-execute enable */
#define  EFER_SVME			(1 << 12)	/* SVM enable (AMD) */

#define MSR_FS_BASE			0xc0000100
#define MSR_GS_BASE			0xc0000101

#define MSR_VM_CR			0xc0010114	/* APM Vol. 2 15.30.1 */
#define  VM_CR_LOCK			(1 << 3)	/* SVMDIS is read-only */
#define  VM_CR_SVMDIS			(1 << 4)	/* EFER.SVME cannot be set */
#define MSR_VM_HSAVE_PA			0xc0010117	/* APM Vol. 2 15.30.4 */

#endif
