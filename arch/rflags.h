/* RFLAGS bits (Intel SDM Vol. 1 3.4.3 "EFLAGS Register"; AMD APM Vol. 2 3.1.6). */
#ifndef UMBRA_ARCH_RFLAGS_H
#define UMBRA_ARCH_RFLAGS_H

#define RFLAGS_CF		(1u << 0)	/* carry */
#define RFLAGS_RESERVED1	(1u << 1)	/* always 1 */
#define RFLAGS_PF		(1u << 2)	/* parity */
#define RFLAGS_AF		(1u << 4)	/* auxiliary carry */
#define RFLAGS_ZF		(1u << 6)	/* zero */
#define RFLAGS_SF		(1u << 7)	/* sign */
#define RFLAGS_TF		(1u << 8)	/* trap: single-step */
#define RFLAGS_IF		(1u << 9)	/* maskable interrupts enabled */
#define RFLAGS_DF		(1u << 10)	/* string direction: 1 = down */
#define RFLAGS_OF		(1u << 11)	/* overflow */
#define RFLAGS_IOPL		(3u << 12)	/* I/O privilege level */
#define RFLAGS_IOPL_SHIFT	12
#define RFLAGS_NT		(1u << 14)	/* nested task */
#define RFLAGS_RF		(1u << 16)	/* resume: no instruction breakpoint for one instruction */
#define RFLAGS_VM		(1u << 17)	/* virtual-8086 mode */
#define RFLAGS_AC		(1u << 18)	/* alignment check / SMAP override */
#define RFLAGS_VIF		(1u << 19)	/* virtual interrupt flag */
#define RFLAGS_VIP		(1u << 20)	/* virtual interrupt pending */
#define RFLAGS_ID		(1u << 21)	/* CPUID available */

/* The arithmetic flags an ALU instruction defines. */
#define RFLAGS_STATUS (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

#endif
