/* Thin wrappers around privileged x86 instructions used by the host. */
#ifndef UMBRA_ARCH_CPU_H
#define UMBRA_ARCH_CPU_H

#include <stdint.h>

#include "arch/x86_insn.h"

static inline uint64_t read_rflags(void)
{
	uint64_t v;

	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

/* The time-stamp counter (SDM Vol. 2B "RDTSC"): a clock that runs whatever Umbra is doing. */
static inline void cpu_relax(void)
{
	__asm__ volatile("pause");
}

/* DR6, the debug status (SDM Vol. 3B 17.2.3); Umbra's own, and the VMX guest's, since VM entries
 * and exits do not switch it. */
static inline uint64_t read_dr6(void)
{
	uint64_t v;

	__asm__ volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static inline void write_dr6(uint64_t v)
{
	__asm__ volatile("mov %0, %%dr6" : : "r"(v));
}

static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* Stops this CPU for good: interrupts off, then HLT in a loop (NMIs and SMIs may still wake it). */
static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
