/* Single x86 instructions as inline functions; none of them catches faults (see fault.h). */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

/*
 * Control registers and EFLAGS are unsigned long so these helpers also suit a 64-bit runtime
 * should a long-mode guest need one later.
 */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

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

#define DEFINE_CR_ACCESSORS(n)						\
static inline unsigned long read_cr##n(void)				\
{									\
	unsigned long v;						\
									\
	__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));		\
	return v;							\
}									\
static inline void write_cr##n(unsigned long v)				\
{									\
	__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");	\
}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

#define EFLAGS_DF	(1u << 10)	/* string direction (SDM Vol. 1 3.4.3) */
#define EFLAGS_IF	(1u << 9)	/* interrupts enabled */
#define EFLAGS_VM	(1u << 17)	/* virtual-8086 mode */

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
