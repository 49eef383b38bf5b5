/*
 * Running a few instructions at CPL 3 (32-bit protected mode, paging on, the paging library's
 * descriptors): the hostile guests use it to try privileged memory accesses from user code.
 *
 * User code is the guest's own page-aligned snippets; a snippet ends with `jmp user_done`, which stores the registers into user_out and executes UD2, so a finished run
 * is a #UD at user_done_ud2. Shared with user.S: the offsets only.
 */
#ifndef GUEST_USER_H
#define GUEST_USER_H

#define UR_EAX		0
#define UR_EBX		4
#define UR_ECX		8
#define UR_EDX		12
#define UR_ESI		16
#define UR_EDI		20
#define UR_EBP		24
#define UR_EFLAGS	28
#define UR_EIP		32

#define USER_SEL_CODE	0x23	/* paging.c's GDT: 32-bit code, DPL 3 */
#define USER_SEL_DATA	0x2b	/* data, DPL 3 */

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>
#include "fault.h"
#include "paging.h"

/* Registers a run starts with (eflags: IOPL, AC, DF as wanted; IF is forced off) and, in
 * user_out, the registers a finished run ended with. */
struct user_regs {
	uint32_t eax, ebx, ecx, edx, esi, edi, ebp, eflags, eip;
};

extern struct user_regs user_out;
/* The runtime's window: user_done, user_out and the user stack. */
extern char user_window[], user_window_end[], user_done[], user_done_ud2[];

/* Makes the identity-mapped pages of [start, end) P|W|U in as, and the runtime's window too. */
void user_map(const struct pg_space *as, const void *start, const void *end);

/* Runs r at CPL 3. Returns true when the snippet reached user_done (user_out holds its final
 * registers); false with *f describing the exception the user code raised. */
bool user_run(const struct user_regs *r, struct fault *f);
#endif
#endif
