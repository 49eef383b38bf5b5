/*
 * The vendor-neutral virtual CPU and the vendor boundary.
 *
 * vmx/ and svm/ each implement struct vcpu_ops and translate their exits into struct vm_exit;
 * everything in guest/ and mm/ works on struct vcpu alone and never knows which vendor runs.
 *
 * State ownership: between two calls of ops->run(), the general registers (gpr[], including
 * RSP), RIP, RFLAGS and CR2 in struct vcpu are the guest's truth; the backend copies them in
 * before entry and out after the exit. The control registers here (cr0, cr3, cr4, efer, xcr0)
 * are the values the *guest* believes it has; the backend derives the real ones (paging forced
 * on, CR3 = the shadow root) in ops->update_paging().
 */
#ifndef UMBRA_GUEST_VCPU_H
#define UMBRA_GUEST_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/gpr.h"
#include "guest/vm_exit.h"
#include "mm/tdp.h"

struct cpu_info;
struct pmm;
struct guest;


enum seg_reg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_COUNT };

/* A segment register in neutral form (descriptor fields as in SDM Vol. 3A 3.4.5). */
struct segment {
	uint16_t selector;
	uint64_t base;
	uint32_t limit;		/* in bytes, already scaled by G */
	uint8_t type;		/* 4-bit type field */
	bool s, present, avl, l, db, g, unusable;
	uint8_t dpl;
};

struct desc_table {
	uint64_t base;
	uint16_t limit;
};

/* An event to deliver at the next VM entry (SDM Vol. 3C 26.6; APM Vol. 2 15.20). */
enum event_type {
	EVENT_EXT_INTERRUPT,
	EVENT_NMI,
	EVENT_HW_EXCEPTION,
	EVENT_SW_INTERRUPT,
};

struct event {
	bool pending;
	enum event_type type;
	uint8_t vector;
	bool has_error_code;
	uint32_t error_code;
};

struct vcpu;

/* What each virtualization backend provides. */
struct vcpu_ops {
	const char *name;
	/* Turns virtualization on for this CPU (VMXON, or EFER.SVME and the host save area). */
	bool (*hw_enable)(const struct cpu_info *ci, struct pmm *pmm);
	/* Allocates the per-vCPU hardware structures (VMCS, VMCB, bitmaps). */
	bool (*vcpu_create)(struct vcpu *v, struct pmm *pmm);
	/* Writes every architectural register from struct vcpu into the hardware state (reset). */
	void (*load_state)(struct vcpu *v);
	/* Enters the guest and returns at its next exit, decoded into *exit. */
	void (*run)(struct vcpu *v, struct vm_exit *exit);
	/* Makes the real CR0/CR3/CR4/EFER follow the guest's view and the shadow root (with TDP,
	 * shadow_root is unused: the guest's own CR3 is loaded). */
	void (*update_paging)(struct vcpu *v, uint64_t shadow_root);
	/* Drops every guest translation cached in the TLB (VPID or ASID). */
	void (*flush_tlb)(struct vcpu *v);
	/* Whether this CPU can run the guest on TDP tables (EPT, NPT), and in which format; false
	 * with a one-line reason in why when it cannot. Called after hw_enable. */
	bool (*tdp_probe)(struct tdp_caps *caps, char *why, unsigned whylen);
	/* Drops every cached guest-physical translation of v's TDP tables (INVEPT, ASID flush). */
	void (*tdp_flush)(struct vcpu *v);
	void (*get_segment)(struct vcpu *v, enum seg_reg seg, struct segment *out);
	void (*get_desc_tables)(struct vcpu *v, struct desc_table *gdt, struct desc_table *idt);
	/* Interruptibility: true when the guest cannot take an interrupt right now (STI/MOV SS shadow). */
	bool (*interrupt_shadow)(struct vcpu *v);
	/* Asks for an exit as soon as the guest can take an interrupt (on), or stops asking. */
	void (*set_interrupt_window)(struct vcpu *v, bool on);
	/* Prints vendor-specific detail for a stop report (exit reason names, raw fields). */
	void (*dump)(struct vcpu *v);
};

struct vcpu_stats {
	uint64_t exits;
	uint64_t by_reason[EXIT_KIND_COUNT];
};

struct vcpu {
	uint64_t gpr[GPR_COUNT];
	uint64_t rip;
	uint64_t rflags;
	uint64_t cr2;

	/* The guest's view of its control state. */
	uint64_t cr0, cr3, cr4, efer, xcr0, cr8;
	uint64_t pdptes[4];		/* PAE PDPTE registers, loaded as SDM Vol. 3A 4.4.1 says */
	uint64_t tsc_offset;		/* guest TSC = host TSC + tsc_offset (SDM Vol. 3C 26.6.5) */
	/* The host TSC value by which Umbra wants control back for a virtual device's timer, 0 for
	 * none; a backend with a timer of its own (own_timer) shortens its slice to it. */
	uint64_t deadline_tsc;

	/* Segment and descriptor-table state that ops->load_state() writes at reset; afterwards
	 * the hardware holds the truth and ops->get_segment() reads it. */
	struct segment seg[SEG_COUNT];
	struct desc_table gdtr, idtr;

	struct event pending_event;
	/* A single-step trap is due after the instruction (or REP iteration) Umbra completed
	 * with RFLAGS.TF set (guest/single_step.h): the backend raises it at the next entry, as
	 * the processor would have raised it after the instruction, and clears this. */
	bool single_step_trap;
	struct vcpu_stats stats;
	const struct vcpu_ops *ops;
	void *arch;			/* the backend's own state (struct vmx_vcpu, struct svm_vcpu) */
	struct guest *guest;
	uint16_t tag;			/* VPID or ASID of this vCPU, 0 when the backend has none */
	bool own_timer;			/* the backend regains control by itself (VMX preemption
					 * timer); otherwise Umbra's PIT tick does it */
	bool rdtscp_faults;		/* RDTSCP and RDPID raise #UD in the guest (VMX without
					 * "enable RDTSCP"): CPUID hides them */
	/* TDP mode: the host-physical root of the guest's TDP tables, 0 with shadow paging. Set
	 * before ops->vcpu_create; the guest then owns its CR3 (and, on VMX, the PDPTE
	 * registers), which the backend copies back into cr3 (and pdptes) after every exit. */
	uint64_t tdp_root;
	/* Set by a backend whose processor may have loaded a new CR3 in PAE mode without
	 * giving Umbra the PDPTEs it loaded (SVM): guest/ reads them from the new CR3. */
	bool pdptes_stale;
	/* Shadow paging with mm/spte.h's marker: a #PF with P = 0 is one the guest's own walk
	 * gives. Set by guest/ before ops->vcpu_create; a backend that can let such faults reach
	 * the guest without an exit does so and leaves it set, one that cannot clears it. */
	bool np_faults_direct;
};

/* Queues a hardware exception for the next entry; a second one becomes #DF as hardware would. */
void vcpu_queue_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error_code);

/* Queues #PF with error code pfec for linear address cr2 (CR2 is written at delivery). */
void vcpu_queue_page_fault(struct vcpu *v, uint32_t pfec, uint64_t cr2);

/* Advances RIP past the instruction that caused exit (exit->insn_len must be known). */
static inline void vcpu_skip_instruction(struct vcpu *v, const struct vm_exit *exit)
{
	v->rip += exit->insn_len;
}

#endif
