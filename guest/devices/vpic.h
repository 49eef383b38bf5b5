/* The guest's virtual 8259A pair (master at 0x20, slave at 0xA0) and the PIIX edge/level
 * control registers (ELCR) at 0x4d0/0x4d1. */
#ifndef UMBRA_GUEST_DEVICES_VPIC_H
#define UMBRA_GUEST_DEVICES_VPIC_H

#include <stdbool.h>
#include <stdint.h>

struct vpic_chip {
	uint8_t irr, isr, imr;		/* request, in-service, mask registers */
	uint8_t vector_base;		/* ICW2 */
	uint8_t init_step;		/* 0: ready; 1..3: expecting ICW2..ICW4 */
	bool icw4_needed, single;	/* ICW1 IC4 and SNGL */
	bool ltim;			/* ICW1 LTIM: every input level triggered */
	bool auto_eoi;			/* ICW4 AEOI: acknowledging does not set ISR */
	bool special_mask;		/* OCW3 SMM: in-service levels block no other level */
	bool poll;			/* OCW3 P: the next command-port read is the poll word */
	bool read_isr;			/* OCW3: command-port reads return ISR (else IRR) */
	uint8_t elcr;			/* ELCR: inputs that are level triggered */
	uint8_t lines;			/* input line levels */
};

struct vpic {
	struct vpic_chip chip[2];	/* master, slave (cascaded on master IRQ 2) */
};

struct device_bus;

#define VPIC_MASTER_PORT	0x20	/* command 0x20, data 0x21 */
#define VPIC_SLAVE_PORT		0xa0	/* command 0xa0, data 0xa1 */
#define VPIC_ELCR_PORT		0x4d0	/* master's ELCR, then the slave's */
/* Inputs that are edge triggered on the PC whatever the ELCR says: IRQ 0-2 (timer, keyboard,
 * cascade), IRQ 8 (RTC) and IRQ 13 (FPU); their ELCR bits read 0 (Intel PIIX data sheet). */
#define VPIC_ELCR_MASTER_MASK	0xf8
#define VPIC_ELCR_SLAVE_MASK	0xde

void vpic_init(struct vpic *p);
/* Puts both chips' ports and the ELCR on the bus; false when they do not fit. */
bool vpic_attach(struct vpic *p, struct device_bus *b);
/* Sets the level of input line irq (0-15). An edge-triggered input requests an interrupt on
 * the rising edge; a level-triggered one (ELCR, ICW1 LTIM) requests it while high. */
void vpic_set_line(struct vpic *p, unsigned irq, bool level);
/* The vector the PICs would deliver now, or -1 (8259A priority: lower IRQ first, not masked,
 * not below one in service unless in special mask mode). */
int vpic_pending(const struct vpic *p);
/* The CPU takes the pending interrupt: IRR to ISR (none in auto-EOI); returns its vector (or
 * -1). */
int vpic_acknowledge(struct vpic *p);
/* Port access: chip 0 (master) or 1 (slave), offset 0 (command) or 1 (data). */
uint8_t vpic_read(struct vpic *p, unsigned chip, unsigned offset);
void vpic_write(struct vpic *p, unsigned chip, unsigned offset, uint8_t value);

#endif
