/* The guest's virtual 8259A pair (master at 0x20, slave at 0xA0): enough for a guest to take
 * its UART's interrupt. */
#ifndef UMBRA_GUEST_VPIC_H
#define UMBRA_GUEST_VPIC_H

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

void vpic_init(struct vpic *p);
/* A port access at 0x20/0x21/0xA0/0xA1; false for other ports. */
bool vpic_io(struct vpic *p, uint16_t port, bool in, uint8_t *value);
/* Sets the level of input line irq (0-15); a rising edge requests an interrupt. */
void vpic_set_line(struct vpic *p, unsigned irq, bool level);
/* The vector the PICs would deliver now, or -1 (8259A priority: lower IRQ first, not masked,
 * not below one in service). */
int vpic_pending(const struct vpic *p);
/* The CPU takes the pending interrupt: IRR to ISR; returns its vector (or -1). */
int vpic_acknowledge(struct vpic *p);

#endif
