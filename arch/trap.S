/*
 * Host exception and interrupt entry stubs. Each stub makes the stack look the same (an error
 * code, real or zero, then the vector), saves the general registers as struct trap_frame and
 * calls trap_dispatch(frame).
 */
#include "arch/trap.h"

	.text
	.code64

.macro TRAP_STUB vec
	.balign 16
trap_stub_\vec:
	.if \vec >= 32 || !((EXC_HAS_ERROR_CODE_MASK >> \vec) & 1)
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
.endm

.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48
	TRAP_STUB \v
.endr

trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi
	movq	%rsp, %rbx			/* callee-saved: the frame survives the call */
	andq	$-16, %rsp			/* the SysV ABI wants a 16-byte aligned call */
	call	trap_dispatch
	movq	%rbx, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp			/* vector and error code */
	iretq

/* trap_stubs[v] is the entry of vector v for v < 48 (exceptions, then the 16 legacy IRQs Umbra
 * remaps to 32-47); trap_stubs[48] serves every other vector. */
	.section .rodata
	.balign 8
	.globl trap_stubs
trap_stubs:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48
	.quad trap_stub_\v
.endr
