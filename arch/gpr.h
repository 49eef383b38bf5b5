/*
 * General-purpose register numbers, shared by C and assembly. The order is that of their
 * encodings in ModRM, SIB and REX (Intel SDM Vol. 2A 2.1.5 table 2-2 and 2.2.1.2), so a decoded
 * register field indexes a register file directly; struct vcpu's gpr[] uses the same order.
 */
#ifndef UMBRA_ARCH_GPR_H
#define UMBRA_ARCH_GPR_H

#define GPR_RAX		0
#define GPR_RCX		1
#define GPR_RDX		2
#define GPR_RBX		3
#define GPR_RSP		4
#define GPR_RBP		5
#define GPR_RSI		6
#define GPR_RDI		7
#define GPR_R8		8
#define GPR_R9		9
#define GPR_R10		10
#define GPR_R11		11
#define GPR_R12		12
#define GPR_R13		13
#define GPR_R14		14
#define GPR_R15		15
#define GPR_COUNT	16

/* Byte offset of register r in a register file of 8-byte slots. */
#define GPR_OFFSET(r)	(8 * (r))

#ifdef __ASSEMBLY__
/* The SysV ABI's callee-saved registers, kept across a guest run by the VM-entry stubs. */
.macro push_callee_saved
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
.endm

.macro pop_callee_saved
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
.endm

/* Loads RCX, RDX, RBX, RBP, RSI and R8-R15 from the register file at \file. RAX, RSP and RDI
 * are left to the caller: one of them holds \file, and the vendors keep RAX and RSP apart. */
.macro gprs_load file
	movq	GPR_OFFSET(GPR_RCX)(\file), %rcx
	movq	GPR_OFFSET(GPR_RDX)(\file), %rdx
	movq	GPR_OFFSET(GPR_RBX)(\file), %rbx
	movq	GPR_OFFSET(GPR_RBP)(\file), %rbp
	movq	GPR_OFFSET(GPR_RSI)(\file), %rsi
	movq	GPR_OFFSET(GPR_R8)(\file), %r8
	movq	GPR_OFFSET(GPR_R9)(\file), %r9
	movq	GPR_OFFSET(GPR_R10)(\file), %r10
	movq	GPR_OFFSET(GPR_R11)(\file), %r11
	movq	GPR_OFFSET(GPR_R12)(\file), %r12
	movq	GPR_OFFSET(GPR_R13)(\file), %r13
	movq	GPR_OFFSET(GPR_R14)(\file), %r14
	movq	GPR_OFFSET(GPR_R15)(\file), %r15
.endm

/* Stores the same registers back into the register file at \file. */
.macro gprs_store file
	movq	%rcx, GPR_OFFSET(GPR_RCX)(\file)
	movq	%rdx, GPR_OFFSET(GPR_RDX)(\file)
	movq	%rbx, GPR_OFFSET(GPR_RBX)(\file)
	movq	%rbp, GPR_OFFSET(GPR_RBP)(\file)
	movq	%rsi, GPR_OFFSET(GPR_RSI)(\file)
	movq	%r8, GPR_OFFSET(GPR_R8)(\file)
	movq	%r9, GPR_OFFSET(GPR_R9)(\file)
	movq	%r10, GPR_OFFSET(GPR_R10)(\file)
	movq	%r11, GPR_OFFSET(GPR_R11)(\file)
	movq	%r12, GPR_OFFSET(GPR_R12)(\file)
	movq	%r13, GPR_OFFSET(GPR_R13)(\file)
	movq	%r14, GPR_OFFSET(GPR_R14)(\file)
	movq	%r15, GPR_OFFSET(GPR_R15)(\file)
.endm
#endif /* __ASSEMBLY__ */

#endif
