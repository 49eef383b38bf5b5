/* Single x86 instructions as inline functions; none of them catches faults (see fault.h). */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

#include "arch/io.h"
#include "arch/rflags.h"
#include "arch/x86_insn.h"

/* EFLAGS is unsigned long so these helpers also suit a 64-bit runtime should a long-mode guest
 * need one later (the control-register accessors of arch/x86_insn.h are the same). */

/* XGETBV and XSETBV by opcode, as old assemblers lack the mnemonics (SDM Vol. 2C). */
static inline uint64_t xgetbv(uint32_t xcr)
{
	uint32_t lo, hi;

	__asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void xsetbv(uint32_t xcr, uint64_t v)
{
	__asm__ volatile(".byte 0x0f, 0x01, 0xd1"
			 : : "c"(xcr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline unsigned long read_eflags(void)
{
	unsigned long v;

	__asm__ volatile("pushf; pop %0" : "=r"(v));
	return v;
}

/* A descriptor-table register image for LGDT/LIDT in 32-bit mode (SDM Vol. 3A 2.4). */
struct desc_ptr32 {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

static inline void lidt(const struct desc_ptr32 *p)
{
	__asm__ volatile("lidt %0" : : "m"(*p));
}

static inline void cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void hlt(void)
{
	__asm__ volatile("hlt" : : : "memory");
}

#endif
