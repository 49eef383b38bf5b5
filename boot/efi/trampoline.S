/*
 * umbra.efi's last instructions: leave long mode and enter Umbra in the i386 machine state of
 * the Multiboot2 spec 3.3: 32-bit protected mode, paging off, flat 4 GiB segments, EAX =
 * 0x36d76289, EBX = the information block, interrupts off. Runs from a copy in a page below
 * 4 GiB that the firmware's identity map covers (UEFI 2.10 spec 2.3.4), after
 * ExitBootServices(). Leaving IA-32e mode follows SDM Vol. 3A 10.8.5.4 ("Switching Out of
 * IA-32e Mode Operation"): into compatibility mode, clear CR0.PG, then clear IA32_EFER.LME.
 * A20, which 3.3 also asks for, is on already: x64 UEFI firmware runs in long mode, which
 * needs it (UEFI 2.10 spec 2.3.4).
 *
 *   void trampoline(uint32_t entry, uint32_t mbi)    System V: edi = entry, esi = mbi
 */
#include "arch/cr.h"
#include "arch/msr.h"
#include "boot/efi/trampoline.h"
#include "boot/multiboot2.h"

	.section .text
	.code64
	.globl uefi_trampoline_start, uefi_trampoline_end
uefi_trampoline_start:
	cli
	movl	%edi, %ebp			/* entry: survives into 32-bit code */
	movl	%esi, %ebx			/* Multiboot2 spec 3.3: EBX = information block */

	/* Our GDT, addressed RIP-relative so the copy finds its own. */
	leaq	tramp_gdt(%rip), %rax
	subq	$16, %rsp
	movw	$(tramp_gdt_end - tramp_gdt - 1), (%rsp)
	movq	%rax, 2(%rsp)
	lgdt	(%rsp)

	/* SDM Vol. 3A 4.10.1: clearing CR0.PG with CR4.PCIDE set faults; PCIDE goes first. */
	movq	%cr4, %rax
	andq	$~CR4_PCIDE, %rax
	movq	%rax, %cr4

	/* A far return into the 32-bit code segment: compatibility mode (SDM Vol. 3A 10.8.5.4). */
	leaq	tramp_compat(%rip), %rax
	pushq	$TRAMP_SEL_CODE32
	pushq	%rax
	lretq

	.code32
tramp_compat:
	/* Paging off: IA32_EFER.LMA clears with it; this page is identity mapped, so fetching
	 * goes on at the same address. */
	movl	%cr0, %eax
	andl	$~CR0_PG, %eax
	movl	%eax, %cr0

	/* Long mode off: IA32_EFER.LME may change only with paging off. */
	movl	$MSR_IA32_EFER, %ecx
	rdmsr
	andl	$~EFER_LME, %eax
	wrmsr

	/* Flat 32-bit data segments; no stack is promised to the OS (Multiboot2 spec 3.3). */
	movl	$TRAMP_SEL_DATA32, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss

	movl	$MB2_BOOTLOADER_MAGIC, %eax
	jmp	*%ebp

	.balign 8
tramp_gdt:
	.quad 0					/* null */
	.quad 0x00cf9a000000ffff		/* TRAMP_SEL_CODE32: base 0, 4 GiB, D=1, execute/read */
	.quad 0x00cf92000000ffff		/* TRAMP_SEL_DATA32: base 0, 4 GiB, read/write */
tramp_gdt_end:
uefi_trampoline_end:
	.section .note.GNU-stack, "", @progbits
