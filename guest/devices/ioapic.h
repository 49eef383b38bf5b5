/*
 * The guest's I/O APIC, an Intel 82093AA (datasheet order 290566): IOREGSEL and IOWIN in a
 * 4 KiB page at FEC00000H, the ID, version (24 entries) and arbitration registers, and 24
 * redirection entries, edge or level triggered, with remote IRR cleared by the local APIC's EOI.
 * Pure: its interrupt messages leave through a callback, so the host unit tests see them.
 */
#ifndef UMBRA_GUEST_DEVICES_IOAPIC_H
#define UMBRA_GUEST_DEVICES_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/apic.h"

/* One interrupt message (82093AA 3.2.4): to destination dest, physical or logical. */
struct ioapic_msg {
	uint8_t vector;
	uint8_t delivery;	/* APIC_DM_* */
	bool logical;
	bool level;
	uint8_t dest;
};

/* Sends a message; returns whether an APIC accepted it (a level-triggered one that nobody took
 * leaves remote IRR clear). */
typedef bool (*ioapic_send_fn)(void *ctx, const struct ioapic_msg *m);

struct ioapic_stats {
	uint64_t sent;
	uint64_t masked_edges;		/* rising edges on masked pins: lost, as on the 82093AA */
	uint64_t eois;			/* remote IRRs an EOI cleared */
};

struct ioapic {
	uint8_t regsel;
	uint32_t id;			/* bits 27:24 */
	uint64_t redir[IOAPIC_PINS];
	uint32_t lines;			/* input pin levels, after polarity: bit set = asserted */
	ioapic_send_fn send;
	void *send_ctx;
	struct ioapic_stats stats;
};

struct device_bus;

/* Reset (3.2.4: every entry masked, the rest 0). */
void ioapic_init(struct ioapic *io, ioapic_send_fn send, void *ctx);
/* Registers the page at base on the bus. */
bool ioapic_attach(struct ioapic *io, struct device_bus *b, uint64_t base);
/* IOREGSEL/IOWIN at offset of the page. */
uint64_t ioapic_mmio_read(struct ioapic *io, uint64_t offset, unsigned size);
void ioapic_mmio_write(struct ioapic *io, uint64_t offset, unsigned size, uint64_t value);
/* The level of input pin (0-23), active high as the ISA lines are (an active-low entry,
 * polarity 1, sees it inverted). */
void ioapic_set_line(struct ioapic *io, unsigned pin, bool level);
/* The local APIC EOIed a level-triggered vector: remote IRR clears on the entries with that
 * vector, and a line still asserted sends again (3.2.4 "Remote IRR"). */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

#endif
