/*
 * Paging library, assembly half: the access probes at CPL 0 and CPL 3 in 32-bit code and in
 * 64-bit code, the user-mode return gate, long-mode entry and exit, and the 64-bit IDT stubs.
 *
 * A probe is described by pg_req (paging.c); the 32-bit probe runs under try_call, the 64-bit
 * one is far-called from compatibility mode and reports a fault in pg_req itself.
 */
#include "arch/trap.h"

/* struct pg_req offsets (checked in paging.c). */
#define REQ_ADDR	0
#define REQ_KIND	8
#define REQ_USER	12
#define REQ_VALUE	16
#define REQ_FAULTED	20
#define REQ_VECTOR	24
#define REQ_ERROR	28
#define REQ_CR2		32
#define REQ_RIP		40

#define SEL_CODE32	0x08
#define SEL_DATA	0x10
#define SEL_CODE64	0x18
#define SEL_UCODE32	0x23
#define SEL_UDATA	0x2b
#define SEL_UCODE64	0x33

#define KIND_READ	0
#define KIND_WRITE	1
#define KIND_FETCH	2

/* The access itself: kind in ECX, address in EBX/RBX, value in and out in EAX. */
.macro ACCESS32
	cmpl	$KIND_READ, %ecx
	jne	1f
	movl	(%ebx), %eax
	ret
1:	cmpl	$KIND_WRITE, %ecx
	jne	2f
	movl	%eax, (%ebx)
	ret
2:	cmpl	$KIND_FETCH, %ecx
	jne	3f
	call	*%ebx
	ret
3:	invlpg	(%ebx)
	ret
.endm

.macro ACCESS64
	cmpl	$KIND_READ, %ecx
	jne	1f
	movl	(%rbx), %eax
	ret
1:	cmpl	$KIND_WRITE, %ecx
	jne	2f
	movl	%eax, (%rbx)
	ret
2:	cmpl	$KIND_FETCH, %ecx
	jne	3f
	call	*%rbx
	ret
3:	invlpg	(%rbx)
	ret
.endm

/* ------------------------------------------------------------------------------------------ */
/* The user page: only code that runs at CPL 3, mapped user-accessible by pg_space_init. */
	.section .text.pguser, "ax", @progbits
	.balign	4096
	.globl	pg_user_page
pg_user_page:
	.code32
pg_user_access32:
	ACCESS32
	.globl	pg_user_entry32
pg_user_entry32:
	call	pg_user_access32
	int	$0x81
	ud2

	.code64
pg_user_access64:
	ACCESS64
	.globl	pg_user_entry64
pg_user_entry64:
	call	pg_user_access64
	int	$0x81
	ud2
	.code32
	.balign	4096, 0xcc

	.section .bss.pguser, "aw", @nobits
	.balign	4096
	.globl	pg_user_stack
pg_user_stack:
	.skip	4096

	.bss
	.balign	8
pg_saved_esp:
	.skip	4
	.globl	pg_lm_saved_rsp
pg_lm_saved_rsp:
	.skip	8
	.globl	pg_lm_active
pg_lm_active:
	.skip	4

/* ------------------------------------------------------------------------------------------ */
	.text
	.code32
pg_sup_access32:
	ACCESS32

/* void pg_access32(void *req): try_call's function. A fault abandons it (fault.c). */
	.globl	pg_access32
pg_access32:
	pushl	%ebx
	pushl	%esi
	movl	12(%esp), %esi
	movl	REQ_ADDR(%esi), %ebx
	movl	REQ_KIND(%esi), %ecx
	movl	REQ_VALUE(%esi), %eax
	cmpl	$0, REQ_USER(%esi)
	jne	1f
	call	pg_sup_access32
	movl	%eax, REQ_VALUE(%esi)
	popl	%esi
	popl	%ebx
	ret
1:	/* To CPL 3: exceptions and INT 0x81 come back on the stack below this frame. */
	movl	%esp, pg_saved_esp
	movl	%esp, pg_tss32 + 4		/* ESP0 */
	movl	$SEL_UDATA, %edx
	movl	%edx, %ds
	movl	%edx, %es
	pushl	$SEL_UDATA
	pushl	$pg_user_stack + 4096
	pushfl
	pushl	$SEL_UCODE32
	pushl	$pg_user_entry32
	iretl

/* INT 0x81 from pg_user_entry32: the access completed. */
	.globl	pg_user_return32
pg_user_return32:
	movl	$SEL_DATA, %edx
	movl	%edx, %ds
	movl	%edx, %es
	movl	pg_saved_esp, %esp
	movl	12(%esp), %esi
	movl	%eax, REQ_VALUE(%esi)
	popl	%esi
	popl	%ebx
	ret

/* void pg_lm_call(void): runs pg_req in 64-bit mode; called in compatibility mode. */
	.globl	pg_lm_call
pg_lm_call:
	lcall	$SEL_CODE64, $pg_lm_call64
	ret

/*
 * void pg_lm_enter(uint32_t cr3, uint32_t cr4): from paging off to IA-32e mode (SDM Vol. 3A
 * 10.8.5): CR4.PAE, CR3, EFER.LME, CR0.PG; then, in 64-bit code, the 64-bit IDT and TSS.
 * Returns in compatibility mode.
 */
	.globl	pg_lm_enter
pg_lm_enter:
	movl	8(%esp), %eax
	movl	%eax, %cr4
	movl	4(%esp), %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx
	rdmsr
	orl	$(1 << 8), %eax
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000000, %eax
	movl	%eax, %cr0
	ljmp	$SEL_CODE64, $1f
	.code64
1:	lidt	pg_idt64_ptr(%rip)
	andb	$~0x02, pg_gdt + 0x40 + 5(%rip)		/* TSS not busy, so LTR takes it */
	movl	$0x40, %eax
	ltr	%ax
	movl	$2f, %eax
	pushq	$SEL_CODE32
	pushq	%rax
	lretq
	.code32
2:	ret

/* void pg_lm_exit(void): from compatibility mode to protected mode with paging off. */
	.globl	pg_lm_exit
pg_lm_exit:
	movl	%cr0, %eax
	andl	$~0x80000000, %eax
	movl	%eax, %cr0
	jmp	1f
1:	movl	$0xc0000080, %ecx
	rdmsr
	andl	$~(1 << 8), %eax
	wrmsr
	lidt	pg_idt32_ptr
	andb	$~0x02, pg_gdt + 0x38 + 5
	movl	$0x38, %eax
	ltr	%ax
	ret

/* ------------------------------------------------------------------------------------------ */
	.code64
pg_sup_access64:
	ACCESS64

/* Far-called from compatibility mode; returns with a 32-bit far return. */
pg_lm_call64:
	movl	%esp, %esp		/* upper RSP bits are undefined after compatibility mode */
	pushq	%rbx
	pushq	%rbp
	pushq	%rsi
	pushq	%rdi
	movq	%rsp, pg_lm_saved_rsp(%rip)
	movl	$1, pg_lm_active(%rip)
	movq	pg_req + REQ_ADDR(%rip), %rbx
	movl	pg_req + REQ_KIND(%rip), %ecx
	movl	pg_req + REQ_VALUE(%rip), %eax
	cmpl	$0, pg_req + REQ_USER(%rip)
	jne	1f
	call	pg_sup_access64
	jmp	pg_lm_done
1:	movq	%rsp, pg_tss64 + 4(%rip)	/* RSP0 */
	pushq	$SEL_UDATA
	leaq	pg_user_stack + 4096(%rip), %rdx
	pushq	%rdx
	pushfq
	pushq	$SEL_UCODE64
	leaq	pg_user_entry64(%rip), %rdx
	pushq	%rdx
	iretq

/* INT 0x81 from pg_user_entry64. */
	.globl	pg_user_return64
pg_user_return64:
pg_lm_done:
	movl	%eax, pg_req + REQ_VALUE(%rip)
	movl	$0, pg_req + REQ_FAULTED(%rip)
pg_lm_leave:
	movl	$SEL_DATA, %edx
	movl	%edx, %ss
	movl	%edx, %ds
	movl	%edx, %es
	movl	%edx, %fs
	movl	%edx, %gs
	movq	pg_lm_saved_rsp(%rip), %rsp
	movl	$0, pg_lm_active(%rip)
	popq	%rdi
	popq	%rsi
	popq	%rbp
	popq	%rbx
	lretl

/* 64-bit exception stubs: [vector, error, RIP, CS, RFLAGS, RSP, SS] on the stack. */
.macro TRAP64 vec
	.balign	16
pg_trap64_\vec:
	.if !((EXC_HAS_ERROR_CODE_MASK >> \vec) & 1)
	pushq	$0
	.endif
	pushq	$\vec
	jmp	pg_trap64_common
.endm

.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	TRAP64 \v
.endr

pg_trap64_common:
	cmpl	$0, pg_lm_active(%rip)
	je	pg_trap64_unexpected
	movq	(%rsp), %rax
	movl	%eax, pg_req + REQ_VECTOR(%rip)
	movq	8(%rsp), %rax
	movl	%eax, pg_req + REQ_ERROR(%rip)
	movq	16(%rsp), %rax
	movq	%rax, pg_req + REQ_RIP(%rip)
	movq	%cr2, %rax
	movq	%rax, pg_req + REQ_CR2(%rip)
	movl	$1, pg_req + REQ_FAULTED(%rip)
	jmp	pg_lm_leave

/* No probe running: report on COM1 and exit with the failure status. */
pg_trap64_unexpected:
	leaq	msg_unexpected(%rip), %rsi
	call	puts64
	movq	(%rsp), %rax
	call	hex64
	leaq	msg_error(%rip), %rsi
	call	puts64
	movq	8(%rsp), %rax
	call	hex64
	leaq	msg_rip(%rip), %rsi
	call	puts64
	movq	16(%rsp), %rax
	call	hex64
	leaq	msg_cr2(%rip), %rsi
	call	puts64
	movq	%cr2, %rax
	call	hex64
	leaq	msg_nl(%rip), %rsi
	call	puts64
	movl	$0x21, %eax
	outb	%al, $0xf4
1:	cli
	hlt
	jmp	1b

/* putc64: AL to COM1 (waits for THRE, bounded). Clobbers EDX, ECX. */
putc64:
	movl	%eax, %r8d
	movl	$100000, %ecx
1:	movw	$0x3fd, %dx
	inb	%dx, %al
	testb	$0x20, %al
	jnz	2f
	loop	1b
2:	movw	$0x3f8, %dx
	movl	%r8d, %eax
	outb	%al, %dx
	ret

/* puts64: the NUL-terminated string at RSI. */
puts64:
1:	movzbl	(%rsi), %eax
	testl	%eax, %eax
	jz	2f
	call	putc64
	incq	%rsi
	jmp	1b
2:	ret

/* hex64: RAX as 0x plus 16 hex digits. */
hex64:
	movq	%rax, %r9
	movl	$'0', %eax
	call	putc64
	movl	$'x', %eax
	call	putc64
	movl	$16, %r10d
1:	rolq	$4, %r9
	movl	%r9d, %eax
	andl	$0xf, %eax
	cmpl	$10, %eax
	jb	2f
	addl	$('a' - '0' - 10), %eax
2:	addl	$'0', %eax
	call	putc64
	decl	%r10d
	jnz	1b
	ret
	.code32

	.section .rodata
msg_unexpected:
	.asciz	"FAIL: unexpected exception in long mode: vector "
msg_error:
	.asciz	", error "
msg_rip:
	.asciz	", rip "
msg_cr2:
	.asciz	", cr2 "
msg_nl:
	.asciz	"\r\n"

	.balign	4
	.globl	pg_trap64_stubs
pg_trap64_stubs:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long	pg_trap64_\v
.endr
