/* Host 16550 serial driver: polled output and input, robust against a missing UART. */
#include "arch/serial.h"
#include "arch/io.h"
#include "arch/uart16550.h"

#define SERIAL_TX_SPINS 100000	/* about 10 ms of polling at any plausible port speed */

/* A UART is there if its scratch register keeps a value and loopback mode echoes a byte. */
static bool serial_probe(uint16_t base)
{
	bool ok;

	outb(base + UART_SCR, 0x5a);
	if (inb(base + UART_SCR) != 0x5a)
		return false;
	outb(base + UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_DTR);
	outb(base + UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX | UART_FCR_CLR_TX);
	(void)inb(base + UART_RBR);
	outb(base + UART_THR, 0xae);
	for (int i = 0; i < SERIAL_TX_SPINS && !(inb(base + UART_LSR) & UART_LSR_DR); i++)
		;
	ok = inb(base + UART_RBR) == 0xae;
	outb(base + UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
	return ok;
}

bool serial_init(struct serial_port *sp, uint16_t base, uint32_t baud)
{
	uint32_t divisor = baud ? UART_CLOCK_HZ / 16 / baud : 1;

	sp->base = base;
	sp->present = false;
	outb(base + UART_IER, 0);		/* polled: no interrupts yet */
	outb(base + UART_LCR, UART_LCR_DLAB);
	outb(base + UART_DLL, divisor & 0xff);
	outb(base + UART_DLM, (divisor >> 8) & 0xff);
	outb(base + UART_LCR, UART_LCR_8N1);
	if (!serial_probe(base))
		return false;
	outb(base + UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX | UART_FCR_CLR_TX);
	sp->present = true;
	return true;
}

void serial_putc(struct serial_port *sp, char c)
{
	if (!sp->present)
		return;
	for (int i = 0; i < SERIAL_TX_SPINS; i++)
		if (inb(sp->base + UART_LSR) & UART_LSR_THRE)
			break;
	outb(sp->base + UART_THR, (uint8_t)c);
}

int serial_getc(struct serial_port *sp)
{
	if (!sp->present || !(inb(sp->base + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(sp->base + UART_RBR);
}

void serial_write_text(void *port, const char *s, unsigned long len)
{
	struct serial_port *sp = port;

	for (unsigned long i = 0; i < len; i++) {
		if (s[i] == '\n' && sp->last_sent != '\r')
			serial_putc(sp, '\r');
		serial_putc(sp, s[i]);
		sp->last_sent = s[i];
	}
}
