/* Hypervisor invariant failures: panic() and ASSERT() stop Umbra with file and line. */
#ifndef UMBRA_ARCH_PANIC_H
#define UMBRA_ARCH_PANIC_H

__attribute__((noreturn, format(printf, 3, 4)))
void panic_at(const char *file, int line, const char *fmt, ...);

#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

/* A broken hypervisor invariant; guest misbehaviour is never an ASSERT. */
#define ASSERT(expr)								\
	do {									\
		if (!(expr))							\
			panic_at(__FILE__, __LINE__, "assertion failed: %s", #expr); \
	} while (0)

#endif
