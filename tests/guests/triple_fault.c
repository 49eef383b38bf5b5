/* triple_fault: an exception with an empty IDT must shut the guest down, not return. */
#include "desc.h"
#include "guest.h"

void guest_main(void)
{
	/*
	 * With limit 0 no gate is readable: INT3 raises #GP, delivering that raises #DF, and
	 * failing to deliver #DF is a triple fault (SDM Vol. 3A 6.15, "Interrupt 8").
	 */
	static const struct desc_ptr32 empty_idt = { .limit = 0, .base = 0 };

	gprintf("about to triple fault\n");
	lidt(&empty_idt);
	__asm__ volatile("int3");
	/* Still here: the IDT was not the guest's, or the shutdown was not done. */
	idt_init();
	gprintf("FAIL: int3 with an empty IDT returned\n");
	guest_exit(GUEST_EXIT_FAIL);
}
