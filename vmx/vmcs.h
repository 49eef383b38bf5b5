/*
 * VMX constants: capability MSRs, VMCS field encodings (SDM Vol. 3C appendix B), control bits
 * (SDM Vol. 3C 25.6-25.8), exit reasons (appendix C) and exit-qualification layouts (28.2.1).
 */
#ifndef UMBRA_VMX_VMCS_H
#define UMBRA_VMX_VMCS_H

/* Capability MSRs (SDM Vol. 3C appendix A). */
#define MSR_IA32_VMX_BASIC		0x480
#define  VMX_BASIC_TRUE_CTLS		(1ULL << 55)	/* the TRUE_* MSRs exist (A.1) */
#define MSR_IA32_VMX_PINBASED_CTLS	0x481
#define MSR_IA32_VMX_PROCBASED_CTLS	0x482
#define MSR_IA32_VMX_EXIT_CTLS		0x483
#define MSR_IA32_VMX_ENTRY_CTLS		0x484
#define MSR_IA32_VMX_MISC		0x485
#define  VMX_MISC_PREEMPTION_RATE	0x1f	/* the timer counts every 2^X TSC ticks (A.6) */
#define MSR_IA32_VMX_CR0_FIXED0		0x486
#define MSR_IA32_VMX_CR0_FIXED1		0x487
#define MSR_IA32_VMX_CR4_FIXED0		0x488
#define MSR_IA32_VMX_CR4_FIXED1		0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2	0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP	0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	0x490
/* IA32_VMX_EPT_VPID_CAP (A.10). */
#define  EPT_CAP_EXEC_ONLY		(1ULL << 0)	/* execute-only EPT entries */
#define  EPT_CAP_WALK_4			(1ULL << 6)	/* page-walk length 4 */
#define  EPT_CAP_MT_UC			(1ULL << 8)	/* EPTP memory type uncacheable */
#define  EPT_CAP_MT_WB			(1ULL << 14)	/* EPTP memory type write-back */
#define  EPT_CAP_2M			(1ULL << 16)	/* PDEs may map 2 MiB pages */
#define  EPT_CAP_1G			(1ULL << 17)	/* PDPTEs may map 1 GiB pages */
#define  EPT_CAP_INVEPT			(1ULL << 20)	/* the INVEPT instruction */
#define  EPT_CAP_AD			(1ULL << 21)	/* accessed and dirty flags */
#define  EPT_CAP_INVEPT_SINGLE		(1ULL << 25)	/* single-context INVEPT */
#define  EPT_CAP_INVEPT_ALL		(1ULL << 26)	/* all-context INVEPT */
#define  VPID_CAP_INVVPID		(1ULL << 32)
#define  VPID_CAP_INVVPID_SINGLE	(1ULL << 41)	/* single-context INVVPID */
#define  VPID_CAP_INVVPID_ALL		(1ULL << 42)	/* all-context INVVPID */

/* Pin-based controls (25.6.1). */
#define PIN_EXT_INTR_EXITING		(1u << 0)
#define PIN_NMI_EXITING			(1u << 3)
#define PIN_VIRTUAL_NMIS		(1u << 5)
#define PIN_PREEMPTION_TIMER		(1u << 6)

/* Primary processor-based controls (25.6.2, table 25-6). */
#define PROC_INTR_WINDOW_EXITING	(1u << 2)
#define PROC_USE_TSC_OFFSETTING		(1u << 3)	/* guest TSC = TSC + VMCS_TSC_OFFSET */
#define PROC_HLT_EXITING		(1u << 7)
#define PROC_INVLPG_EXITING		(1u << 9)
#define PROC_MWAIT_EXITING		(1u << 10)
#define PROC_RDPMC_EXITING		(1u << 11)
#define PROC_CR3_LOAD_EXITING		(1u << 15)
#define PROC_CR3_STORE_EXITING		(1u << 16)
#define PROC_CR8_LOAD_EXITING		(1u << 19)
#define PROC_CR8_STORE_EXITING		(1u << 20)
#define PROC_MOV_DR_EXITING		(1u << 23)
#define PROC_UNCOND_IO_EXITING		(1u << 24)
#define PROC_USE_MSR_BITMAPS		(1u << 28)
#define PROC_MONITOR_EXITING		(1u << 29)
#define PROC_SECONDARY_CONTROLS		(1u << 31)

/* Secondary processor-based controls (25.6.2, table 25-7). */
#define PROC2_ENABLE_EPT		(1u << 1)
#define PROC2_ENABLE_RDTSCP		(1u << 3)
#define PROC2_ENABLE_VPID		(1u << 5)
#define PROC2_UNRESTRICTED_GUEST	(1u << 7)
#define PROC2_ENABLE_INVPCID		(1u << 12)
#define PROC2_ENABLE_XSAVES		(1u << 20)

/* VM-exit controls (25.7.1). */
#define EXIT_HOST_ADDR_SPACE_SIZE	(1u << 9)	/* return to 64-bit mode */
#define EXIT_ACK_INTR_ON_EXIT		(1u << 15)
#define EXIT_SAVE_IA32_EFER		(1u << 20)
#define EXIT_LOAD_IA32_EFER		(1u << 21)

/* VM-entry controls (25.8.1). */
#define ENTRY_IA32E_MODE_GUEST		(1u << 9)
#define ENTRY_LOAD_IA32_EFER		(1u << 15)

/* VMCS field encodings (appendix B). Bits 14:13 give the width, bit 0 the high half. */
#define VMCS_WIDTH_16			0
#define VMCS_WIDTH_64			1
#define VMCS_WIDTH_32			2
#define VMCS_WIDTH_NATURAL		3
#define VMCS_FIELD_WIDTH(f)		(((f) >> 13) & 3)

/* 16-bit fields (B.1). */
#define VMCS_VPID			0x0000
#define VMCS_GUEST_ES_SEL		0x0800	/* ES, CS, SS, DS, FS, GS, LDTR, TR: +2 each */
#define VMCS_HOST_ES_SEL		0x0c00
#define VMCS_HOST_CS_SEL		0x0c02
#define VMCS_HOST_SS_SEL		0x0c04
#define VMCS_HOST_DS_SEL		0x0c06
#define VMCS_HOST_FS_SEL		0x0c08
#define VMCS_HOST_GS_SEL		0x0c0a
#define VMCS_HOST_TR_SEL		0x0c0c

/* 64-bit fields (B.2). */
#define VMCS_IO_BITMAP_A		0x2000
#define VMCS_IO_BITMAP_B		0x2002
#define VMCS_MSR_BITMAP			0x2004
#define VMCS_TSC_OFFSET			0x2010
#define VMCS_EPT_POINTER		0x201a
#define VMCS_GUEST_PHYSICAL_ADDRESS	0x2400	/* EPT violations and misconfigurations */
#define VMCS_LINK_POINTER		0x2800
#define VMCS_GUEST_IA32_EFER		0x2806
#define VMCS_GUEST_PDPTE0		0x280a	/* PDPTE0-3: 0x280a, 0x280c, 0x280e, 0x2810 */
#define VMCS_GUEST_PDPTE(i)		(VMCS_GUEST_PDPTE0 + 2 * (i))
#define VMCS_HOST_IA32_EFER		0x2c02

/* 32-bit fields (B.3). */
#define VMCS_PIN_CONTROLS		0x4000
#define VMCS_PROC_CONTROLS		0x4002
#define VMCS_EXCEPTION_BITMAP		0x4004
#define VMCS_PF_ERROR_MASK		0x4006
#define VMCS_PF_ERROR_MATCH		0x4008
#define VMCS_CR3_TARGET_COUNT		0x400a
#define VMCS_EXIT_CONTROLS		0x400c
#define VMCS_EXIT_MSR_STORE_COUNT	0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT	0x4010
#define VMCS_ENTRY_CONTROLS		0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT	0x4014
#define VMCS_ENTRY_INTR_INFO		0x4016
#define VMCS_ENTRY_EXCEPTION_ERROR	0x4018
#define VMCS_ENTRY_INSN_LEN		0x401a
#define VMCS_PROC_CONTROLS2		0x401e
#define VMCS_INSN_ERROR			0x4400
#define VMCS_EXIT_REASON		0x4402
#define VMCS_EXIT_INTR_INFO		0x4404
#define VMCS_EXIT_INTR_ERROR		0x4406
#define VMCS_IDT_VECTORING_INFO		0x4408
#define VMCS_IDT_VECTORING_ERROR	0x440a
#define VMCS_EXIT_INSN_LEN		0x440c
#define VMCS_EXIT_INSN_INFO		0x440e
#define VMCS_GUEST_ES_LIMIT		0x4800	/* +2 per segment register */
#define VMCS_GUEST_GDTR_LIMIT		0x4810
#define VMCS_GUEST_IDTR_LIMIT		0x4812
#define VMCS_GUEST_ES_AR		0x4814	/* +2 per segment register */
#define VMCS_GUEST_INTERRUPTIBILITY	0x4824
#define VMCS_GUEST_ACTIVITY_STATE	0x4826
#define VMCS_GUEST_SYSENTER_CS		0x482a
#define VMCS_PREEMPTION_TIMER		0x482e
#define VMCS_HOST_SYSENTER_CS		0x4c00

/* Natural-width fields (B.4). */
#define VMCS_CR0_MASK			0x6000
#define VMCS_CR4_MASK			0x6002
#define VMCS_CR0_READ_SHADOW		0x6004
#define VMCS_CR4_READ_SHADOW		0x6006
#define VMCS_EXIT_QUALIFICATION		0x6400
#define VMCS_GUEST_LINEAR_ADDRESS	0x640a
#define VMCS_GUEST_CR0			0x6800
#define VMCS_GUEST_CR3			0x6802
#define VMCS_GUEST_CR4			0x6804
#define VMCS_GUEST_ES_BASE		0x6806	/* +2 per segment register */
#define VMCS_GUEST_GDTR_BASE		0x6816
#define VMCS_GUEST_IDTR_BASE		0x6818
#define VMCS_GUEST_DR7			0x681a
#define VMCS_GUEST_RSP			0x681c
#define VMCS_GUEST_RIP			0x681e
#define VMCS_GUEST_RFLAGS		0x6820
#define VMCS_GUEST_PENDING_DBG		0x6822
#define VMCS_GUEST_SYSENTER_ESP		0x6824
#define VMCS_GUEST_SYSENTER_EIP		0x6826
#define VMCS_HOST_CR0			0x6c00
#define VMCS_HOST_CR3			0x6c02
#define VMCS_HOST_CR4			0x6c04
#define VMCS_HOST_FS_BASE		0x6c06
#define VMCS_HOST_GS_BASE		0x6c08
#define VMCS_HOST_TR_BASE		0x6c0a
#define VMCS_HOST_GDTR_BASE		0x6c0c
#define VMCS_HOST_IDTR_BASE		0x6c0e
#define VMCS_HOST_SYSENTER_ESP		0x6c10
#define VMCS_HOST_SYSENTER_EIP		0x6c12
#define VMCS_HOST_RSP			0x6c14
#define VMCS_HOST_RIP			0x6c16

/* Segment access rights in the VMCS (24.4.1, table 24-2). */
#define VMX_AR_UNUSABLE			(1u << 16)

/* Interruption information (24.8.3 entry, 24.9.2 exit). */
#define INTR_INFO_VALID			(1u << 31)
#define INTR_INFO_ERROR_CODE		(1u << 11)
#define INTR_TYPE_EXT_INTR		(0u << 8)
#define INTR_TYPE_NMI			(2u << 8)
#define INTR_TYPE_HW_EXCEPTION		(3u << 8)
#define INTR_TYPE_SW_INTR		(4u << 8)
#define INTR_TYPE_PRIV_SW_EXCEPTION	(5u << 8)	/* INT1 (ICEBP) */
#define INTR_TYPE_SW_EXCEPTION		(6u << 8)	/* INT3, INTO */
#define INTR_TYPE_MASK			(7u << 8)

/* Guest interruptibility state (24.4.2, table 24-3). */
#define INTERRUPTIBILITY_STI		(1u << 0)
#define INTERRUPTIBILITY_MOV_SS		(1u << 1)

/* Basic exit reasons (appendix C). */
#define VMX_EXIT_EXCEPTION_NMI		0
#define VMX_EXIT_EXTERNAL_INTERRUPT	1
#define VMX_EXIT_TRIPLE_FAULT		2
#define VMX_EXIT_INIT			3
#define VMX_EXIT_SIPI			4
#define VMX_EXIT_INTERRUPT_WINDOW	7
#define VMX_EXIT_TASK_SWITCH		9
#define VMX_EXIT_CPUID			10
#define VMX_EXIT_GETSEC			11
#define VMX_EXIT_HLT			12
#define VMX_EXIT_INVD			13
#define VMX_EXIT_INVLPG			14
#define VMX_EXIT_RDPMC			15
#define VMX_EXIT_RDTSC			16
#define VMX_EXIT_RSM			17
#define VMX_EXIT_VMCALL			18
#define VMX_EXIT_VMCLEAR		19
#define VMX_EXIT_VMLAUNCH		20
#define VMX_EXIT_VMPTRLD		21
#define VMX_EXIT_VMPTRST		22
#define VMX_EXIT_VMREAD			23
#define VMX_EXIT_VMRESUME		24
#define VMX_EXIT_VMWRITE		25
#define VMX_EXIT_VMXOFF			26
#define VMX_EXIT_VMXON			27
#define VMX_EXIT_CR_ACCESS		28
#define VMX_EXIT_DR_ACCESS		29
#define VMX_EXIT_IO			30
#define VMX_EXIT_RDMSR			31
#define VMX_EXIT_WRMSR			32
#define VMX_EXIT_INVALID_GUEST_STATE	33
#define VMX_EXIT_MSR_LOADING		34
#define VMX_EXIT_MWAIT			36
#define VMX_EXIT_MONITOR		39
#define VMX_EXIT_PAUSE			40
#define VMX_EXIT_MACHINE_CHECK		41
#define VMX_EXIT_EPT_VIOLATION		48
#define VMX_EXIT_EPT_MISCONFIG		49
#define VMX_EXIT_INVEPT			50
#define VMX_EXIT_PREEMPTION_TIMER	52
#define VMX_EXIT_INVVPID		53
#define VMX_EXIT_XSETBV			55
#define VMX_EXIT_INVPCID		58
#define VMX_EXIT_VMFUNC			59
#define VMX_EXIT_REASON_ENTRY_FAILURE	(1u << 31)

/* Exit qualification of I/O instructions (28.2.1, table 28-5). */
#define IOQ_SIZE_MASK			0x7	/* size - 1 */
#define IOQ_IN				(1u << 3)
#define IOQ_STRING			(1u << 4)
#define IOQ_REP				(1u << 5)
#define IOQ_PORT_SHIFT			16

/* Exit qualification of debug exceptions (28.2.1, table 28-1): the DR6 bits of the #DB, which
 * the exit did not write to DR6. RTM is set when DR6.RTM (active low) would be cleared. */
#define DBQ_B0_B3			0xfull
#define DBQ_BD				(1u << 13)	/* debug-register access detected */
#define DBQ_BS				(1u << 14)	/* single step */
#define DBQ_RTM				(1u << 16)

/* The guest's pending debug exceptions field (24.4.2, table 24-4): BS is a single-step trap the
 * processor delivers after VM entry (26.7.3). */
#define PENDING_DBG_BS			(1u << 14)

/* Exit qualification of task switches (table 28-2). */
#define TSQ_SELECTOR_MASK		0xffffu
#define TSQ_SOURCE_SHIFT		30		/* 0 CALL, 1 IRET, 2 JMP, 3 IDT task gate */

/* Exit qualification of EPT violations (28.2.1, table 28-7). Bits 5:3 are the AND of the R,
 * W and X bits of every EPT entry of the translation (0 when one was not present). */
#define EPTQ_READ			(1u << 0)	/* the access was a data read */
#define EPTQ_WRITE			(1u << 1)	/* a data write */
#define EPTQ_FETCH			(1u << 2)	/* an instruction fetch */
#define EPTQ_READABLE			(1u << 3)
#define EPTQ_WRITABLE			(1u << 4)
#define EPTQ_EXECUTABLE			(1u << 5)
#define EPTQ_LINEAR_VALID		(1u << 7)	/* the guest-linear address is valid */
#define EPTQ_FINAL			(1u << 8)	/* with bit 7: the access to the translated
							 * address, not to a guest paging entry */
#define EPTQ_NMI_UNBLOCKING		(1u << 12)	/* IRET unblocked NMIs (virtual NMIs only) */

/* Exit qualification of control-register accesses (table 28-3). */
#define CRQ_CR_MASK			0xf
#define CRQ_TYPE_SHIFT			4	/* 0 mov to, 1 mov from, 2 CLTS, 3 LMSW */
#define CRQ_LMSW_MEMORY			(1u << 6)
#define CRQ_GPR_SHIFT			8
#define CRQ_LMSW_DATA_SHIFT		16

#endif
