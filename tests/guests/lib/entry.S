/* Guest entry: from the loader's 32-bit state to guest_start() (the header is mb_header.c). */
#include "entry.h"

	.text
	.code32
	.globl	_start
_start:
	/*
	 * Multiboot 3.2: EAX holds the magic and EBX the information block; ESP is undefined and
	 * GDTR may be invalid, so take our own stack now and load no segment register before
	 * gdt_init(). The stack is in BSS, which is cleared next: nothing lives on it meanwhile.
	 */
	movl	$boot_stack + GUEST_STACK_SIZE, %esp
	pushfl
	popl	%esi
	movl	%cr0, %ebp
	movl	%eax, %edx

	/* Loaders zero BSS from the ELF headers, but a guest must not depend on its loader. */
	cld
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb

	movl	%esi, boot_eflags
	movl	%ebp, boot_cr0
	xorl	%ebp, %ebp			/* the outermost frame */
	subl	$8, %esp			/* guest_start's arguments end 16-byte aligned */
	pushl	%ebx
	pushl	%edx
	call	guest_start
1:	cli
	hlt
	jmp	1b

	.section .bss.stack, "aw", @nobits
	.balign 16
boot_stack:
	.skip	GUEST_STACK_SIZE
