/*
 * The guest's device bus: every port range (and guest-physical MMIO range) a virtual device
 * answers, registered once with its callbacks and its owner's name. The port-I/O exit (and,
 * the MMIO path, guest/gva.c) dispatches through it; what no device claims reads as all-ones.
 */
#ifndef UMBRA_GUEST_DEVICES_BUS_H
#define UMBRA_GUEST_DEVICES_BUS_H

#include <stdbool.h>
#include <stdint.h>

enum bus_space {
	BUS_PORT,		/* the 64 KiB I/O port space */
	BUS_MMIO,		/* guest-physical addresses that are no RAM */
};

/* A register read or write at offset from the start of the device's range, size bytes wide
 * (1, 2 or 4 for ports; up to 8 for MMIO). A read returns the value in its low size bytes. */
typedef uint64_t (*bus_read_fn)(void *dev, uint64_t offset, unsigned size);
typedef void (*bus_write_fn)(void *dev, uint64_t offset, unsigned size, uint64_t value);

struct bus_range {
	enum bus_space space;
	uint64_t base, length;
	const char *owner;
	bus_read_fn read;	/* NULL: reads see all-ones */
	bus_write_fn write;	/* NULL: writes are ignored */
	void *dev;
	/* The device decodes single byte registers only: a wider access is split into byte
	 * accesses, each going to whichever range holds its own address, as on the ISA bus. */
	bool bytewise;
};

#define BUS_MAX_RANGES	32

struct device_bus {
	struct bus_range range[BUS_MAX_RANGES];
	unsigned count;
};

void bus_init(struct device_bus *b);
/* Adds r to the bus. False, and nothing added, when it is empty, wraps, overlaps a range of
 * the same space, or the table is full. */
bool bus_register(struct device_bus *b, const struct bus_range *r);
/* Moves the range of space whose device is dev to new_base (a local APIC page following
 * IA32_APIC_BASE). False, and nothing moved, when there is none or it would overlap another. */
bool bus_move(struct device_bus *b, enum bus_space space, const void *dev, uint64_t new_base);
/* The range of space that holds addr, or NULL. */
const struct bus_range *bus_find(const struct device_bus *b, enum bus_space space, uint64_t addr);
/* One access of size bytes at addr. A read with no device at addr gives all-ones of its width.
 * Each returns false when no device holds addr (the caller reports it). */
bool bus_read(const struct device_bus *b, enum bus_space space, uint64_t addr, unsigned size,
	      uint64_t *value);
bool bus_write(const struct device_bus *b, enum bus_space space, uint64_t addr, unsigned size,
	       uint64_t value);

#endif
