/*
 * Privilege level 3 for test guests that keep paging off (user.h is the one for paged guests):
 * a GDT with user segments and two TSSs, and a way to run a C function at CPL3 under try_call.
 * With paging off, every byte is reachable from CPL3 too.
 */
#ifndef GUEST_RING3_H
#define GUEST_RING3_H

#include <stdbool.h>
#include <stdint.h>

#include "fault.h"

/* Selectors of ring3.c's GDT; entries 1-3 are those of desc.h, so the IDT stays valid. */
#define RING3_SEL_CODE	0x23	/* index 4, RPL 3: flat 32-bit code, DPL 3 */
#define RING3_SEL_DATA	0x2b	/* index 5, RPL 3: flat data, DPL 3 */
#define RING3_SEL_TSS	0x30	/* index 6: the running task (CPL0 stack for CPL3 code) */
#define RING3_SEL_TSS2	0x38	/* index 7: an idle task, for task-switch tests */
#define RING3_SEL_STACK16 0x40	/* index 8: a 16-bit stack segment (ring3_set_stack16) */

/* Loads the GDT with user segments and the TSSs, and TR. Call once, before the others. */
void ring3_init(void);

/*
 * Runs fn() at CPL3 with EFLAGS = eflags (bit 1 forced), on the stack ending at stack_top
 * (which may be misaligned on purpose). fn must not return normally unless it is done: its
 * return executes UD2. The result is the fault that ended it; ring3_returned() tells the UD2
 * of a normal return from a real fault.
 */
struct fault ring3_run(void (*fn)(void), uint32_t eflags, uint32_t stack_top);
bool ring3_returned(struct fault f);

/* A stack for ring3_run (16 KiB), 16-byte aligned at its top. */
uint32_t ring3_stack_top(void);

/* Points IDT vector at handler through a 32-bit interrupt gate whose code selector is sel (a
 * DPL 3 selector makes the handler run at CPL3, without a stack switch). */
void ring3_set_idt_gate(unsigned vector, uint32_t handler, uint16_t sel);

/* Makes RING3_SEL_STACK16 a 64 KiB expand-up data segment at base with B = 0, so a stack there
 * uses SP and wraps inside the segment (SDM Vol. 3A 3.4.5 "D/B flag"): a loop of event
 * deliveries on it never writes outside those 64 KiB. */
void ring3_set_stack16(uint32_t base);

/* Prepares the idle task of RING3_SEL_TSS2 to start at eip on stack esp, at CPL0. */
void ring3_prepare_task(uint32_t eip, uint32_t esp);

#endif
