/* Virtual 8259A PICs (Intel 8259A data sheet: ICW1-4, OCW1-3): fully nested priority, special
 * mask mode, the poll command, auto-EOI, and edge or level triggering per input from the ELCR
 * (Intel PIIX data sheet) or ICW1 LTIM. */
#include "guest/devices/vpic.h"
#include "guest/devices/bus.h"
#include "lib/string.h"

#define ICW1_INIT	0x10	/* a command-port write with bit 4 set starts initialization */
#define ICW1_LTIM	0x08
#define ICW1_SNGL	0x02	/* single chip: no ICW3 */
#define ICW1_ICW4	0x01
#define ICW4_AEOI	0x02
#define OCW2_EOI	0x20
#define OCW2_SPECIFIC	0x40
#define OCW3_SELECT	0x08	/* bit 3 set (and bit 4 clear) marks OCW3 */
#define OCW3_ESMM	0x40	/* bit 5 (SMM) sets or clears special mask mode */
#define OCW3_SMM	0x20
#define OCW3_POLL	0x04
#define OCW3_READ_ISR	0x03
#define OCW3_READ_IRR	0x02
#define POLL_INTERRUPT	0x80	/* poll word: bit 7 set, the level in bits 2:0 */
#define CASCADE_IRQ	2

void vpic_init(struct vpic *p)
{
	memset(p, 0, sizeof(*p));
	p->chip[0].imr = p->chip[1].imr = 0xff;
	p->chip[0].vector_base = 0x08;	/* the PC BIOS's defaults */
	p->chip[1].vector_base = 0x70;
}

static uint8_t level_triggered(const struct vpic_chip *c)
{
	return c->ltim ? 0xff : c->elcr;
}

/* The highest-priority requested, unmasked input of one chip that no in-service one blocks
 * (extra_irr: the slave's request on the master's cascade input). */
static int chip_pending(const struct vpic_chip *c, uint8_t extra_irr)
{
	uint8_t req = (c->irr | extra_irr) & ~c->imr;

	for (int i = 0; i < 8; i++) {
		uint8_t bit = 1u << i;

		if ((c->isr & bit) && !c->special_mask)
			return -1;	/* fully nested mode: an equal or higher one is in service */
		if ((req & bit) && !(c->isr & bit))
			return i;
	}
	return -1;
}

static uint8_t slave_request(const struct vpic *p)
{
	return chip_pending(&p->chip[1], 0) >= 0 ? 1u << CASCADE_IRQ : 0;
}

int vpic_pending(const struct vpic *p)
{
	int slave = chip_pending(&p->chip[1], 0);
	int master = chip_pending(&p->chip[0], slave_request(p));

	if (master < 0)
		return -1;
	if (master == CASCADE_IRQ && slave >= 0)
		return p->chip[1].vector_base + slave;
	return master == CASCADE_IRQ ? -1 : p->chip[0].vector_base + master;
}

/* Input irq of chip c is taken (INTA, or a poll read): its request goes, and it is in service
 * unless auto-EOI ends it at once. */
static void chip_take(struct vpic_chip *c, int irq)
{
	c->irr &= ~(1u << irq);
	if (!c->auto_eoi)
		c->isr |= 1u << irq;
}

int vpic_acknowledge(struct vpic *p)
{
	int vector = vpic_pending(p);
	int slave = chip_pending(&p->chip[1], 0);

	if (vector < 0)
		return -1;
	if (slave >= 0 && vector == p->chip[1].vector_base + slave) {
		chip_take(&p->chip[1], slave);
		chip_take(&p->chip[0], CASCADE_IRQ);
	} else {
		chip_take(&p->chip[0], vector - p->chip[0].vector_base);
	}
	return vector;
}

void vpic_set_line(struct vpic *p, unsigned irq, bool level)
{
	struct vpic_chip *c = &p->chip[irq >= 8];
	uint8_t bit = 1u << (irq & 7);

	if (level_triggered(c) & bit) {
		if (level)
			c->irr |= bit;	/* requested while high */
		else
			c->irr &= ~bit;
	} else if (level && !(c->lines & bit)) {
		c->irr |= bit;		/* edge triggered: the rising edge is the request */
	}
	if (level)
		c->lines |= bit;
	else
		c->lines &= ~bit;
}

/* End of interrupt: non-specific clears the highest-priority in-service bit. */
static void chip_eoi(struct vpic_chip *c, uint8_t ocw2)
{
	if (ocw2 & OCW2_SPECIFIC) {
		c->isr &= ~(1u << (ocw2 & 7));
		return;
	}
	for (int i = 0; i < 8; i++) {
		if (c->isr & (1u << i)) {
			c->isr &= ~(1u << i);
			return;
		}
	}
}

/* ICW1 clears the mask, the requests in service, special mask mode and every ICW4 option
 * (data sheet, "Initialization command words"). */
static void chip_icw1(struct vpic_chip *c, uint8_t v)
{
	c->init_step = 1;
	c->icw4_needed = v & ICW1_ICW4;
	c->single = v & ICW1_SNGL;
	c->ltim = v & ICW1_LTIM;
	c->imr = c->isr = c->irr = 0;
	c->auto_eoi = c->special_mask = c->poll = c->read_isr = false;
}

static void chip_ocw3(struct vpic_chip *c, uint8_t v)
{
	if (v & OCW3_ESMM)
		c->special_mask = v & OCW3_SMM;
	if (v & OCW3_POLL)
		c->poll = true;
	if ((v & OCW3_READ_ISR) == OCW3_READ_ISR)
		c->read_isr = true;
	else if ((v & OCW3_READ_ISR) == OCW3_READ_IRR)
		c->read_isr = false;
}

static void chip_data_write(struct vpic_chip *c, uint8_t v)
{
	switch (c->init_step) {
	case 1:
		c->vector_base = v & 0xf8;	/* ICW2: vector bits 7:3 */
		c->init_step = c->single ? (c->icw4_needed ? 3 : 0) : 2;
		return;
	case 2:				/* ICW3: cascade wiring, fixed here */
		c->init_step = c->icw4_needed ? 3 : 0;
		return;
	case 3:				/* ICW4: 8086 mode assumed; AEOI kept */
		c->auto_eoi = v & ICW4_AEOI;
		c->init_step = 0;
		return;
	}
	c->imr = v;			/* OCW1 */
}

void vpic_write(struct vpic *p, unsigned chip, unsigned offset, uint8_t v)
{
	struct vpic_chip *c = &p->chip[chip];

	if (offset)
		chip_data_write(c, v);
	else if (v & ICW1_INIT)
		chip_icw1(c, v);
	else if ((v & 0x18) == OCW3_SELECT)
		chip_ocw3(c, v);
	else if (v & OCW2_EOI)
		chip_eoi(c, v);
}

/* The poll word (OCW3 P): the highest request and its level, taken as an INTA would take it;
 * 0 when nothing is pending. The master sees the slave's request on its cascade input. */
static uint8_t chip_poll(struct vpic *p, unsigned chip)
{
	struct vpic_chip *c = &p->chip[chip];
	int irq = chip_pending(c, chip == 0 ? slave_request(p) : 0);

	c->poll = false;
	if (irq < 0)
		return 0;
	chip_take(c, irq);
	return POLL_INTERRUPT | (uint8_t)irq;
}

uint8_t vpic_read(struct vpic *p, unsigned chip, unsigned offset)
{
	struct vpic_chip *c = &p->chip[chip];

	if (offset)
		return c->imr;
	if (c->poll)
		return chip_poll(p, chip);
	return c->read_isr ? c->isr : c->irr;
}

static uint64_t vpic_master_read(void *dev, uint64_t offset, unsigned size)
{
	(void)size;	/* bytewise: always 1 */
	return vpic_read(dev, 0, (unsigned)offset);
}

static void vpic_master_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	(void)size;
	vpic_write(dev, 0, (unsigned)offset, (uint8_t)value);
}

static uint64_t vpic_slave_read(void *dev, uint64_t offset, unsigned size)
{
	(void)size;
	return vpic_read(dev, 1, (unsigned)offset);
}

static void vpic_slave_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	(void)size;
	vpic_write(dev, 1, (unsigned)offset, (uint8_t)value);
}

/* ELCR (PIIX data sheet, "ELCR1/ELCR2"): a set bit makes the input level triggered. */
static uint64_t vpic_elcr_read(void *dev, uint64_t offset, unsigned size)
{
	struct vpic *p = dev;

	(void)size;
	return p->chip[offset].elcr;
}

static void vpic_elcr_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	struct vpic *p = dev;

	(void)size;
	p->chip[offset].elcr = (uint8_t)value & (offset ? VPIC_ELCR_SLAVE_MASK :
							  VPIC_ELCR_MASTER_MASK);
}

bool vpic_attach(struct vpic *p, struct device_bus *b)
{
	return bus_register(b, &(struct bus_range){ BUS_PORT, VPIC_MASTER_PORT, 2, "pic-master",
						    vpic_master_read, vpic_master_write, p,
						    true }) &&
	       bus_register(b, &(struct bus_range){ BUS_PORT, VPIC_SLAVE_PORT, 2, "pic-slave",
						    vpic_slave_read, vpic_slave_write, p, true }) &&
	       bus_register(b, &(struct bus_range){ BUS_PORT, VPIC_ELCR_PORT, 2, "pic-elcr",
						    vpic_elcr_read, vpic_elcr_write, p, true });
}
