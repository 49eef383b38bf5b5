/* The guest's 82093AA I/O APIC (see ioapic.h); section numbers are the datasheet's. */
#include "guest/devices/ioapic.h"
#include "guest/devices/bus.h"
#include "lib/string.h"

/* Bits of a redirection entry software writes (3.2.4): all but delivery status (12) and remote
 * IRR (14), and the reserved 55:17 (bits 16:0 and 63:56 are the entry's). */
#define REDIR_WRITABLE	(0xff00000000000000ULL | 0x1ffffULL)
#define REDIR_RO	((uint64_t)(IOAPIC_REDIR_STATUS | IOAPIC_REDIR_REMOTE_IRR))

void ioapic_init(struct ioapic *io, ioapic_send_fn send, void *ctx)
{
	memset(io, 0, sizeof(*io));
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		io->redir[i] = IOAPIC_REDIR_MASKED;
	io->send = send;
	io->send_ctx = ctx;
}

static bool pin_asserted(const struct ioapic *io, unsigned pin)
{
	bool raw = io->lines & (1u << pin);

	return (io->redir[pin] & IOAPIC_REDIR_POLARITY) ? !raw : raw;
}

/* Sends pin's interrupt: an edge always; a level one only while remote IRR is clear, which it
 * then sets until the EOI (3.2.4). */
static void pin_send(struct ioapic *io, unsigned pin)
{
	uint64_t e = io->redir[pin];
	struct ioapic_msg m = {
		.vector = e & 0xff,
		.delivery = (e >> 8) & 7,
		.logical = e & IOAPIC_REDIR_DEST_LOGICAL,
		.level = e & IOAPIC_REDIR_LEVEL,
		.dest = (uint8_t)(e >> IOAPIC_REDIR_DEST_SHIFT),
	};

	if (e & IOAPIC_REDIR_MASKED)
		return;
	if (m.level && (e & IOAPIC_REDIR_REMOTE_IRR))
		return;
	io->stats.sent++;
	if (io->send && io->send(io->send_ctx, &m) && m.level)
		io->redir[pin] |= IOAPIC_REDIR_REMOTE_IRR;
}

void ioapic_set_line(struct ioapic *io, unsigned pin, bool level)
{
	bool was;

	if (pin >= IOAPIC_PINS)
		return;
	was = pin_asserted(io, pin);
	io->lines = level ? io->lines | (1u << pin) : io->lines & ~(1u << pin);
	if (!pin_asserted(io, pin))
		return;
	if (io->redir[pin] & IOAPIC_REDIR_LEVEL) {
		pin_send(io, pin);
	} else if (!was) {
		if (io->redir[pin] & IOAPIC_REDIR_MASKED)
			io->stats.masked_edges++;
		pin_send(io, pin);
	}
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io->redir[pin];

		if ((e & 0xff) != vector || !(e & IOAPIC_REDIR_REMOTE_IRR))
			continue;
		io->redir[pin] &= ~(uint64_t)IOAPIC_REDIR_REMOTE_IRR;
		io->stats.eois++;
		if ((e & IOAPIC_REDIR_LEVEL) && pin_asserted(io, pin))
			pin_send(io, pin);
	}
}

/* The register IOREGSEL selects (3.2 table 2); unimplemented ones read 0. */
static uint32_t ioapic_reg_read(const struct ioapic *io, uint8_t reg)
{
	unsigned pin = (unsigned)(reg - IOAPIC_REG_REDIR) / 2;

	switch (reg) {
	case IOAPIC_REG_ID:
		return io->id;
	case IOAPIC_REG_VERSION:
		return IOAPIC_VERSION | ((IOAPIC_PINS - 1u) << 16);
	case IOAPIC_REG_ARB:
		return io->id;	/* 3.2.3: loaded from the ID */
	}
	if (reg < IOAPIC_REG_REDIR || pin >= IOAPIC_PINS)
		return 0;
	return (reg & 1) ? (uint32_t)(io->redir[pin] >> 32) : (uint32_t)io->redir[pin];
}

static void ioapic_reg_write(struct ioapic *io, uint8_t reg, uint32_t value)
{
	unsigned pin = (unsigned)(reg - IOAPIC_REG_REDIR) / 2;
	uint64_t e, w;

	if (reg == IOAPIC_REG_ID) {
		io->id = value & IOAPIC_ID_MASK;
		return;
	}
	if (reg < IOAPIC_REG_REDIR || pin >= IOAPIC_PINS)
		return;		/* version and arbitration are read-only */
	e = io->redir[pin];
	w = (reg & 1) ? ((uint64_t)value << 32) | (uint32_t)e : (e & ~0xffffffffULL) | value;
	io->redir[pin] = (w & REDIR_WRITABLE & ~REDIR_RO) | (e & REDIR_RO);
	/* An edge entry has no remote IRR to keep (3.2.4: it is defined for level only). */
	if (!(io->redir[pin] & IOAPIC_REDIR_LEVEL))
		io->redir[pin] &= ~(uint64_t)IOAPIC_REDIR_REMOTE_IRR;
	/* A level line asserted while masked is sent once unmasked. */
	if ((io->redir[pin] & IOAPIC_REDIR_LEVEL) && pin_asserted(io, pin))
		pin_send(io, pin);
}

/* 3.1: IOREGSEL at 00H (bits 7:0), IOWIN at 10H; both are 32-bit registers. */
uint64_t ioapic_mmio_read(struct ioapic *io, uint64_t offset, unsigned size)
{
	uint32_t v;

	if (offset < IOAPIC_IOREGSEL + 4)
		v = io->regsel;
	else if (offset >= IOAPIC_IOWIN && offset < IOAPIC_IOWIN + 4)
		v = ioapic_reg_read(io, io->regsel);
	else
		return 0;
	v >>= 8 * (offset & 3);
	return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

void ioapic_mmio_write(struct ioapic *io, uint64_t offset, unsigned size, uint64_t value)
{
	(void)size;
	if (offset == IOAPIC_IOREGSEL)
		io->regsel = (uint8_t)value;
	else if (offset == IOAPIC_IOWIN && size >= 4)
		ioapic_reg_write(io, io->regsel, (uint32_t)value);
}

static uint64_t ioapic_bus_read(void *dev, uint64_t offset, unsigned size)
{
	return ioapic_mmio_read(dev, offset, size);
}

static void ioapic_bus_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	ioapic_mmio_write(dev, offset, size, value);
}

bool ioapic_attach(struct ioapic *io, struct device_bus *b, uint64_t base)
{
	struct bus_range r = {
		.space = BUS_MMIO, .base = base, .length = IOAPIC_MMIO_SIZE, .owner = "ioapic",
		.read = ioapic_bus_read, .write = ioapic_bus_write, .dev = io,
	};

	return bus_register(b, &r);
}
