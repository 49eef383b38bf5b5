/*
 * VM entry and exit for VMX. vmx_enter(gpr, launched) loads the guest's general registers
 * (all but RSP, which the VMCS holds) from gpr[16], enters with VMLAUNCH or VMRESUME, and on the
 * next VM exit lands at vmx_exit_entry with RSP = HOST_RSP, saves them back and returns 0.
 * If the entry instruction itself fails (VMfailInvalid/VMfailValid) it returns 1.
 */
#include "arch/gpr.h"
#include "vmx/vmcs.h"


	.text
	.code64
	.globl vmx_enter
vmx_enter:
	push_callee_saved
	pushq	%rdi				/* the gpr array, found again at the exit */

	/* HOST_RSP is this stack position; it is the same every time, but costs one VMWRITE. */
	movq	$VMCS_HOST_RSP, %rax
	vmwrite	%rsp, %rax

	testl	%esi, %esi			/* MOVs below leave the flags alone */
	movq	GPR_OFFSET(GPR_RAX)(%rdi), %rax
	gprs_load %rdi
	movq	GPR_OFFSET(GPR_RDI)(%rdi), %rdi
	/* STI's one-instruction shadow covers the VMLAUNCH/VMRESUME, so the host takes nothing
	 * here; in the guest, external-interrupt exiting turns Umbra's tick into an exit whatever
	 * the guest's IF (SDM 25.2). IF=1 at entry also makes Bochs re-evaluate interrupt
	 * blocking, which it otherwise skips when host and guest both run with IF=0. The exit
	 * clears RFLAGS (IF=0) again (SDM 28.5.3). */
	jnz	1f
	sti
	vmlaunch
	jmp	2f
1:	sti
	vmresume
2:	/* Only reached when the entry failed: the host registers are what we pushed. */
	cli
	popq	%rdi
	pop_callee_saved
	movl	$1, %eax
	ret

	.globl vmx_exit_entry
vmx_exit_entry:
	pushq	%rdi				/* the guest's RDI */
	movq	8(%rsp), %rdi			/* the gpr array */
	movq	%rax, GPR_OFFSET(GPR_RAX)(%rdi)
	gprs_store %rdi
	popq	%rax
	movq	%rax, GPR_OFFSET(GPR_RDI)(%rdi)
	popq	%rdi
	pop_callee_saved
	xorl	%eax, %eax
	ret
