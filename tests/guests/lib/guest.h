/* The test-guest runtime: boot state, output, checks and exits; each guest defines guest_main(). */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fault.h"
#include "hw.h"
#include "guest/loader/multiboot1.h"
#include "x86.h"

/* Exit statuses by convention of the test guests (Umbra leaves values below 0x40 to guests). */
#define GUEST_EXIT_PASS		0x20
#define GUEST_EXIT_FAIL		0x21

/* What the loader handed over, recorded by the entry code before anything else ran. */
extern uint32_t boot_magic;			/* EAX */
extern const struct mb1_info *boot_info;	/* EBX */
extern uint32_t boot_eflags;
extern uint32_t boot_cr0;

/* The image as linked (guest.ld): [image_start, image_end) includes BSS and the stack. */
extern char image_start[], image_end[];

/* The guest's body. The runtime calls it with descriptors set up, then guest_finish(). */
void guest_main(void);

void gputs(const char *s);
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Ends the guest through the debug-exit port; halts if nothing listens there. */
__attribute__((noreturn)) void guest_exit(uint8_t status);
/* Prints "N passed, N failed"; true if all of at least one passed. */
bool guest_summary(void);
/* Prints "N passed, N failed" and exits with GUEST_EXIT_PASS if all of at least one passed. */
__attribute__((noreturn)) void guest_finish(void);
/* For hostile guests: prints "hostile: console check", then polls COM1 (port I/O exits) until
 * a line "q" arrives, so the harness can prove Umbra's monitor still answers after the misuse
 * (tests/emu/hostile.py); then guest_finish(). */
__attribute__((noreturn)) void guest_finish_after_console_check(void);
/* Polls COM1 (port I/O exits) until a line "q" arrives. */
void guest_wait_for_q(void);

/*
 * Checks print "ok: DESCRIPTION" or "FAIL: DESCRIPTION (details)", count the outcome and
 * return it. The description is a printf format.
 */
#define CHECK(cond, ...) \
	check_true(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)
#define CHECK_EQ(actual, expected, ...) \
	check_eq((uint64_t)(actual), (uint64_t)(expected), __VA_ARGS__)
/* The fault f must be vector with error code error. */
#define CHECK_FAULT(f, vector, error, ...) \
	check_fault((f), (vector), (error), __VA_ARGS__)
#define CHECK_NO_FAULT(f, ...) \
	check_fault((f), -1, 0, __VA_ARGS__)
/* Says that a check could not run here; counts as neither. */
#define SKIP(...) skip(__VA_ARGS__)

bool check_true(bool ok, const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
bool check_eq(uint64_t actual, uint64_t expected, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool check_fault(struct fault f, int vector, uint32_t error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
