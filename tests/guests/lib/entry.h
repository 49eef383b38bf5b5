/* Layouts shared by the assembly entry code and C: the trap frame and the recovery context. */
#ifndef GUEST_ENTRY_H
#define GUEST_ENTRY_H

#define GUEST_STACK_SIZE	16384

/* struct recovery offsets, for recover.S. */
#define REC_EBX		0
#define REC_ESI		4
#define REC_EDI		8
#define REC_EBP		12
#define REC_ESP		16
#define REC_EFLAGS	20

#ifndef __ASSEMBLY__
#include <stdint.h>
#include "fault.h"

/* What traps.S pushes (PUSHA order, then vector and error code) below the CPU's frame. */
struct guest_frame {
	uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;
	uint32_t vector, error;		/* error is 0 when the CPU pushes none */
	uint32_t eip, cs, eflags;	/* same privilege level: no ESP/SS (SDM Vol. 3A 6.12.1) */
};

/* One try_call in progress: where to resume if an exception interrupts it. */
struct recovery {
	uint32_t ebx, esi, edi, ebp;	/* callee-saved registers (i386 System V ABI) */
	uint32_t esp;			/* pointing at guarded_call's return address */
	uint32_t eflags;
	struct recovery *prev;		/* the enclosing try_call, if any */
	struct fault fault;
};

/* traps.S: the entry stub of each exception vector. */
extern const uint32_t trap_stubs[32];
void guest_trap(struct guest_frame *f);

/* recover.S: saves the context into r and calls fn(arg); returns 0 when fn returns, or 1
 * when recovery_resume(r) abandoned fn. */
int guarded_call(void (*fn)(void *), void *arg, struct recovery *r);
__attribute__((noreturn)) void recovery_resume(struct recovery *r);

/* C entry from entry.S. */
__attribute__((noreturn)) void guest_start(uint32_t magic, uint32_t mbi);
#endif

#endif
