/* Virtual 8259A PICs (Intel 8259A data sheet: ICW1-4, OCW1-3), edge triggered, fully nested. */
#include "guest/devices/vpic.h"
#include "guest/devices/bus.h"
#include "lib/string.h"

#define ICW1_INIT	0x10	/* a command-port write with bit 4 set starts initialization */
#define ICW1_ICW4	0x01
#define OCW2_EOI	0x20
#define OCW2_SPECIFIC	0x40
#define OCW3_SELECT	0x08	/* bit 3 set (and bit 4 clear) marks OCW3 */
#define OCW3_READ_ISR	0x03
#define OCW3_READ_IRR	0x02
#define CASCADE_IRQ	2

void vpic_init(struct vpic *p)
{
	memset(p, 0, sizeof(*p));
	p->chip[0].imr = p->chip[1].imr = 0xff;
	p->chip[0].vector_base = 0x08;	/* the PC BIOS's defaults */
	p->chip[1].vector_base = 0x70;
}

/* The highest-priority requested, unmasked input of one chip that no in-service one blocks. */
static int chip_pending(const struct vpic_chip *c, uint8_t extra_irr)
{
	uint8_t req = (c->irr | extra_irr) & ~c->imr;

	for (int i = 0; i < 8; i++) {
		if (c->isr & (1u << i))
			return -1;	/* fully nested mode: an equal or higher one is in service */
		if (req & (1u << i))
			return i;
	}
	return -1;
}

int vpic_pending(const struct vpic *p)
{
	int slave = chip_pending(&p->chip[1], 0);
	int master = chip_pending(&p->chip[0], slave >= 0 ? 1u << CASCADE_IRQ : 0);

	if (master < 0)
		return -1;
	if (master == CASCADE_IRQ && slave >= 0)
		return p->chip[1].vector_base + slave;
	return master == CASCADE_IRQ ? -1 : p->chip[0].vector_base + master;
}

int vpic_acknowledge(struct vpic *p)
{
	int vector = vpic_pending(p);
	int slave = chip_pending(&p->chip[1], 0);

	if (vector < 0)
		return -1;
	if (slave >= 0 && vector == p->chip[1].vector_base + slave) {
		p->chip[1].irr &= ~(1u << slave);
		p->chip[1].isr |= 1u << slave;
		p->chip[0].isr |= 1u << CASCADE_IRQ;
	} else {
		unsigned irq = vector - p->chip[0].vector_base;

		p->chip[0].irr &= ~(1u << irq);
		p->chip[0].isr |= 1u << irq;
	}
	return vector;
}

void vpic_set_line(struct vpic *p, unsigned irq, bool level)
{
	struct vpic_chip *c = &p->chip[irq >= 8];
	uint8_t bit = 1u << (irq & 7);

	if (level && !(c->lines & bit))
		c->irr |= bit;		/* edge triggered: the rising edge is the request */
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

static void chip_write(struct vpic_chip *c, bool data_port, uint8_t v)
{
	if (!data_port && (v & ICW1_INIT)) {
		c->init_step = 1;
		c->icw4_needed = v & ICW1_ICW4;
		c->imr = 0;
		c->isr = c->irr = 0;
		c->read_isr = false;
		return;
	}
	if (!data_port) {
		if ((v & 0x18) == OCW3_SELECT) {
			if ((v & OCW3_READ_ISR) == OCW3_READ_ISR)
				c->read_isr = true;
			else if ((v & OCW3_READ_ISR) == OCW3_READ_IRR)
				c->read_isr = false;
		} else if (v & OCW2_EOI) {
			chip_eoi(c, v);
		}
		return;
	}
	switch (c->init_step) {
	case 1:
		c->vector_base = v & 0xf8;	/* ICW2: vector bits 7:3 */
		c->init_step = 2;
		return;
	case 2:				/* ICW3: cascade wiring, fixed here */
		c->init_step = c->icw4_needed ? 3 : 0;
		return;
	case 3:				/* ICW4: 8086 mode assumed */
		c->init_step = 0;
		return;
	}
	c->imr = v;			/* OCW1 */
}

static uint64_t vpic_bus_read(void *dev, uint64_t offset, unsigned size)
{
	struct vpic_chip *c = dev;

	(void)size;	/* bytewise: always 1 */
	return offset ? c->imr : (c->read_isr ? c->isr : c->irr);
}

static void vpic_bus_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	(void)size;
	chip_write(dev, offset, (uint8_t)value);
}

bool vpic_attach(struct vpic *p, struct device_bus *b)
{
	return bus_register(b, &(struct bus_range){ BUS_PORT, VPIC_MASTER_PORT, 2, "pic-master",
						    vpic_bus_read, vpic_bus_write, &p->chip[0],
						    true }) &&
	       bus_register(b, &(struct bus_range){ BUS_PORT, VPIC_SLAVE_PORT, 2, "pic-slave",
						    vpic_bus_read, vpic_bus_write, &p->chip[1],
						    true });
}
