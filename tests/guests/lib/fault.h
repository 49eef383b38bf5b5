/* Running code that is expected to fault, and learning which exception it raised. */
#ifndef GUEST_FAULT_H
#define GUEST_FAULT_H

#include <stdbool.h>
#include <stdint.h>

struct fault {
	bool faulted;
	uint8_t vector;
	uint32_t error;		/* 0 for vectors that push no error code */
	uint32_t eip;		/* the faulting instruction */
	uint32_t cr2;		/* the fault address of a #PF */
};

/*
 * Calls fn(arg). An exception inside it abandons the call: execution resumes in try_call with
 * the callee-saved registers, the stack pointer and EFLAGS of the call, and the returned fault
 * says what happened. Anything fn changed before the fault stays changed. Calls may nest.
 */
struct fault try_call(void (*fn)(void *), void *arg);

/* Single privileged instructions under try_call. */
struct fault rdmsr_safe(uint32_t msr, uint64_t *value);
struct fault wrmsr_safe(uint32_t msr, uint64_t value);
struct fault write_cr0_safe(unsigned long value);
struct fault write_cr4_safe(unsigned long value);
struct fault xgetbv_safe(uint32_t xcr, uint64_t *value);
struct fault xsetbv_safe(uint32_t xcr, uint64_t value);

/* Short mnemonic of an exception vector ("#GP"), for messages. */
const char *vector_name(unsigned int vector);

#endif
