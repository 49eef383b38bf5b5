/* The SVM backend's private state and the contracts between svm.c, svm_exit.c and svm_entry.S. */
#ifndef UMBRA_SVM_SVM_VCPU_H
#define UMBRA_SVM_SVM_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/vcpu.h"
#include "svm/vmcb.h"

/* What CPUID 8000000Ah says this processor offers (APM Vol. 3 E.4.9). */
struct svm_caps {
	uint32_t nasid;		/* number of ASIDs, the host's ASID 0 included */
	bool nrips;		/* VMCB next_rip is saved on instruction intercepts */
	bool flush_by_asid;	/* TLB_CONTROL may flush only the guest's ASID */
	bool decode_assists;	/* EXITINFO1 describes CR, INVLPG and I/O operands */
	bool vmcb_clean;	/* the processor may cache VMCB fields marked clean */
	bool nx;		/* EFER.NXE exists (CPUID 80000001h:EDX[20]) */
	bool np;		/* nested paging (CPUID 8000000Ah:EDX[0]) */
};

/* What the last VMRUN was given, for reports: after a failed VMRUN the VMCB may no longer
 * hold it (QEMU writes the host's state there). */
struct svm_entry_state {
	uint64_t cr0, cr3, cr4, efer, dr6, dr7, rflags, event_inj;
	uint32_t asid, intercept_misc2;
	uint16_t cs_attrib;
};

/* One vCPU's SVM structures; v->arch points here. */
struct svm_vcpu {
	struct vmcb *vmcb;	/* identity mapped: virtual == physical */
	uint64_t vmcb_pa;
	uint64_t iopm_pa;	/* SVM_IOPM_PAGES contiguous pages */
	uint64_t msrpm_pa;	/* SVM_MSRPM_PAGES contiguous pages */
	struct svm_caps caps;
	struct svm_entry_state entry;
	uint64_t shadow_cr3;	/* the CR3 Umbra gave the guest: only a task switch changes it */
	bool tdp;		/* nested paging runs the guest's paging; it owns its CR3 */
};

/*
 * svm_entry.S: runs the guest once. Under GIF = 0 it saves Umbra's VMSAVE state to
 * host_vmcb_pa, loads the guest's with VMLOAD, loads the GPRs other than RAX/RSP from gpr[],
 * executes VMRUN, and on #VMEXIT stores them back, VMSAVEs the guest and VMLOADs the host.
 */
void svm_enter(uint64_t *gpr, uint64_t vmcb_pa, uint64_t host_vmcb_pa);

/* svm_exit.c: describes the #VMEXIT recorded in sv's VMCB as a neutral exit record. A CR3 that
 * differs from sv->shadow_cr3 reports the task switch that loaded it. */
void svm_exit_translate(const struct vcpu *v, const struct svm_vcpu *sv, struct vm_exit *exit);
/* svm_exit.c: the APM's name of an exit code, for reports ("?" when unknown). */
const char *svm_exit_name(uint64_t code);
/* svm_exit.c: the first VMRUN consistency check (APM 15.5.1) that e fails, or NULL. */
const char *svm_entry_violation(const struct svm_entry_state *e);

#endif
