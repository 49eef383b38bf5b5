/* The register frame trap.S builds for every host exception or interrupt. */
#ifndef UMBRA_ARCH_TRAP_H
#define UMBRA_ARCH_TRAP_H

/* Exception vectors (SDM Vol. 3A 6.3.1, table 6-1). */
#define EXC_DE	0	/* divide error */
#define EXC_DB	1	/* debug */
#define EXC_NMI	2	/* non-maskable interrupt */
#define EXC_BP	3	/* breakpoint */
#define EXC_OF	4	/* overflow */
#define EXC_BR	5	/* BOUND range exceeded */
#define EXC_UD	6	/* invalid opcode */
#define EXC_NM	7	/* device not available */
#define EXC_DF	8	/* double fault */
#define EXC_TS	10	/* invalid TSS */
#define EXC_NP	11	/* segment not present */
#define EXC_SS	12	/* stack-segment fault */
#define EXC_GP	13	/* general protection */
#define EXC_PF	14	/* page fault */
#define EXC_MF	16	/* x87 floating-point error */
#define EXC_AC	17	/* alignment check */
#define EXC_MC	18	/* machine check */
#define EXC_XM	19	/* SIMD floating-point */
#define EXC_VE	20	/* virtualization exception */
#define EXC_CP	21	/* control protection */
#define EXC_COUNT 32
#define IRQ_VECTOR_BASE	32	/* the legacy PICs' IRQs 0-15 arrive at vectors 32-47 */
#define IRQ_COUNT	16
#define TRAP_STUB_COUNT	(IRQ_VECTOR_BASE + IRQ_COUNT)	/* + 1 shared stub for the rest */

/* Vectors that push an error code (SDM Vol. 3A 6.13): 8, 10-14, 17, 21, 29, 30. */
#define EXC_HAS_ERROR_CODE_MASK 0x60227d00u

#ifndef __ASSEMBLY__
#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;	/* error_code is 0 when the CPU pushes none */
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

void trap_dispatch(struct trap_frame *tf);
/* Called for each legacy IRQ Umbra takes, after the end-of-interrupt. */
void irq_handle(unsigned irq);
const char *exception_name(unsigned vector);
#endif

#endif
