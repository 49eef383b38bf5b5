/* CPL 3 runner, assembly half (see user.h): the entry by IRET and the user window. */
#include "user.h"

	.text
	.code32
/* void user_enter(void *regs): try_call's function. Faults come back through the TSS's ESP0
 * (set here, below this frame) to the trap stubs, which abandon the try_call. */
	.globl	user_enter
user_enter:
	movl	4(%esp), %eax
	movl	%esp, pg_tss32 + 4		/* ESP0 */
	pushl	$USER_SEL_DATA			/* SS */
	pushl	$user_stack_top			/* ESP */
	movl	UR_EFLAGS(%eax), %edx
	andl	$~0x200, %edx			/* IF off: nothing interrupts the user code */
	orl	$0x2, %edx			/* bit 1 is always set */
	pushl	%edx				/* EFLAGS */
	pushl	$USER_SEL_CODE			/* CS */
	pushl	UR_EIP(%eax)			/* EIP */
	movl	$USER_SEL_DATA, %edx
	movl	%edx, %ds
	movl	%edx, %es
	movl	%edx, %fs
	movl	%edx, %gs
	movl	UR_EBX(%eax), %ebx
	movl	UR_ECX(%eax), %ecx
	movl	UR_EDX(%eax), %edx
	movl	UR_ESI(%eax), %esi
	movl	UR_EDI(%eax), %edi
	movl	UR_EBP(%eax), %ebp
	movl	UR_EAX(%eax), %eax
	iretl

/* The user window: user_done and user_out on the first page, the stack on the second. A
 * guest's own snippets sit in a page-aligned block of its own, mapped with user_map() too. */
	.section .text.userwin, "ax", @progbits
	.balign	4096
	.globl	user_window, user_window_end, user_done, user_done_ud2, user_out
user_window:
user_done:
	movl	%eax, user_out + UR_EAX
	movl	%ebx, user_out + UR_EBX
	movl	%ecx, user_out + UR_ECX
	movl	%edx, user_out + UR_EDX
	movl	%esi, user_out + UR_ESI
	movl	%edi, user_out + UR_EDI
	movl	%ebp, user_out + UR_EBP
	pushfl
	popl	user_out + UR_EFLAGS
user_done_ud2:
	ud2
	.balign	64
user_out:
	.skip	40
	.balign	4096, 0xcc
user_stack:
	.skip	4096
user_stack_top:
user_window_end:
