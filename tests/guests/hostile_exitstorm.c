/*
 * A guest that prints one line, then exits without end, but only in ways that are not Umbra's
 * tick, port I/O or HLT: `cli; 1: cpuid; jmp 1b`. Each exit re-enters at once, so a timer that
 * restarts at every entry (the VMX preemption timer) never expires, and with IF=0 Bochs's SVM
 * masks the PIT: the console must be served from the exits themselves.
 */
#include "guest.h"

void guest_main(void)
{
	gprintf("hostile: CPUID exits without end, interrupts off\n");
	__asm__ volatile("cli\n"
			 "1:\txorl %%eax, %%eax\n\t"
			 "cpuid\n\t"
			 "jmp 1b" : : : "eax", "ebx", "ecx", "edx", "memory");
}
