/* The guest's device bus (see bus.h): one table, one dispatch for reads and writes. */
#include "guest/devices/bus.h"
#include "lib/string.h"

static uint64_t ones(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

void bus_init(struct device_bus *b)
{
	memset(b, 0, sizeof(*b));
}

static bool ranges_overlap(const struct bus_range *a, const struct bus_range *b)
{
	return a->space == b->space && a->base < b->base + b->length && b->base < a->base + a->length;
}

bool bus_register(struct device_bus *b, const struct bus_range *r)
{
	if (!r->length || r->base + r->length < r->base || b->count >= BUS_MAX_RANGES)
		return false;
	if (r->space == BUS_PORT && r->base + r->length > 0x10000)
		return false;
	for (unsigned i = 0; i < b->count; i++)
		if (ranges_overlap(&b->range[i], r))
			return false;
	b->range[b->count++] = *r;
	return true;
}

bool bus_move(struct device_bus *b, enum bus_space space, const void *dev, uint64_t new_base)
{
	for (unsigned i = 0; i < b->count; i++) {
		struct bus_range moved = b->range[i];

		if (moved.space != space || moved.dev != dev)
			continue;
		moved.base = new_base;
		if (new_base + moved.length < new_base)
			return false;
		for (unsigned j = 0; j < b->count; j++)
			if (j != i && ranges_overlap(&b->range[j], &moved))
				return false;
		b->range[i] = moved;
		return true;
	}
	return false;
}

const struct bus_range *bus_find(const struct device_bus *b, enum bus_space space, uint64_t addr)
{
	for (unsigned i = 0; i < b->count; i++) {
		const struct bus_range *r = &b->range[i];

		if (r->space == space && addr >= r->base && addr - r->base < r->length)
			return r;
	}
	return NULL;
}

static uint64_t range_read(const struct bus_range *r, uint64_t addr, unsigned size)
{
	return (r->read ? r->read(r->dev, addr - r->base, size) : ~0ULL) & ones(size);
}

static void range_write(const struct bus_range *r, uint64_t addr, unsigned size, uint64_t value)
{
	if (r->write)
		r->write(r->dev, addr - r->base, size, value & ones(size));
}

bool bus_read(const struct device_bus *b, enum bus_space space, uint64_t addr, unsigned size,
	      uint64_t *value)
{
	const struct bus_range *r = bus_find(b, space, addr);

	if (!r) {
		*value = ones(size);
		return false;
	}
	if (!r->bytewise || size == 1) {
		*value = range_read(r, addr, size);
		return true;
	}
	*value = 0;
	for (unsigned i = 0; i < size; i++) {
		const struct bus_range *ri = bus_find(b, space, addr + i);
		uint64_t byte = ri ? range_read(ri, addr + i, 1) : 0xff;

		*value |= byte << (8 * i);
	}
	return true;
}

bool bus_write(const struct device_bus *b, enum bus_space space, uint64_t addr, unsigned size,
	       uint64_t value)
{
	const struct bus_range *r = bus_find(b, space, addr);

	if (!r)
		return false;
	if (!r->bytewise || size == 1) {
		range_write(r, addr, size, value);
		return true;
	}
	for (unsigned i = 0; i < size; i++) {
		const struct bus_range *ri = bus_find(b, space, addr + i);

		if (ri)
			range_write(ri, addr + i, 1, value >> (8 * i));
	}
	return true;
}
