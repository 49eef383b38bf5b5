/*
 * A guest that prints one line, then spins with interrupts disabled and never exits again
 * (`cli; 1: inc %eax; jmp 1b`). Only Umbra's own tick gives it control back, so the monitor
 * must answer from the tick alone (tests/emu/tests_hostile_intercepts.py drives the console).
 */
#include "guest.h"

void guest_main(void)
{
	gprintf("hostile: spinning with interrupts off, no exits\n");
	__asm__ volatile("cli\n"
			 "1:\tinc %%eax\n\t"
			 "jmp 1b" : : : "eax", "memory");
}
