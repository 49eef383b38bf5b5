/* VMX exit decoding: basic exit reason and qualification into struct vm_exit (SDM Vol. 3C 28.2). */
#include "vmx/vmx_exit.h"
#include "vmx/vmx_ept.h"
#include "vmx/vmx_ops.h"
#include "arch/debugreg.h"
#include "arch/cpu.h"
#include "arch/trap.h"
#include "lib/string.h"

/* Exit reasons that need no more than their kind. */
static const uint8_t simple_kinds[] = {
	[VMX_EXIT_TRIPLE_FAULT] = EXIT_TRIPLE_FAULT,
	[VMX_EXIT_CPUID] = EXIT_CPUID,
	[VMX_EXIT_HLT] = EXIT_HLT,
	[VMX_EXIT_INVD] = EXIT_INVD,
	[VMX_EXIT_VMCALL] = EXIT_HYPERCALL,
	[VMX_EXIT_GETSEC] = EXIT_VIRT_INSN,
	[VMX_EXIT_VMCLEAR] = EXIT_VIRT_INSN,
	[VMX_EXIT_VMLAUNCH] = EXIT_VIRT_INSN,
	[VMX_EXIT_VMPTRLD] = EXIT_VIRT_INSN,
	[VMX_EXIT_VMPTRST] = EXIT_VIRT_INSN,
	[VMX_EXIT_VMREAD] = EXIT_VIRT_INSN,
	[VMX_EXIT_VMRESUME] = EXIT_VIRT_INSN,
	[VMX_EXIT_VMWRITE] = EXIT_VIRT_INSN,
	[VMX_EXIT_VMXOFF] = EXIT_VIRT_INSN,
	[VMX_EXIT_VMXON] = EXIT_VIRT_INSN,
	[VMX_EXIT_MWAIT] = EXIT_MONITOR_MWAIT,	/* MONITOR/MWAIT are hidden: #UD */
	[VMX_EXIT_MONITOR] = EXIT_MONITOR_MWAIT,
	[VMX_EXIT_RDPMC] = EXIT_RDPMC,
	[VMX_EXIT_INVEPT] = EXIT_VIRT_INSN,
	[VMX_EXIT_INVVPID] = EXIT_VIRT_INSN,
	[VMX_EXIT_VMFUNC] = EXIT_VIRT_INSN,
	[VMX_EXIT_XSETBV] = EXIT_XSETBV,
	[VMX_EXIT_PREEMPTION_TIMER] = EXIT_PREEMPT,
	[VMX_EXIT_INTERRUPT_WINDOW] = EXIT_INTERRUPT_WINDOW,
};

/*
 * What delivering a #DB would have done to DR6 and DR7, done by Umbra because the exit took the
 * delivery's place and did neither (SDM Vol. 3C 28.1), and injecting the #DB will not either
 * (27.6.1). The qualification holds the DR6 bits of the exception (28.2.1, table 28-1). DR6
 * B0-B3 describe this exception only, the other bits stay until software clears them (SDM
 * Vol. 3A 18.2.3); every #DB clears DR7.GD (18.2.4), or the handler's own MOV DR would fault.
 * The guest's DR6 is the processor's: VM entries and exits do not switch it, Umbra never
 * uses it, and MOV DR does not exit.
 */
static void vmx_deliver_debug_state(uint64_t qual, bool int1)
{
	if (!int1) {
		uint64_t dr6 = read_dr6();

		dr6 = (dr6 & ~DR6_B0_B3) | (qual & (DBQ_B0_B3 | DBQ_BD | DBQ_BS));
		if (qual & DBQ_RTM)
			dr6 &= ~DR6_RTM;
		write_dr6(dr6);
	}
	vmcs_writenat(VMCS_GUEST_DR7, vmcs_readnat(VMCS_GUEST_DR7) & ~(uint64_t)DR7_GD);
}

/* Exception or NMI (basic reason 0): the interruption-information field says which. */
static void vmx_decode_exception(struct vm_exit *exit)
{
	uint32_t info = vmcs_read32(VMCS_EXIT_INTR_INFO);
	uint8_t vector = info & 0xff;

	if ((info & INTR_TYPE_MASK) == INTR_TYPE_NMI) {
		exit->kind = EXIT_NMI;
		return;
	}
	exit->kind = exit_kind_of_exception(vector);
	exit->exception.vector = vector;
	exit->exception.has_error_code = info & INTR_INFO_ERROR_CODE;
	exit->exception.error_code = exit->exception.has_error_code ?
					     vmcs_read32(VMCS_EXIT_INTR_ERROR) : 0;
	/* For #PF the qualification is the linear address; CR2 is not written (SDM 28.1). */
	if (vector == EXC_PF)
		exit->exception.cr2 = exit->raw_info1;
	/* INT1 is a privileged software exception; the exit instruction length is valid for it
	 * (SDM 28.2.5), and the guest layer steps over it. */
	if (vector == EXC_DB) {
		exit->exception.int1 = (info & INTR_TYPE_MASK) == INTR_TYPE_PRIV_SW_EXCEPTION;
		vmx_deliver_debug_state(exit->raw_info1, exit->exception.int1);
	}
}

/* A task switch (28.2.1, table 28-2): the new TSS selector and what started the switch. */
static void vmx_decode_task_switch(struct vm_exit *exit)
{
	static const uint8_t sources[] = {
		TASK_SWITCH_CALL, TASK_SWITCH_IRET, TASK_SWITCH_JMP, TASK_SWITCH_GATE,
	};
	uint64_t q = exit->raw_info1;

	exit->kind = EXIT_TASK_SWITCH;
	exit->task_switch.selector = q & TSQ_SELECTOR_MASK;
	exit->task_switch.source = sources[(q >> TSQ_SOURCE_SHIFT) & 3];
}

/* I/O instructions (table 28-5); INS/OUTS details come from the instruction-information field
 * when IA32_VMX_BASIC[54] says it describes them (SDM 28.2.5, table 28-8). */
static void vmx_decode_io(struct vm_exit *exit, bool ins_outs_info)
{
	uint64_t q = exit->raw_info1;

	exit->kind = EXIT_IO;
	exit->io.size = (q & IOQ_SIZE_MASK) + 1;
	exit->io.in = q & IOQ_IN;
	exit->io.string = q & IOQ_STRING;
	exit->io.rep = q & IOQ_REP;
	exit->io.port = (uint16_t)(q >> IOQ_PORT_SHIFT);
	exit->io.address_size = 0;
	exit->io.segment = -1;
	if (exit->io.string && ins_outs_info) {
		uint32_t info = vmcs_read32(VMCS_EXIT_INSN_INFO);

		exit->io.address_size = 2u << ((info >> 7) & 7);
		exit->io.segment = (info >> 15) & 7;
	}
}

/* Control-register accesses (table 28-3). */
static void vmx_decode_cr(struct vm_exit *exit)
{
	static const uint8_t types[] = { CR_MOV_TO, CR_MOV_FROM, CR_CLTS, CR_LMSW };
	uint64_t q = exit->raw_info1;

	exit->kind = EXIT_CR_ACCESS;
	exit->cr.cr = q & CRQ_CR_MASK;
	exit->cr.type = types[(q >> CRQ_TYPE_SHIFT) & 3];
	exit->cr.gpr = (q >> CRQ_GPR_SHIFT) & 0xf;
	exit->cr.lmsw_value = (uint16_t)(q >> CRQ_LMSW_DATA_SHIFT);
	exit->cr.lmsw_known = exit->cr.type == CR_LMSW;
}

/* An event being delivered when the exit happened must be delivered again (SDM 28.2.4). */
static void vmx_requeue_vectoring(struct vcpu *v, struct vm_exit *exit)
{
	uint32_t info = vmcs_read32(VMCS_IDT_VECTORING_INFO);
	struct event *e = &v->pending_event;

	if (!(info & INTR_INFO_VALID))
		return;
	exit->during_delivery = true;
	e->pending = true;
	e->vector = info & 0xff;
	switch (info & INTR_TYPE_MASK) {
	case INTR_TYPE_EXT_INTR:
		e->type = EVENT_EXT_INTERRUPT;
		break;
	case INTR_TYPE_NMI:
		e->type = EVENT_NMI;
		break;
	case INTR_TYPE_HW_EXCEPTION:
		e->type = EVENT_HW_EXCEPTION;
		break;
	default:
		/* Software interrupts and exceptions are re-executed with the instruction. */
		e->pending = false;
		return;
	}
	e->has_error_code = info & INTR_INFO_ERROR_CODE;
	e->error_code = e->has_error_code ? vmcs_read32(VMCS_IDT_VECTORING_ERROR) : 0;
}

void vmx_decode_exit(struct vcpu *v, struct vm_exit *exit, bool ins_outs_info)
{
	uint32_t reason = vmcs_read32(VMCS_EXIT_REASON);
	uint16_t basic = reason & 0xffff;

	memset(exit, 0, sizeof(*exit));
	exit->rip = v->rip;
	exit->raw_reason = reason;
	exit->raw_info1 = vmcs_readnat(VMCS_EXIT_QUALIFICATION);
	exit->insn_len = (uint8_t)vmcs_read32(VMCS_EXIT_INSN_LEN);
	if (reason & VMX_EXIT_REASON_ENTRY_FAILURE) {
		exit->kind = EXIT_ENTRY_FAILED;
		exit->entry.error = basic;
		return;
	}
	vmx_requeue_vectoring(v, exit);
	switch (basic) {
	case VMX_EXIT_EXCEPTION_NMI:
		vmx_decode_exception(exit);
		return;
	case VMX_EXIT_EXTERNAL_INTERRUPT:
		/* With "acknowledge interrupt on exit" the vector is in the exit's interruption
		 * information and the interrupt controller has been acknowledged (SDM 28.2.2). */
		exit->kind = EXIT_EXTERNAL_INTERRUPT;
		exit->interrupt.vector = vmcs_read32(VMCS_EXIT_INTR_INFO) & 0xff;
		exit->interrupt.acknowledged = true;
		return;
	case VMX_EXIT_IO:
		vmx_decode_io(exit, ins_outs_info);
		return;
	case VMX_EXIT_CR_ACCESS:
		vmx_decode_cr(exit);
		return;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		exit->kind = basic == VMX_EXIT_RDMSR ? EXIT_MSR_READ : EXIT_MSR_WRITE;
		exit->msr.index = (uint32_t)v->gpr[GPR_RCX];
		return;
	case VMX_EXIT_TASK_SWITCH:
		vmx_decode_task_switch(exit);
		return;
	case VMX_EXIT_INVLPG:
		exit->kind = EXIT_INVLPG;
		exit->invlpg.linear = exit->raw_info1;
		exit->invlpg.known = true;
		return;
	case VMX_EXIT_EPT_VIOLATION:
		/* SDM 28.2.1 table 28-7; the guest-physical address field (28.2.4) and, when
		 * qualification bit 7 says so, the guest-linear address. */
		exit->raw_info2 = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS);
		vmx_decode_ept_violation(exit->raw_info1, exit->raw_info2,
					 vmcs_readnat(VMCS_GUEST_LINEAR_ADDRESS), exit);
		return;
	case VMX_EXIT_EPT_MISCONFIG:
		/* An EPT entry Umbra wrote is malformed (29.3.3.1); the qualification is undefined,
		 * the guest-physical address field holds the address. */
		exit->kind = EXIT_TDP_MISCONFIG;
		exit->raw_info2 = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS);
		exit->tdp.gpa = exit->raw_info2;
		return;
	}
	if (basic < sizeof(simple_kinds) && simple_kinds[basic])
		exit->kind = simple_kinds[basic];
	else
		exit->kind = EXIT_UNKNOWN;
}
