/*
 * Umbra's first instructions: the multiboot2 header and the 32-bit entry that checks the loader,
 * identity maps the first 4 GiB with 2 MiB pages, enters long mode and calls boot_main().
 */
#include "arch/cr.h"
#include "arch/msr.h"
#include "arch/pt.h"
#include "arch/segment.h"
#include "boot/multiboot2.h"

#define COM1		0x3f8
#define BOOT_STACK_SIZE	16384

/* Multiboot2 spec 3.1.1: magic, architecture 0 (i386 protected mode), length, checksum; then tags.
 * Must lie 8-byte aligned in the first 32 KiB of the image: the linker script puts it first. */
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* End tag: type 0, flags 0, size 8. */
	.balign 8
	.word 0, 0
	.long 8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.globl _start
/*
 * Multiboot2 spec 3.3 machine state: EAX = magic, EBX = information block, 32-bit protected
 * mode with flat segments, paging off, interrupts off. Nothing else (not even a stack) is given.
 */
_start:
	cli
	cld
	movl	%eax, %edi			/* keep magic and MBI in edi/esi across the set-up */
	movl	%ebx, %esi

	cmpl	$MB2_BOOTLOADER_MAGIC, %edi
	jne	.Lbad_magic

	/* Zero .bss ourselves rather than trust every loader to do it. */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb
	movl	$MB2_BOOTLOADER_MAGIC, %edi

	movl	$boot_stack_top, %esp

	/* Long mode needs CPUID 80000001h:EDX.LM[29] (SDM Vol. 3A 10.8.5). */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	.Lno_long_mode
	movl	$0x80000001, %eax
	cpuid
	btl	$29, %edx
	jnc	.Lno_long_mode

	/* Identity map 0-4 GiB with 2 MiB pages: PML4[0] -> PDPT[0..3] -> four page directories. */
	movl	$boot_pdpt, %eax
	orl	$(PT_P | PT_RW), %eax
	movl	%eax, boot_pml4

	xorl	%ecx, %ecx			/* ecx = index of the 2 MiB page, 0..2047 */
1:	movl	%ecx, %eax
	shll	$PT_SHIFT_L2, %eax
	orl	$(PT_P | PT_RW | PT_PS), %eax
	movl	%eax, boot_pd(, %ecx, 8)
	movl	%ecx, %eax
	shrl	$(32 - PT_SHIFT_L2), %eax	/* high half of the physical address */
	movl	%eax, boot_pd + 4(, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jb	1b

	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$boot_pd, %eax
	orl	$(PT_P | PT_RW), %eax
	movl	%eax, boot_pdpt(, %ecx, 8)
	incl	%ecx
	cmpl	$4, %ecx
	jb	2b

	/* SDM Vol. 3A 10.8.5: CR4.PAE, CR3, EFER.LME, then CR0.PG activates IA-32e mode. */
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_IA32_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_PE), %eax
	movl	%eax, %cr0

	lgdt	boot_gdt_desc
	ljmp	$SEL_CODE64, $long_mode_entry

.Lbad_magic:
	movl	$msg_bad_magic, %esi
	jmp	.Lfatal32
.Lno_long_mode:
	movl	$msg_no_long_mode, %esi
/* Prints the string at esi on COM1 (polling the transmitter) and halts for good. */
.Lfatal32:
	movw	$(COM1 + 5), %dx		/* line status register */
3:	inb	%dx, %al
	testb	$0x20, %al			/* transmitter holding register empty */
	jz	3b
	movw	$COM1, %dx
	lodsb
	testb	%al, %al
	jz	4f
	outb	%al, %dx
	jmp	.Lfatal32
4:	hlt
	jmp	4b

	.code64
long_mode_entry:
	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorw	%ax, %ax
	movw	%ax, %fs
	movw	%ax, %gs
	movq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp
	/* boot_main(magic, mbi): edi still holds the magic, esi the information block. */
	movl	%edi, %edi
	movl	%esi, %esi
	call	boot_main
5:	cli
	hlt
	jmp	5b

	.section .rodata
msg_bad_magic:
	.asciz "umbra: fatal: not started by a multiboot2 loader (EAX is not 0x36d76289); halting\r\n"
msg_no_long_mode:
	.asciz "umbra: fatal: this CPU has no long mode (CPUID 80000001h:EDX[29] clear); halting\r\n"

	.balign 8
boot_gdt:
	.quad 0					/* null */
	.quad 0x00af9a000000ffff		/* SEL_CODE64: present, DPL 0, L=1 */
	.quad 0x00cf92000000ffff		/* SEL_DATA: present, writable, 4 GiB */
boot_gdt_end:
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .bss
	.balign 4096
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4096 * 4
	.balign 16
	.globl boot_stack_top
boot_stack:	.skip BOOT_STACK_SIZE
boot_stack_top:
