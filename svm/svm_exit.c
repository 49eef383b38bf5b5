/* #VMEXIT decoding: VMCB exit code and EXITINFOs to struct vm_exit (AMD APM Vol. 2 15.6-15.14, C). */
#include "svm/svm_npf.h"
#include "svm/svm_vcpu.h"
#include "svm/vmcb.h"
#include "arch/cr.h"
#include "arch/msr.h"
#include "arch/trap.h"
#include "arch/insn_len.h"
#include "lib/string.h"

/*
 * The length of the intercepted instruction from next_rip, when the CPU saves it (NRIPS,
 * APM 15.7.1: written for instruction intercepts only); 0 tells the guest layer to decode.
 */
static uint8_t svm_nrip_len(const struct svm_vcpu *sv, uint64_t rip)
{
	uint64_t next = sv->vmcb->control.next_rip;

	if (!sv->caps.nrips || next <= rip || next - rip > X86_MAX_INSN_LEN)
		return 0;
	return next - rip;
}

/* The address size of a string I/O instruction, or 0 when EXITINFO1 has none of A16, A32 and
 * A64 set (QEMU leaves them clear): the guest layer then decodes the instruction. */
static uint8_t svm_io_address_size(uint64_t info1)
{
	if (info1 & SVM_IOIO_A64)
		return 8;
	if (info1 & SVM_IOIO_A32)
		return 4;
	if (info1 & SVM_IOIO_A16)
		return 2;
	return 0;
}

/* IN, OUT, INS, OUTS (APM 15.10.2): EXITINFO1 describes the access, EXITINFO2 is the address
 * of the next instruction, on every SVM processor. The segment field of string forms is
 * only filled in by processors with DecodeAssists. address_size 0 asks the guest layer to
 * decode the instruction for its addressing. */
static void svm_exit_io(const struct svm_vcpu *sv, uint64_t info1, uint64_t info2,
			struct vm_exit *exit)
{
	exit->kind = EXIT_IO;
	exit->io.port = info1 >> SVM_IOIO_PORT_SHIFT;
	exit->io.in = info1 & SVM_IOIO_TYPE_IN;
	exit->io.string = info1 & SVM_IOIO_STR;
	exit->io.rep = info1 & SVM_IOIO_REP;
	exit->io.size = (info1 & SVM_IOIO_SZ8) ? 1 : (info1 & SVM_IOIO_SZ16) ? 2 : 4;
	exit->io.address_size = svm_io_address_size(info1);
	exit->io.segment = -1;
	if (exit->io.string && sv->caps.decode_assists)
		exit->io.segment = (info1 & SVM_IOIO_SEG_MASK) >> SVM_IOIO_SEG_SHIFT;
	/* OUTS may override its DS source; without the segment, let the guest layer decode. */
	if (exit->io.string && !exit->io.in && exit->io.segment < 0)
		exit->io.address_size = 0;
	if (info2 > exit->rip && info2 - exit->rip <= X86_MAX_INSN_LEN)
		exit->insn_len = info2 - exit->rip;
}

/*
 * MOV to/from CR0-15 (exit codes 00h-1Fh), and CLTS, LMSW (CR0 writes) and SMSW (CR0 read).
 * With DecodeAssists, EXITINFO1 bit 63 marks a MOV CRn and bits 3:0 give its register
 * (APM "Decode Assists"); otherwise gpr = -1 and the guest layer decodes the instruction.
 */
static void svm_exit_cr(const struct svm_vcpu *sv, uint64_t code, uint64_t info1,
			struct vm_exit *exit)
{
	exit->kind = EXIT_CR_ACCESS;
	exit->cr.cr = code & 0xf;
	exit->cr.type = code >= SVM_EXIT_CR_WRITE(0) ? CR_MOV_TO : CR_MOV_FROM;
	exit->cr.gpr = -1;
	if (sv->caps.decode_assists && (info1 & SVM_CR_EXIT_MOV))
		exit->cr.gpr = info1 & SVM_CR_EXIT_GPR_MASK;
	exit->insn_len = svm_nrip_len(sv, exit->rip);
}

/* Intercepted exceptions (APM 15.12): EXITINFO1 is the error code of the vectors that push
 * one, EXITINFO2 the faulting address of a #PF (the guest's CR2 is left untouched). A #DB has
 * already updated the guest's DR6 and DR7 in the VMCB, as its delivery would have, and INT1
 * does not raise the #DB intercept at all (it has an intercept of its own, left clear): there
 * is nothing more to decode. */
static void svm_exit_exception(uint64_t code, uint64_t info1, uint64_t info2,
			       struct vm_exit *exit)
{
	uint8_t vector = code - SVM_EXIT_EXCP(0);

	exit->kind = exit_kind_of_exception(vector);
	exit->exception.vector = vector;
	exit->exception.has_error_code = (EXC_HAS_ERROR_CODE_MASK >> vector) & 1;
	exit->exception.error_code = exit->exception.has_error_code ? (uint32_t)info1 : 0;
	if (vector == EXC_PF)
		exit->exception.cr2 = info2;
}

/* Exits that are one instruction: their kind, or EXIT_UNKNOWN. */
static enum exit_kind svm_insn_exit_kind(uint64_t code)
{
	switch (code) {
	case SVM_EXIT_CPUID:
		return EXIT_CPUID;
	case SVM_EXIT_HLT:
		return EXIT_HLT;
	case SVM_EXIT_INVD:
		return EXIT_INVD;
	case SVM_EXIT_XSETBV:
		return EXIT_XSETBV;
	case SVM_EXIT_INVLPG:
		return EXIT_INVLPG;
	case SVM_EXIT_VMMCALL:
		return EXIT_HYPERCALL;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		return EXIT_VIRT_INSN;
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_CONDITIONAL:
		return EXIT_MONITOR_MWAIT;
	case SVM_EXIT_RDPMC:
		return EXIT_RDPMC;
	}
	return EXIT_UNKNOWN;
}

/*
 * A task switch (APM 15.14 "Task Switch Intercept"): EXITINFO1 is the new TSS selector,
 * EXITINFO2 says whether IRET or a far JMP started it. Otherwise it was a CALL, or, when an
 * event was being delivered (EXITINTINFO valid), a task gate in the IDT.
 */
static void svm_exit_task_switch(const struct vmcb_control *c, struct vm_exit *exit)
{
	exit->kind = EXIT_TASK_SWITCH;
	exit->task_switch.selector = (uint16_t)c->exit_info1;
	if (c->exit_info2 & SVM_TASK_SWITCH_IRET)
		exit->task_switch.source = TASK_SWITCH_IRET;
	else if (c->exit_info2 & SVM_TASK_SWITCH_JMP)
		exit->task_switch.source = TASK_SWITCH_JMP;
	else if (c->exit_int_info & SVM_EVENT_VALID)
		exit->task_switch.source = TASK_SWITCH_GATE;
	else
		exit->task_switch.source = TASK_SWITCH_CALL;
}

/*
 * Every guest MOV to CR3 exits, so the VMCB's CR3 can only differ from the shadow root Umbra
 * loaded if the processor switched tasks without the intercept Umbra asked for (QEMU 7.2 TCG
 * has none) and took the new task's CR3 from its TSS. The guest then runs on its own tables
 * behind the shadow MMU: whatever the exit was, it is reported as that task switch.
 */
static bool svm_unseen_task_switch(const struct svm_vcpu *sv, struct vm_exit *exit)
{
	const struct vmcb *vmcb = sv->vmcb;

	/* With nested paging the guest loads CR3 itself: the check has nothing to go on. */
	if (sv->tdp || (uint32_t)vmcb->control.exit_code == SVM_EXIT_INVALID ||
	    vmcb->save.cr3 == sv->shadow_cr3)
		return false;
	exit->kind = EXIT_TASK_SWITCH;
	exit->task_switch.selector = vmcb->save.tr.selector;
	exit->task_switch.source = TASK_SWITCH_UNSEEN;
	return true;
}

void svm_exit_translate(const struct vcpu *v, const struct svm_vcpu *sv, struct vm_exit *exit)
{
	const struct vmcb_control *c = &sv->vmcb->control;
	uint64_t code = c->exit_code, info1 = c->exit_info1, info2 = c->exit_info2;

	memset(exit, 0, sizeof(*exit));
	exit->rip = sv->vmcb->save.rip;
	exit->raw_reason = code;
	exit->raw_info1 = info1;
	exit->raw_info2 = info2;
	exit->kind = EXIT_UNKNOWN;

	/* APM 15.7.2: EXITINTINFO is valid when the intercept interrupted an event's delivery. */
	exit->during_delivery = (uint32_t)code != SVM_EXIT_INVALID &&
				(c->exit_int_info & SVM_EVENT_VALID);
	if (svm_unseen_task_switch(sv, exit))
		return;
	if ((uint32_t)code == SVM_EXIT_INVALID) {
		/* VMRUN refused the guest state (APM 15.5.1); nothing ran. */
		exit->kind = EXIT_ENTRY_FAILED;
		exit->entry.error = (uint32_t)code;
	} else if (code <= SVM_EXIT_CR_WRITE(15)) {
		svm_exit_cr(sv, code, info1, exit);
	} else if (code >= SVM_EXIT_EXCP(0) && code <= SVM_EXIT_EXCP(31)) {
		svm_exit_exception(code, info1, info2, exit);
	} else if (code == SVM_EXIT_IOIO) {
		svm_exit_io(sv, info1, info2, exit);
	} else if (code == SVM_EXIT_MSR) {
		/* APM 15.11: EXITINFO1 is 0 for RDMSR, 1 for WRMSR; the MSR number is in ECX. */
		exit->kind = (info1 & SVM_MSR_EXIT_WRITE) ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		exit->msr.index = (uint32_t)v->gpr[GPR_RCX];
		exit->insn_len = svm_nrip_len(sv, exit->rip);
	} else if (code == SVM_EXIT_INTR) {
		exit->kind = EXIT_EXTERNAL_INTERRUPT;	/* still pending: irq_take_pending() */
	} else if (code == SVM_EXIT_VINTR) {
		exit->kind = EXIT_INTERRUPT_WINDOW;	/* the V_IRQ Umbra posted is deliverable */
	} else if (code == SVM_EXIT_NMI) {
		exit->kind = EXIT_NMI;
	} else if (code == SVM_EXIT_SHUTDOWN) {
		exit->kind = EXIT_TRIPLE_FAULT;		/* APM 15.14: the guest shut down */
	} else if (code == SVM_EXIT_TASK_SWITCH) {
		svm_exit_task_switch(c, exit);
	} else if (code == SVM_EXIT_NPF) {
		svm_decode_npf(info1, info2, exit);
	} else {
		exit->kind = svm_insn_exit_kind(code);
		if (exit->kind != EXIT_UNKNOWN)
			exit->insn_len = svm_nrip_len(sv, exit->rip);
		/* With DecodeAssists, EXITINFO1 of INVLPG is its linear address. */
		if (exit->kind == EXIT_INVLPG && sv->caps.decode_assists) {
			exit->invlpg.linear = info1;
			exit->invlpg.known = true;
		}
	}
}

/* Names of the exit codes reports print (APM appendix C, table C-1). */
static const char *const svm_exit_names[] = {
	[SVM_EXIT_INTR] = "INTR",
	[SVM_EXIT_NMI] = "NMI",
	[SVM_EXIT_SMI] = "SMI",
	[SVM_EXIT_INIT] = "INIT",
	[SVM_EXIT_VINTR] = "VINTR",
	[SVM_EXIT_CR0_SEL_WRITE] = "CR0_SEL_WRITE",
	[SVM_EXIT_IDTR_READ] = "IDTR_READ",
	[SVM_EXIT_GDTR_READ] = "GDTR_READ",
	[SVM_EXIT_LDTR_READ] = "LDTR_READ",
	[SVM_EXIT_TR_READ] = "TR_READ",
	[SVM_EXIT_IDTR_WRITE] = "IDTR_WRITE",
	[SVM_EXIT_GDTR_WRITE] = "GDTR_WRITE",
	[SVM_EXIT_LDTR_WRITE] = "LDTR_WRITE",
	[SVM_EXIT_TR_WRITE] = "TR_WRITE",
	[SVM_EXIT_RDTSC] = "RDTSC",
	[SVM_EXIT_RDPMC] = "RDPMC",
	[SVM_EXIT_PUSHF] = "PUSHF",
	[SVM_EXIT_POPF] = "POPF",
	[SVM_EXIT_CPUID] = "CPUID",
	[SVM_EXIT_RSM] = "RSM",
	[SVM_EXIT_IRET] = "IRET",
	[SVM_EXIT_SWINT] = "SWINT",
	[SVM_EXIT_INVD] = "INVD",
	[SVM_EXIT_PAUSE] = "PAUSE",
	[SVM_EXIT_HLT] = "HLT",
	[SVM_EXIT_INVLPG] = "INVLPG",
	[SVM_EXIT_INVLPGA] = "INVLPGA",
	[SVM_EXIT_IOIO] = "IOIO",
	[SVM_EXIT_MSR] = "MSR",
	[SVM_EXIT_TASK_SWITCH] = "TASK_SWITCH",
	[SVM_EXIT_FERR_FREEZE] = "FERR_FREEZE",
	[SVM_EXIT_SHUTDOWN] = "SHUTDOWN",
	[SVM_EXIT_VMRUN] = "VMRUN",
	[SVM_EXIT_VMMCALL] = "VMMCALL",
	[SVM_EXIT_VMLOAD] = "VMLOAD",
	[SVM_EXIT_VMSAVE] = "VMSAVE",
	[SVM_EXIT_STGI] = "STGI",
	[SVM_EXIT_CLGI] = "CLGI",
	[SVM_EXIT_SKINIT] = "SKINIT",
	[SVM_EXIT_RDTSCP] = "RDTSCP",
	[SVM_EXIT_ICEBP] = "ICEBP",
	[SVM_EXIT_WBINVD] = "WBINVD",
	[SVM_EXIT_MONITOR] = "MONITOR",
	[SVM_EXIT_MWAIT] = "MWAIT",
	[SVM_EXIT_MWAIT_CONDITIONAL] = "MWAIT_CONDITIONAL",
	[SVM_EXIT_XSETBV] = "XSETBV",
};

const char *svm_exit_name(uint64_t code)
{
	if ((uint32_t)code == SVM_EXIT_INVALID)
		return "INVALID";
	if (code <= SVM_EXIT_CR_READ(15))
		return "CR_READ";
	if (code <= SVM_EXIT_CR_WRITE(15))
		return "CR_WRITE";
	if (code <= SVM_EXIT_DR_READ(15))
		return "DR_READ";
	if (code <= SVM_EXIT_DR_WRITE(15))
		return "DR_WRITE";
	if (code <= SVM_EXIT_EXCP(31))
		return "EXCP";
	if (code == SVM_EXIT_NPF)
		return "NPF";
	if (code < sizeof(svm_exit_names) / sizeof(svm_exit_names[0]) && svm_exit_names[code])
		return svm_exit_names[code];
	return "?";
}

/*
 * The checks VMRUN makes on the state Umbra controls (APM 15.5.1 "Basic Operation", the list
 * of illegal guest state), in the APM's order. CR3/CR4 reserved bits depend on the CPU and
 * are left to the processor's verdict.
 */
const char *svm_entry_violation(const struct svm_entry_state *e)
{
	bool lme_pg = (e->efer & EFER_LME) && (e->cr0 & CR0_PG);

	if (!(e->efer & EFER_SVME))
		return "EFER.SVME is clear";
	if (!(e->cr0 & CR0_CD) && (e->cr0 & CR0_NW))
		return "CR0.CD = 0 with CR0.NW = 1";
	if (e->cr0 >> 32)
		return "CR0[63:32] is not zero";
	if (e->dr6 >> 32)
		return "DR6[63:32] is not zero";
	if (e->dr7 >> 32)
		return "DR7[63:32] is not zero";
	if (lme_pg && !(e->cr4 & CR4_PAE))
		return "EFER.LME and CR0.PG set with CR4.PAE clear";
	if (lme_pg && !(e->cr0 & CR0_PE))
		return "EFER.LME and CR0.PG set with CR0.PE clear";
	if (lme_pg && (e->cr4 & CR4_PAE) && (e->cs_attrib & SVM_ATTR_L) &&
	    (e->cs_attrib & SVM_ATTR_DB))
		return "long mode with both CS.L and CS.D set";
	if (!(e->intercept_misc2 & SVM_INTERCEPT_VMRUN))
		return "the VMRUN intercept is clear";
	if (e->asid == 0)
		return "ASID 0 is the host's";
	if ((e->event_inj & SVM_EVENT_VALID) &&
	    ((e->event_inj & SVM_EVENT_TYPE_MASK) >> SVM_EVENT_TYPE_SHIFT) ==
	    SVM_EVENT_TYPE_EXCEPTION && (e->event_inj & SVM_EVENT_VECTOR_MASK) == EXC_NMI)
		return "EVENTINJ: an exception with vector 2";
	return NULL;
}
