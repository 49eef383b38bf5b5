/*
 * VM entry and exit for VMX. vmx_enter(gpr, launched) loads the guest's general registers
 * (all but RSP, which the VMCS holds) from gpr[16], enters with VMLAUNCH or VMRESUME, and on the
 * next VM exit lands at vmx_exit_entry with RSP = HOST_RSP, saves them back and returns 0.
 * If the entry instruction itself fails (VMfailInvalid/VMfailValid) it returns 1.
 */
#include "vmx/vmcs.h"

#define G(r)	(8 * (r))
#define RAX 0
#define RCX 1
#define RDX 2
#define RBX 3
#define RBP 5
#define RSI 6
#define RDI 7

	.text
	.code64
	.globl vmx_enter
vmx_enter:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rdi				/* the gpr array, found again at the exit */

	/* HOST_RSP is this stack position; it is the same every time, but costs one VMWRITE. */
	movq	$VMCS_HOST_RSP, %rax
	vmwrite	%rsp, %rax

	testl	%esi, %esi			/* MOVs below leave the flags alone */
	movq	G(RAX)(%rdi), %rax
	movq	G(RCX)(%rdi), %rcx
	movq	G(RDX)(%rdi), %rdx
	movq	G(RBX)(%rdi), %rbx
	movq	G(RBP)(%rdi), %rbp
	movq	G(RSI)(%rdi), %rsi
	movq	G(8)(%rdi), %r8
	movq	G(9)(%rdi), %r9
	movq	G(10)(%rdi), %r10
	movq	G(11)(%rdi), %r11
	movq	G(12)(%rdi), %r12
	movq	G(13)(%rdi), %r13
	movq	G(14)(%rdi), %r14
	movq	G(15)(%rdi), %r15
	movq	G(RDI)(%rdi), %rdi
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
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	movl	$1, %eax
	ret

	.globl vmx_exit_entry
vmx_exit_entry:
	pushq	%rdi				/* the guest's RDI */
	movq	8(%rsp), %rdi			/* the gpr array */
	movq	%rax, G(RAX)(%rdi)
	movq	%rcx, G(RCX)(%rdi)
	movq	%rdx, G(RDX)(%rdi)
	movq	%rbx, G(RBX)(%rdi)
	movq	%rbp, G(RBP)(%rdi)
	movq	%rsi, G(RSI)(%rdi)
	movq	%r8, G(8)(%rdi)
	movq	%r9, G(9)(%rdi)
	movq	%r10, G(10)(%rdi)
	movq	%r11, G(11)(%rdi)
	movq	%r12, G(12)(%rdi)
	movq	%r13, G(13)(%rdi)
	movq	%r14, G(14)(%rdi)
	movq	%r15, G(15)(%rdi)
	popq	%rax
	movq	%rax, G(RDI)(%rdi)
	popq	%rdi
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	xorl	%eax, %eax
	ret
