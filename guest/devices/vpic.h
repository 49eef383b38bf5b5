/* The guest's virtual 8259A pair (master at 0x20, slave at 0xA0): enough for a guest to take
 * its UART's interrupt. */
#ifndef UMBRA_GUEST_DEVICES_VPIC_H
#define UMBRA_GUEST_DEVICES_VPIC_H

#include <stdbool.h>
#include <stdint.h>

struct vpic_chip {
	uint8_t irr, isr, imr;		/* request, in-service, mask registers */
	uint8_t vector_base;		/* ICW2 */
	uint8_t init_step;		/* 0: ready; 1..3: expecting ICW2..ICW4 */
	bool icw4_needed;
	bool read_isr;			/* OCW3: command-port reads return ISR (else IRR) */
	uint8_t lines;			/* input line levels (level-sensitive view of edge inputs) */
};

struct vpic {
	struct vpic_chip chip[2];	/* master, slave (cascaded on master IRQ 2) */
};

struct device_bus;

#define VPIC_MASTER_PORT	0x20	/* command 0x20, data 0x21 */
#define VPIC_SLAVE_PORT		0xa0	/* command 0xa0, data 0xa1 */

void vpic_init(struct vpic *p);
/* Puts both chips' ports on the bus; false when they do not fit. */
bool vpic_attach(struct vpic *p, struct device_bus *b);
/* Sets the level of input line irq (0-15); a rising edge requests an interrupt. */
void vpic_set_line(struct vpic *p, unsigned irq, bool level);
/* The vector the PICs would deliver now, or -1 (8259A priority: lower IRQ first, not masked,
 * not below one in service). */
int vpic_pending(const struct vpic *p);
/* The CPU takes the pending interrupt: IRR to ISR; returns its vector (or -1). */
int vpic_acknowledge(struct vpic *p);

#endif
