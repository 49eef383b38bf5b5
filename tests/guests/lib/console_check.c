/* Waiting for the harness: it exercises Umbra's monitor, then types "q" (hostile guests' end). */
#include "guest.h"
#include "x86.h"

#include "arch/uart16550.h"

void guest_wait_for_q(void)
{
	char last = 0;

	for (;;) {
		char c;

		while (!(inb(COM1_BASE + UART_LSR) & UART_LSR_DR))
			;
		c = (char)inb(COM1_BASE + UART_RBR);
		if ((c == '\r' || c == '\n') && last == 'q')
			return;
		last = c;
	}
}

void guest_finish_after_console_check(void)
{
	gprintf("hostile: console check\n");
	guest_wait_for_q();
	guest_finish();
}
