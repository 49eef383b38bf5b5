/* Host serial port driver (a 16550 on COM1 by default). */
#ifndef UMBRA_ARCH_SERIAL_H
#define UMBRA_ARCH_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

struct serial_port {
	uint16_t base;
	bool present;
	char last_sent;		/* for serial_write_text's line-end conversion */
};

/* Probes and programs the UART at base for baud 8N1; marks it absent when nothing answers. */
bool serial_init(struct serial_port *sp, uint16_t base, uint32_t baud);
/* Sends one byte; gives up after a bounded wait so a wedged UART cannot hang Umbra. */
void serial_putc(struct serial_port *sp, char c);
/* Sends text, turning \n into \r\n as terminals expect (a \r already sent gets no second
 * one). Its signature is that of a log sink (lib/printk.h), ctx being the port. */
void serial_write_text(void *port, const char *s, unsigned long len);
/* Returns the next received byte, or -1 when none is waiting. */
int serial_getc(struct serial_port *sp);

#endif
