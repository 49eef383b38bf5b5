/* The VMRUN stub: switches between Umbra and the guest around one VMRUN (AMD APM Vol. 2 15.5). */
#include "arch/gpr.h"

	.text
	.code64

/*
 * void svm_enter(uint64_t *gpr, uint64_t vmcb_pa, uint64_t host_vmcb_pa)
 *
 * VMRUN saves and restores only RAX, RSP, RIP, RFLAGS and the control/segment state of the
 * host (APM 15.5.1); every other general register is ours to save. The guest's RAX and RSP
 * are in the VMCB. Stack while the guest runs, from the top: host_vmcb_pa, vmcb_pa, gpr,
 * then the callee-saved registers of the SysV ABI.
 */
	.globl	svm_enter
	.type	svm_enter, @function
svm_enter:
	push_callee_saved
	pushq	%rdi				/* 16(%rsp): gpr[] */
	pushq	%rsi				/*  8(%rsp): guest VMCB */
	pushq	%rdx				/*  0(%rsp): host VMSAVE page */

	/* GIF = 0 until STGI: no interrupt, NMI or SMI may run on the guest's TR or FS/GS
	 * between VMLOAD and the host's VMLOAD (APM 15.17). */
	clgi
	/* VMSAVE/VMLOAD move FS, GS, TR, LDTR (hidden state included), KernelGSBase, STAR,
	 * LSTAR, CSTAR, SFMASK and SYSENTER_CS/ESP/EIP, which VMRUN leaves alone (APM 15.5.2). */
	movq	%rdx, %rax
	vmsave	%rax
	movq	%rsi, %rax
	vmload	%rax

	gprs_load %rdi
	movq	GPR_OFFSET(GPR_RDI)(%rdi), %rdi

	/* RAX = the guest VMCB's physical address (APM 15.5.1). With V_INTR_MASKING the host's
	 * RFLAGS.IF at VMRUN decides whether physical interrupts reach the guest's exit path
	 * (APM 15.21.1): IF=1 lets Umbra's tick make INTR exits. GIF=0 keeps the host itself from
	 * taking anything here. */
	sti
	vmrun	%rax

	/* #VMEXIT: RSP, RAX, RIP and RFLAGS are the host's again, GIF is 0 (APM 15.6). The
	 * other general registers still hold the guest's values. */
	pushq	%rdi				/* guest RDI; gpr[] is now at 24(%rsp) */
	movq	24(%rsp), %rdi
	gprs_store %rdi
	popq	%rcx
	movq	%rcx, GPR_OFFSET(GPR_RDI)(%rdi)

	movq	8(%rsp), %rax			/* the guest's VMSAVE state back into its VMCB */
	vmsave	%rax
	movq	0(%rsp), %rax			/* Umbra's own TR (IST stacks), FS, GS, MSRs */
	vmload	%rax
	cli					/* Umbra runs with interrupts off: the INTR stays pending */
	stgi

	addq	$24, %rsp
	pop_callee_saved
	ret
	.size	svm_enter, . - svm_enter

	.section .note.GNU-stack, "", @progbits
