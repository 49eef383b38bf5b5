/* The VMCB and every SVM hardware constant Umbra uses (AMD APM Vol. 2 chapter 15, appendices B, C). */
#ifndef UMBRA_SVM_VMCB_H
#define UMBRA_SVM_VMCB_H

#include <stddef.h>
#include <stdint.h>

/*
 * CPUID 8000000Ah (APM Vol. 3 E.4.9; APM Vol. 2 15.4): EBX is the number of ASIDs, EDX the SVM
 * features. NP, LBRV, SVML and NRIPS are named in arch/cpuid.h; these are the other ones Umbra
 * honours.
 */
#define SVM_CPUID_EDX_VMCB_CLEAN	(1u << 5)	/* VMCB clean bits (15.15 "VMCB State Caching") */
#define SVM_CPUID_EDX_FLUSH_BY_ASID	(1u << 6)	/* TLB_CONTROL 3 and 7 (15.16 "TLB Control") */
#define SVM_CPUID_EDX_DECODE_ASSISTS	(1u << 7)	/* EXITINFO1 operand details ("Decode Assists") */

/* MSRs whose guest values live in the VMCB and are switched by VMLOAD/VMSAVE (APM 15.5.2),
 * so the guest may access them directly. */
#define MSR_IA32_TSC			0x00000010
#define MSR_IA32_SYSENTER_CS		0x00000174
#define MSR_IA32_SYSENTER_ESP		0x00000175
#define MSR_IA32_SYSENTER_EIP		0x00000176
#define MSR_STAR			0xc0000081
#define MSR_LSTAR			0xc0000082
#define MSR_CSTAR			0xc0000083
#define MSR_SFMASK			0xc0000084
#define MSR_KERNEL_GS_BASE		0xc0000102

/* ------------------------------------------------------------------------------------------ */
/* Intercept vectors: control area offsets 000h-014h (APM appendix B, table B-1). */

/* Offset 000h: bits 15:0 intercept reads of CR0-15, bits 31:16 writes. */
#define SVM_INTERCEPT_CR_READ(n)	(1u << (n))
#define SVM_INTERCEPT_CR_WRITE(n)	(1u << (16 + (n)))

/* Offset 008h: bit n intercepts exception vector n (APM 15.12). */
#define SVM_INTERCEPT_EXCEPTION(v)	(1u << (v))

/* Offset 00Ch (vector 3 in the APM's numbering). */
#define SVM_INTERCEPT_INTR		(1u << 0)
#define SVM_INTERCEPT_NMI		(1u << 1)
#define SVM_INTERCEPT_SMI		(1u << 2)
#define SVM_INTERCEPT_INIT		(1u << 3)
#define SVM_INTERCEPT_VINTR		(1u << 4)
#define SVM_INTERCEPT_CR0_SEL_WRITE	(1u << 5)
#define SVM_INTERCEPT_RDTSC		(1u << 14)
#define SVM_INTERCEPT_RDPMC		(1u << 15)
#define SVM_INTERCEPT_CPUID		(1u << 18)
#define SVM_INTERCEPT_RSM		(1u << 19)
#define SVM_INTERCEPT_IRET		(1u << 20)
#define SVM_INTERCEPT_INTN		(1u << 21)
#define SVM_INTERCEPT_INVD		(1u << 22)
#define SVM_INTERCEPT_PAUSE		(1u << 23)
#define SVM_INTERCEPT_HLT		(1u << 24)
#define SVM_INTERCEPT_INVLPG		(1u << 25)
#define SVM_INTERCEPT_INVLPGA		(1u << 26)
#define SVM_INTERCEPT_IOIO_PROT		(1u << 27)
#define SVM_INTERCEPT_MSR_PROT		(1u << 28)
#define SVM_INTERCEPT_TASK_SWITCH	(1u << 29)
#define SVM_INTERCEPT_FERR_FREEZE	(1u << 30)
#define SVM_INTERCEPT_SHUTDOWN		(1u << 31)

/* Offset 010h (vector 4). */
#define SVM_INTERCEPT_VMRUN		(1u << 0)	/* must be set (15.5.1) */
#define SVM_INTERCEPT_VMMCALL		(1u << 1)
#define SVM_INTERCEPT_VMLOAD		(1u << 2)
#define SVM_INTERCEPT_VMSAVE		(1u << 3)
#define SVM_INTERCEPT_STGI		(1u << 4)
#define SVM_INTERCEPT_CLGI		(1u << 5)
#define SVM_INTERCEPT_SKINIT		(1u << 6)
#define SVM_INTERCEPT_RDTSCP		(1u << 7)
#define SVM_INTERCEPT_ICEBP		(1u << 8)
#define SVM_INTERCEPT_WBINVD		(1u << 9)
#define SVM_INTERCEPT_MONITOR		(1u << 10)
#define SVM_INTERCEPT_MWAIT		(1u << 11)
#define SVM_INTERCEPT_MWAIT_ARMED	(1u << 12)
#define SVM_INTERCEPT_XSETBV		(1u << 13)

/* ------------------------------------------------------------------------------------------ */
/* Other control-area fields. */

/* Offset 058h bits 39:32: TLB_CONTROL (APM 15.16 "TLB Control"). */
#define SVM_TLB_CONTROL_NONE		0	/* keep the TLB */
#define SVM_TLB_CONTROL_FLUSH_ALL	1	/* flush every ASID's entries */
#define SVM_TLB_CONTROL_FLUSH_ASID	3	/* flush this guest's ASID (FlushByAsid) */

/* Offset 060h: virtual interrupt control (APM 15.21). */
#define SVM_VINTR_TPR_MASK		0xfull		/* V_TPR, bits 3:0 (7:0 architected) */
#define SVM_VINTR_IRQ			(1ull << 8)
#define SVM_VINTR_PRIO_MAX		(0xfull << 16)	/* V_INTR_PRIO, bits 19:16 */
#define SVM_VINTR_IGN_TPR		(1ull << 20)	/* V_IGN_TPR */
#define SVM_VINTR_MASKING		(1ull << 24)	/* guest IF and TPR are virtual */

/* Offset 068h: interrupt state (APM 15.21 "Interrupt Shadows"). */
#define SVM_INT_STATE_SHADOW		(1ull << 0)	/* STI / MOV SS shadow */

/* Offset 090h: nested paging control (APM 15.25.3); 0B0h holds nCR3, the nested root. */
#define SVM_NP_ENABLE			(1ull << 0)

/* Offset 0C0h: VMCB clean bits (APM 15.15 "VMCB State Caching"); 0 = reload every field. */
#define SVM_CLEAN_NONE			0u

/*
 * EVENTINJ (offset 0A8h) and EXITINTINFO (offset 088h) share one format (APM 15.20, 15.7.2):
 * bits 7:0 vector, 10:8 type, 11 EV (error code valid), 31 V (valid), 63:32 error code.
 */
#define SVM_EVENT_VECTOR_MASK		0xffull
#define SVM_EVENT_TYPE_SHIFT		8
#define SVM_EVENT_TYPE_MASK		(7ull << SVM_EVENT_TYPE_SHIFT)
#define SVM_EVENT_TYPE_INTR		0	/* external or virtual interrupt */
#define SVM_EVENT_TYPE_NMI		2
#define SVM_EVENT_TYPE_EXCEPTION	3	/* fault or trap */
#define SVM_EVENT_TYPE_SOFT_INT		4	/* INTn */
#define SVM_EVENT_EV			(1ull << 11)
#define SVM_EVENT_VALID			(1ull << 31)
#define SVM_EVENT_ERROR_SHIFT		32

/* ------------------------------------------------------------------------------------------ */
/* #VMEXIT codes (APM appendix C, table C-1). */
#define SVM_EXIT_CR_READ(n)		(0x000 + (n))
#define SVM_EXIT_CR_WRITE(n)		(0x010 + (n))
#define SVM_EXIT_DR_READ(n)		(0x020 + (n))
#define SVM_EXIT_DR_WRITE(n)		(0x030 + (n))
#define SVM_EXIT_EXCP(v)		(0x040 + (v))
#define SVM_EXIT_INTR			0x060
#define SVM_EXIT_NMI			0x061
#define SVM_EXIT_SMI			0x062
#define SVM_EXIT_INIT			0x063
#define SVM_EXIT_VINTR			0x064
#define SVM_EXIT_CR0_SEL_WRITE		0x065
#define SVM_EXIT_IDTR_READ		0x066
#define SVM_EXIT_GDTR_READ		0x067
#define SVM_EXIT_LDTR_READ		0x068
#define SVM_EXIT_TR_READ		0x069
#define SVM_EXIT_IDTR_WRITE		0x06a
#define SVM_EXIT_GDTR_WRITE		0x06b
#define SVM_EXIT_LDTR_WRITE		0x06c
#define SVM_EXIT_TR_WRITE		0x06d
#define SVM_EXIT_RDTSC			0x06e
#define SVM_EXIT_RDPMC			0x06f
#define SVM_EXIT_PUSHF			0x070
#define SVM_EXIT_POPF			0x071
#define SVM_EXIT_CPUID			0x072
#define SVM_EXIT_RSM			0x073
#define SVM_EXIT_IRET			0x074
#define SVM_EXIT_SWINT			0x075
#define SVM_EXIT_INVD			0x076
#define SVM_EXIT_PAUSE			0x077
#define SVM_EXIT_HLT			0x078
#define SVM_EXIT_INVLPG			0x079
#define SVM_EXIT_INVLPGA		0x07a
#define SVM_EXIT_IOIO			0x07b
#define SVM_EXIT_MSR			0x07c
#define SVM_EXIT_TASK_SWITCH		0x07d
#define SVM_EXIT_FERR_FREEZE		0x07e
#define SVM_EXIT_SHUTDOWN		0x07f
#define SVM_EXIT_VMRUN			0x080
#define SVM_EXIT_VMMCALL		0x081
#define SVM_EXIT_VMLOAD			0x082
#define SVM_EXIT_VMSAVE			0x083
#define SVM_EXIT_STGI			0x084
#define SVM_EXIT_CLGI			0x085
#define SVM_EXIT_SKINIT			0x086
#define SVM_EXIT_RDTSCP			0x087
#define SVM_EXIT_ICEBP			0x088
#define SVM_EXIT_WBINVD			0x089
#define SVM_EXIT_MONITOR		0x08a
#define SVM_EXIT_MWAIT			0x08b
#define SVM_EXIT_MWAIT_CONDITIONAL	0x08c
#define SVM_EXIT_XSETBV			0x08d
#define SVM_EXIT_NPF			0x400
/* EXITINFO1 of a nested page fault (APM 15.25.6): a #PF error code for the nested walk, and
 * which walk faulted; EXITINFO2 is the faulting guest-physical address. */
#define SVM_NPF_P			(1ull << 0)	/* the nested entry was present */
#define SVM_NPF_WRITE			(1ull << 1)
#define SVM_NPF_USER			(1ull << 2)	/* nested accesses are user accesses */
#define SVM_NPF_RSVD			(1ull << 3)	/* a reserved bit in a nested entry */
#define SVM_NPF_FETCH			(1ull << 4)
#define SVM_NPF_FINAL			(1ull << 32)	/* translating the final guest-physical address */
#define SVM_NPF_WALK			(1ull << 33)	/* translating a guest page-table access */
/* VMRUN found illegal guest state (15.5.1). Compare only the low 32 bits: QEMU writes
 * 0x00000000ffffffff, Bochs and hardware the sign-extended -1. */
#define SVM_EXIT_INVALID		0xffffffffu

/* EXITINFO1 of IOIO intercepts (APM 15.10.2, figure 15-2); EXITINFO2 is the next RIP. */
#define SVM_IOIO_TYPE_IN		(1ull << 0)
#define SVM_IOIO_STR			(1ull << 2)
#define SVM_IOIO_REP			(1ull << 3)
#define SVM_IOIO_SZ8			(1ull << 4)
#define SVM_IOIO_SZ16			(1ull << 5)
#define SVM_IOIO_SZ32			(1ull << 6)
#define SVM_IOIO_A16			(1ull << 7)
#define SVM_IOIO_A32			(1ull << 8)
#define SVM_IOIO_A64			(1ull << 9)
#define SVM_IOIO_SEG_SHIFT		10		/* bits 12:10, with DecodeAssists */
#define SVM_IOIO_SEG_MASK		(7ull << SVM_IOIO_SEG_SHIFT)
#define SVM_IOIO_PORT_SHIFT		16		/* bits 31:16 */

/* EXITINFO2 of the task-switch intercept (APM 15.14 "Task Switch Intercept"). */
#define SVM_TASK_SWITCH_IRET		(1ull << 36)	/* started by IRET */
#define SVM_TASK_SWITCH_JMP		(1ull << 38)	/* started by a far JMP */

/* EXITINFO1 of MSR intercepts (APM 15.11). */
#define SVM_MSR_EXIT_WRITE		1

/* EXITINFO1 of CR intercepts with DecodeAssists (APM "Decode Assists", MOV CRx): bit 63 says
 * MOV CRn, bits 3:0 its general register. Clear bit 63: CLTS, LMSW (write) or SMSW (read). */
#define SVM_CR_EXIT_MOV			(1ull << 63)
#define SVM_CR_EXIT_GPR_MASK		0xfull

/* ------------------------------------------------------------------------------------------ */
/* Permission maps. */

/* IOPM (APM 15.10.1): one bit per port, 12 KiB so that an access at port FFFFh that spans
 * past it still finds its bits. */
#define SVM_IOPM_PAGES			3

/* MSRPM (APM 15.11, table 15-5): two bits per MSR (read, then write) in three 2 KiB ranges;
 * MSRs outside them are always intercepted. */
#define SVM_MSRPM_PAGES			2
#define SVM_MSRPM_RANGE_MSRS		0x2000
#define SVM_MSRPM_RANGE_BYTES		0x800
#define SVM_MSRPM_RANGE0_BASE		0x00000000
#define SVM_MSRPM_RANGE1_BASE		0xc0000000
#define SVM_MSRPM_RANGE2_BASE		0xc0010000

/* ------------------------------------------------------------------------------------------ */
/* Guest-state values. */

/* Segment attributes in the VMCB (APM 15.5.1; appendix B, "segment attribute"): descriptor
 * bits 47:40 become attrib 7:0, and bits 55:52 attrib 11:8. */
#define SVM_ATTR_TYPE_MASK		0xfu
#define SVM_ATTR_S			(1u << 4)
#define SVM_ATTR_DPL_SHIFT		5
#define SVM_ATTR_DPL_MASK		(3u << SVM_ATTR_DPL_SHIFT)
#define SVM_ATTR_P			(1u << 7)
#define SVM_ATTR_AVL			(1u << 8)
#define SVM_ATTR_L			(1u << 9)
#define SVM_ATTR_DB			(1u << 10)
#define SVM_ATTR_G			(1u << 11)

#define SVM_DR6_INIT			0xffff0ff0ull	/* reset values (APM Vol. 2 chapter 13) */
#define SVM_DR7_INIT			0x400ull
#define SVM_PAT_INIT			0x0007040600070406ull	/* PAT power-on value (7.8) */

/* ------------------------------------------------------------------------------------------ */
/* The VMCB: a 4 KiB, 4 KiB-aligned page (APM 15.5.1; appendix B). */

/* A segment register in the state save area (table B-2). */
struct vmcb_seg {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
} __attribute__((packed));
_Static_assert(sizeof(struct vmcb_seg) == 16, "VMCB segment is 16 bytes (APM table B-2)");

/* Control area, offsets 000h-3FFh (table B-1). */
struct vmcb_control {
	uint32_t intercept_cr;		/* 000h */
	uint32_t intercept_dr;		/* 004h */
	uint32_t intercept_exceptions;	/* 008h */
	uint32_t intercept_misc1;	/* 00Ch */
	uint32_t intercept_misc2;	/* 010h */
	uint32_t intercept_misc3;	/* 014h */
	uint8_t reserved_018[0x03c - 0x018];
	uint16_t pause_filter_threshold;	/* 03Ch */
	uint16_t pause_filter_count;	/* 03Eh */
	uint64_t iopm_base_pa;		/* 040h */
	uint64_t msrpm_base_pa;		/* 048h */
	uint64_t tsc_offset;		/* 050h */
	uint32_t guest_asid;		/* 058h */
	uint8_t tlb_control;		/* 05Ch */
	uint8_t reserved_05d[3];
	uint64_t vintr;			/* 060h: V_TPR, V_IRQ, V_INTR_MASKING, V_INTR_VECTOR */
	uint64_t int_state;		/* 068h */
	uint64_t exit_code;		/* 070h */
	uint64_t exit_info1;		/* 078h */
	uint64_t exit_info2;		/* 080h */
	uint64_t exit_int_info;		/* 088h */
	uint64_t np_control;		/* 090h: NP_ENABLE and the SEV bits */
	uint64_t avic_apic_bar;		/* 098h */
	uint64_t ghcb_pa;		/* 0A0h */
	uint64_t event_inj;		/* 0A8h */
	uint64_t n_cr3;			/* 0B0h */
	uint64_t virt_ext;		/* 0B8h: LBR virtualization, virtual VMSAVE/VMLOAD */
	uint32_t clean;			/* 0C0h */
	uint32_t reserved_0c4;
	uint64_t next_rip;		/* 0C8h: with NRIPS (15.7.1) */
	uint8_t insn_len;		/* 0D0h: bytes fetched, with DecodeAssists */
	uint8_t insn_bytes[15];		/* 0D1h */
	uint8_t reserved_0e0[0x400 - 0x0e0];
} __attribute__((packed));

/* State save area, offsets 400h-FFFh (table B-2, given relative to 400h). */
struct vmcb_save {
	struct vmcb_seg es;		/* 000h */
	struct vmcb_seg cs;		/* 010h */
	struct vmcb_seg ss;		/* 020h */
	struct vmcb_seg ds;		/* 030h */
	struct vmcb_seg fs;		/* 040h */
	struct vmcb_seg gs;		/* 050h */
	struct vmcb_seg gdtr;		/* 060h: limit and base only */
	struct vmcb_seg ldtr;		/* 070h */
	struct vmcb_seg idtr;		/* 080h: limit and base only */
	struct vmcb_seg tr;		/* 090h */
	uint8_t reserved_0a0[0x0cb - 0x0a0];
	uint8_t cpl;			/* 0CBh */
	uint32_t reserved_0cc;
	uint64_t efer;			/* 0D0h */
	uint8_t reserved_0d8[0x148 - 0x0d8];
	uint64_t cr4;			/* 148h */
	uint64_t cr3;			/* 150h */
	uint64_t cr0;			/* 158h */
	uint64_t dr7;			/* 160h */
	uint64_t dr6;			/* 168h */
	uint64_t rflags;		/* 170h */
	uint64_t rip;			/* 178h */
	uint8_t reserved_180[0x1d8 - 0x180];
	uint64_t rsp;			/* 1D8h */
	uint8_t reserved_1e0[0x1f8 - 0x1e0];
	uint64_t rax;			/* 1F8h */
	uint64_t star;			/* 200h */
	uint64_t lstar;			/* 208h */
	uint64_t cstar;			/* 210h */
	uint64_t sfmask;		/* 218h */
	uint64_t kernel_gs_base;	/* 220h */
	uint64_t sysenter_cs;		/* 228h */
	uint64_t sysenter_esp;		/* 230h */
	uint64_t sysenter_eip;		/* 238h */
	uint64_t cr2;			/* 240h */
	uint8_t reserved_248[0x268 - 0x248];
	uint64_t g_pat;			/* 268h: used only with nested paging (15.25) */
	uint64_t dbgctl;		/* 270h */
	uint64_t br_from;		/* 278h */
	uint64_t br_to;			/* 280h */
	uint64_t last_excp_from;	/* 288h */
	uint64_t last_excp_to;		/* 290h */
	uint8_t reserved_298[0xc00 - 0x298];
} __attribute__((packed));

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __attribute__((packed));

#define VMCB_CONTROL_AT(field, off)						\
	_Static_assert(offsetof(struct vmcb_control, field) == (off),		\
		       "VMCB control " #field " (APM table B-1)")
#define VMCB_SAVE_AT(field, off)						\
	_Static_assert(offsetof(struct vmcb_save, field) == (off),		\
		       "VMCB save " #field " (APM table B-2)")

VMCB_CONTROL_AT(intercept_misc2, 0x010);
VMCB_CONTROL_AT(iopm_base_pa, 0x040);
VMCB_CONTROL_AT(msrpm_base_pa, 0x048);
VMCB_CONTROL_AT(tsc_offset, 0x050);
VMCB_CONTROL_AT(guest_asid, 0x058);
VMCB_CONTROL_AT(tlb_control, 0x05c);
VMCB_CONTROL_AT(vintr, 0x060);
VMCB_CONTROL_AT(int_state, 0x068);
VMCB_CONTROL_AT(exit_code, 0x070);
VMCB_CONTROL_AT(exit_info1, 0x078);
VMCB_CONTROL_AT(exit_info2, 0x080);
VMCB_CONTROL_AT(exit_int_info, 0x088);
VMCB_CONTROL_AT(np_control, 0x090);
VMCB_CONTROL_AT(event_inj, 0x0a8);
VMCB_CONTROL_AT(n_cr3, 0x0b0);
VMCB_CONTROL_AT(clean, 0x0c0);
VMCB_CONTROL_AT(next_rip, 0x0c8);
VMCB_CONTROL_AT(insn_len, 0x0d0);
VMCB_SAVE_AT(gdtr, 0x060);
VMCB_SAVE_AT(tr, 0x090);
VMCB_SAVE_AT(cpl, 0x0cb);
VMCB_SAVE_AT(efer, 0x0d0);
VMCB_SAVE_AT(cr4, 0x148);
VMCB_SAVE_AT(cr0, 0x158);
VMCB_SAVE_AT(rflags, 0x170);
VMCB_SAVE_AT(rip, 0x178);
VMCB_SAVE_AT(rsp, 0x1d8);
VMCB_SAVE_AT(rax, 0x1f8);
VMCB_SAVE_AT(star, 0x200);
VMCB_SAVE_AT(kernel_gs_base, 0x220);
VMCB_SAVE_AT(sysenter_eip, 0x238);
VMCB_SAVE_AT(cr2, 0x240);
VMCB_SAVE_AT(g_pat, 0x268);
VMCB_SAVE_AT(last_excp_to, 0x290);
_Static_assert(sizeof(struct vmcb_control) == 0x400, "VMCB control area is 1 KiB (APM table B-1)");
_Static_assert(offsetof(struct vmcb, save) == 0x400, "state save area starts at 400h (APM B)");
_Static_assert(sizeof(struct vmcb) == 4096, "the VMCB is one 4 KiB page (APM 15.5.1)");

#endif
