/*
 * Exception entry stubs for vectors 0-31. Each makes the stack look the same (an error code,
 * real or zero, then the vector), saves the general registers as struct guest_frame and calls
 * guest_trap(frame), which either resumes a try_call or ends the guest.
 */
#include "arch/trap.h"

	.text
	.code32

.macro TRAP_STUB vec
	.balign 16
trap_stub_\vec:
	.if !((EXC_HAS_ERROR_CODE_MASK >> \vec) & 1)
	pushl	$0
	.endif
	pushl	$\vec
	jmp	trap_common
.endm

.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	TRAP_STUB \v
.endr

trap_common:
	pushal
	cld			/* the C ABI wants DF clear; the interrupted code may not */
	movl	%esp, %eax
	movl	%esp, %ebx		/* callee-saved: the frame survives the call */
	andl	$-16, %esp
	subl	$12, %esp
	pushl	%eax
	call	guest_trap
	movl	%ebx, %esp
	popal
	addl	$8, %esp		/* vector and error code */
	iretl

	.section .rodata
	.balign 4
	.globl	trap_stubs
trap_stubs:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long	trap_stub_\v
.endr
