/* Host serial port driver (a 16550 on COM1 by default). */
#ifndef UMBRA_ARCH_SERIAL_H
#define UMBRA_ARCH_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

struct serial_port {
	uint16_t base;
	bool present;
};

/* Probes and programs the UART at base for baud 8N1; marks it absent when nothing answers. */
bool serial_init(struct serial_port *sp, uint16_t base, uint32_t baud);
/* Sends one byte; gives up after a bounded wait so a wedged UART cannot hang Umbra. */
void serial_putc(struct serial_port *sp, char c);
/* Returns the next received byte, or -1 when none is waiting. */
int serial_getc(struct serial_port *sp);

#endif
