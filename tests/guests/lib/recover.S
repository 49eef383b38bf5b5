/*
 * The two halves of try_call: guarded_call() saves what a resumption needs and calls the
 * function; recovery_resume(), called from an exception handler, returns from guarded_call()
 * a second time with 1, as if the function had never been called.
 */
#include "entry.h"

	.text
	.code32

/* int guarded_call(void (*fn)(void *), void *arg, struct recovery *r) */
	.globl	guarded_call
guarded_call:
	movl	12(%esp), %eax
	movl	%ebx, REC_EBX(%eax)
	movl	%esi, REC_ESI(%eax)
	movl	%edi, REC_EDI(%eax)
	movl	%ebp, REC_EBP(%eax)
	movl	%esp, REC_ESP(%eax)
	pushfl
	popl	REC_EFLAGS(%eax)
	subl	$8, %esp		/* the call below happens 16-byte aligned, as ours did */
	pushl	16(%esp)		/* arg */
	call	*16(%esp)		/* fn */
	addl	$12, %esp
	xorl	%eax, %eax
	ret

/* void recovery_resume(struct recovery *r): never returns to its caller. */
	.globl	recovery_resume
recovery_resume:
	movl	4(%esp), %eax
	movl	REC_ESP(%eax), %esp
	pushl	REC_EFLAGS(%eax)
	popfl
	movl	REC_EBX(%eax), %ebx
	movl	REC_ESI(%eax), %esi
	movl	REC_EDI(%eax), %edi
	movl	REC_EBP(%eax), %ebp
	movl	$1, %eax
	ret			/* to guarded_call's caller */
