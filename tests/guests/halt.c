/* halt: HLT with interrupts disabled can never wake up, so Umbra must stop the guest. */
#include "guest.h"

void guest_main(void)
{
	gprintf("halting with interrupts disabled\n");
	cli();
	hlt();
	/* An NMI or SMI could wake it; Umbra delivers neither, so reaching this is a failure. */
	gprintf("FAIL: hlt with interrupts disabled returned\n");
	guest_exit(GUEST_EXIT_FAIL);
}
