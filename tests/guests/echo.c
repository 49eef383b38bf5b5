/* A guest that reads its console: each line typed on COM1 is echoed back as "guest got: LINE";
 * the line "q" ends the guest. The console tests drive it, and Umbra's monitor, over the wire. */
#include "guest.h"
#include "x86.h"

#include "arch/uart16550.h"
#include "lib/string.h"

/* Polls the virtual UART for one byte (each poll is a port-I/O exit, when Umbra looks at its
 * own serial port too). */
static char read_byte(void)
{
	while (!(inb(COM1_BASE + UART_LSR) & UART_LSR_DR))
		;
	return (char)inb(COM1_BASE + UART_RBR);
}

void guest_main(void)
{
	char line[64];
	unsigned n = 0;

	gprintf("console guest ready\n");
	for (;;) {
		char c = read_byte();

		if (c == '\r' || c == '\n') {
			line[n] = '\0';
			if (!n)
				continue;
			if (!strcmp(line, "q"))
				break;
			gprintf("guest got: %s\n", line);
			n = 0;
		} else if (n + 1 < sizeof(line)) {
			line[n++] = c;
		}
	}
	CHECK(true, "console input reached the guest");
}
