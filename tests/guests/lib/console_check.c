/* The end of a hostile guest: wait for the harness to exercise Umbra's monitor, then finish. */
#include "guest.h"
#include "x86.h"

#include "arch/uart16550.h"

void guest_finish_after_console_check(void)
{
	char last = 0;

	gprintf("hostile: console check\n");
	for (;;) {
		char c;

		while (!(inb(COM1_BASE + UART_LSR) & UART_LSR_DR))
			;
		c = (char)inb(COM1_BASE + UART_RBR);
		if ((c == '\r' || c == '\n') && last == 'q')
			break;
		last = c;
	}
	guest_finish();
}
