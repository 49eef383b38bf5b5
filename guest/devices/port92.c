/* System control port A at 0x92 (see port92.h). */
#include "guest/devices/port92.h"
#include "guest/devices/bus.h"

void port92_init(struct port92 *s, void (*reset)(void *ctx, const char *why), void *ctx)
{
	*s = (struct port92){ .value = PORT92_A20, .reset = reset, .reset_ctx = ctx };
}

uint8_t port92_read(const struct port92 *s)
{
	return s->value;
}

void port92_write(struct port92 *s, uint8_t value)
{
	s->value = value & ~PORT92_RESET;
	if (value & PORT92_RESET)
		s->reset(s->reset_ctx, "the guest reset the machine (port 0x92)");
}

static uint64_t port92_bus_read(void *dev, uint64_t offset, unsigned size)
{
	(void)offset;
	(void)size;
	return port92_read(dev);
}

static void port92_bus_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	(void)offset;
	(void)size;
	port92_write(dev, (uint8_t)value);
}

bool port92_attach(struct port92 *s, struct device_bus *b)
{
	return bus_register(b, &(struct bus_range){ BUS_PORT, PORT92, 1, "port92", port92_bus_read,
						    port92_bus_write, s, true });
}
