/*
 * Page-table-write scenarios, assembly half (see ptw.h): the instruction runners for 32-bit and
 * 64-bit code with one snippet per instruction, and the demand-paging #PF handlers.
 */
#include "ptw.h"

#define SEL_CODE64	0x18

	.data
	.balign	8
	.globl	ptw_dp_base, ptw_dp_len, ptw_dp_shr, ptw_dp_pte, ptw_dp_frames, ptw_dp_count
	.globl	ptw_dp_prev32, ptw_dp_prev64, ptw_cur, ptw_dp_cx8
ptw_dp_prev64:	.quad	0	/* the 64-bit handler for faults outside the region */
ptw_dp_prev32:	.long	0
ptw_dp_base:	.long	0	/* region start */
ptw_dp_len:	.long	0	/* region length in bytes */
ptw_dp_shr:	.long	0	/* page offset >> shr = PTE offset: 10 (4-byte PTEs) or 9 */
ptw_dp_pte:	.long	0	/* the PTE of the region's first page */
ptw_dp_frames:	.long	0	/* the frame of the region's first page; the others follow */
ptw_dp_count:	.long	0	/* faults served */
ptw_cur:	.long	0	/* the struct ptw_req being run */
ptw_fn:		.long	0
ptw_dp_cx8:	.long	0	/* the 32-bit handler stores with CMPXCHG8B */

/* ------------------------------------------------------------------------------------------ */
	.text
	.code32

/* #PF in 32-bit code: PTE of CR2's page := frame | P W A D, one 4-byte MOV (with 8-byte PTEs
 * the low half only: the high half is zero already), or one LOCK CMPXCHG8B of the whole entry
 * when ptw_dp_cx8 is set (as Linux's set_pte_atomic does on PAE). */
	.globl	ptw_pf32
ptw_pf32:
	pushl	%eax
	pushl	%ebx
	pushl	%ecx
	pushl	%edx
	pushl	%esi
	movl	%cr2, %eax
	subl	ptw_dp_base, %eax
	cmpl	ptw_dp_len, %eax
	jae	2f
	andl	$~0xfff, %eax
	movl	ptw_dp_shr, %ecx
	movl	%eax, %esi
	shrl	%cl, %esi
	addl	ptw_dp_pte, %esi
	addl	ptw_dp_frames, %eax
	orl	$PTW_LEAF, %eax
	cmpl	$0, ptw_dp_cx8
	jne	1f
	movl	%eax, (%esi)
	jmp	3f
1:	movl	%eax, %ebx		/* ECX:EBX := the new entry */
	xorl	%ecx, %ecx
	movl	(%esi), %eax		/* EDX:EAX := the old one */
	movl	4(%esi), %edx
4:	lock cmpxchg8b (%esi)
	jnz	4b
3:	incl	ptw_dp_count
	popl	%esi
	popl	%edx
	popl	%ecx
	popl	%ebx
	popl	%eax
	addl	$4, %esp		/* error code */
	iretl
2:	popl	%esi
	popl	%edx
	popl	%ecx
	popl	%ebx
	popl	%eax
	jmp	*ptw_dp_prev32

/* void ptw_body32(void *req): try_call's function (a fault abandons it). Memory at (%ebp). */
	.globl	ptw_body32
ptw_body32:
	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	20(%esp), %eax
	movl	%eax, ptw_cur
	movl	PTWR_FN(%eax), %edx
	movl	%edx, ptw_fn
	movl	PTWR_ADDR(%eax), %ebp
	movl	PTWR_BX(%eax), %ebx
	movl	PTWR_CX(%eax), %ecx
	movl	PTWR_DX(%eax), %edx
	movl	PTWR_SI(%eax), %esi
	movl	PTWR_DI(%eax), %edi
	movl	PTWR_AX(%eax), %eax
	call	*ptw_fn
	pushfl
	pushl	%eax
	movl	ptw_cur, %eax
	popl	PTWR_AX(%eax)
	popl	PTWR_FLAGS(%eax)
	movl	%ebx, PTWR_BX(%eax)
	movl	%ecx, PTWR_CX(%eax)
	movl	%edx, PTWR_DX(%eax)
	movl	%esi, PTWR_SI(%eax)
	movl	%edi, PTWR_DI(%eax)
	movl	$1, PTWR_DONE(%eax)
	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret

.macro SNIP32 name, insn:vararg
	.balign	16
	.globl	ptw32_\name
ptw32_\name:
	\insn
	ret
.endm

/* The same after a first instruction (STC, CLD): a ';' would end the macro's arguments. */
.macro SNIP32_2 name, first, insn:vararg
	.balign	16
	.globl	ptw32_\name
ptw32_\name:
	\first
	\insn
	ret
.endm

	SNIP32	mov_r,		movl	%eax, (%ebp)
	SNIP32	mov_i,		movl	$PTW_IMM32, (%ebp)
	SNIP32	xchg,		xchgl	%eax, (%ebp)
	SNIP32	cmpxchg,	lock cmpxchgl %ecx, (%ebp)
	SNIP32	cmpxchg8b,	lock cmpxchg8b (%ebp)
	SNIP32	lock_or,	lock orl $2, (%ebp)
	SNIP32	lock_and,	lock andl $~2, (%ebp)
	SNIP32	xor,		xorl	%eax, (%ebp)
	SNIP32	lock_xor,	lock xorl %eax, (%ebp)
	SNIP32	add,		addl	$0x1000, (%ebp)
	SNIP32	sub,		subl	%eax, (%ebp)
	SNIP32_2	adc,		stc, adcl $0xfff, (%ebp)
	SNIP32_2	sbb,		stc, sbbl $0xfff, (%ebp)
	SNIP32	bts,		lock btsl $1, (%ebp)
	SNIP32	btr_r,		btrl	%eax, (%ebp)
	SNIP32	btc,		btcl	$12, (%ebp)
	SNIP32_2	rep_stos,	cld, rep stosl
	SNIP32_2	rep_movs,	cld, rep movsl

/* void ptw_call64(void): runs ptw_cur in 64-bit code; called in compatibility mode. */
	.globl	ptw_call64
ptw_call64:
	lcall	$SEL_CODE64, $ptw_body64
	ret

/* ------------------------------------------------------------------------------------------ */
	.code64

/* Far-called; the frame matches pg_lm_call64's, so a fault leaves through pg_stubs.S's
 * pg_trap64_common as a probe fault does (done stays 0). Memory at (%r8). */
ptw_body64:
	movl	%esp, %esp
	pushq	%rbx
	pushq	%rbp
	pushq	%rsi
	pushq	%rdi
	movq	%rsp, pg_lm_saved_rsp(%rip)
	movl	$1, pg_lm_active(%rip)
	movl	ptw_cur(%rip), %r12d
	movq	PTWR_ADDR(%r12), %r8
	movq	PTWR_BX(%r12), %rbx
	movq	PTWR_CX(%r12), %rcx
	movq	PTWR_DX(%r12), %rdx
	movq	PTWR_SI(%r12), %rsi
	movq	PTWR_DI(%r12), %rdi
	movq	PTWR_AX(%r12), %rax
	call	*PTWR_FN(%r12)
	pushfq
	popq	PTWR_FLAGS(%r12)
	movq	%rax, PTWR_AX(%r12)
	movq	%rbx, PTWR_BX(%r12)
	movq	%rcx, PTWR_CX(%r12)
	movq	%rdx, PTWR_DX(%r12)
	movq	%rsi, PTWR_SI(%r12)
	movq	%rdi, PTWR_DI(%r12)
	movq	$1, PTWR_DONE(%r12)
	movl	$0, pg_lm_active(%rip)
	popq	%rdi
	popq	%rsi
	popq	%rbp
	popq	%rbx
	lretl

.macro SNIP64 name, insn:vararg
	.balign	16
	.globl	ptw64_\name
ptw64_\name:
	\insn
	ret
.endm

/* The same after a first instruction (STC, CLD): a ';' would end the macro's arguments. */
.macro SNIP64_2 name, first, insn:vararg
	.balign	16
	.globl	ptw64_\name
ptw64_\name:
	\first
	\insn
	ret
.endm

	SNIP64	mov_r,		movq	%rax, (%r8)
	SNIP64	mov_i,		movq	$PTW_IMM32, (%r8)
	SNIP64	mov_r32,	movl	%eax, (%r8)
	SNIP64	xchg,		xchgq	%rax, (%r8)
	SNIP64	cmpxchg,	lock cmpxchgq %rcx, (%r8)
	SNIP64	cmpxchg8b,	lock cmpxchg8b (%r8)
	SNIP64	cmpxchg16b,	lock cmpxchg16b (%r8)
	SNIP64	lock_or,	lock orq $2, (%r8)
	SNIP64	lock_and,	lock andq $~2, (%r8)
	SNIP64	xor,		xorq	%rax, (%r8)
	SNIP64	lock_xor,	lock xorq %rax, (%r8)
	SNIP64	add,		addq	$0x1000, (%r8)
	SNIP64	sub,		subq	%rax, (%r8)
	SNIP64_2	adc,		stc, adcq $0xfff, (%r8)
	SNIP64_2	sbb,		stc, sbbq $0xfff, (%r8)
	SNIP64	bts,		lock btsq $1, (%r8)
	SNIP64	btr_r,		btrq	%rax, (%r8)
	SNIP64	btc,		btcq	$12, (%r8)
	SNIP64_2	rep_stos,	cld, rep stosq
	SNIP64_2	rep_movs,	cld, rep movsq

/* #PF in long mode: PTE of CR2's page := frame | P W A D (one 8-byte store). */
	.balign	16
	.globl	ptw_pf64
ptw_pf64:
	pushq	%rax
	pushq	%rdx
	pushq	%rcx
	movq	%cr2, %rax
	movl	ptw_dp_base(%rip), %edx
	subq	%rdx, %rax
	movl	ptw_dp_len(%rip), %edx
	cmpq	%rdx, %rax
	jae	1f
	andq	$~0xfff, %rax
	movl	ptw_dp_shr(%rip), %ecx
	movq	%rax, %rdx
	shrq	%cl, %rdx
	movl	ptw_dp_pte(%rip), %ecx
	addq	%rcx, %rdx
	movl	ptw_dp_frames(%rip), %ecx
	addq	%rcx, %rax
	orq	$PTW_LEAF, %rax
	movq	%rax, (%rdx)
	incl	ptw_dp_count(%rip)
	popq	%rcx
	popq	%rdx
	popq	%rax
	addq	$8, %rsp		/* error code */
	iretq
1:	popq	%rcx
	popq	%rdx
	popq	%rax
	jmp	*ptw_dp_prev64(%rip)
	.code32
