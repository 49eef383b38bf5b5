/* System control port B at 0x61 (see port61.h). */
#include "guest/devices/port61.h"
#include "guest/devices/bus.h"
#include "guest/devices/vpit.h"
#include "arch/pit.h"
#include "lib/muldiv.h"

#define PORT61_WRITABLE	0x0f
/* The PC/AT refreshes memory on PIT channel 1 in mode 2 with count 18, one request every
 * 15.085 us; bit 4 toggles with each (BIOS delay loops count the toggles). */
#define REFRESH_CLOCKS	18

void port61_init(struct port61 *s, struct vpit *pit, struct dev_clock clock)
{
	s->written = 0;
	s->pit = pit;
	s->clock = clock;
}

static bool refresh_toggle(uint64_t now)
{
	return (mul_div_u64(now, PIT_HZ, NS_PER_SECOND) / REFRESH_CLOCKS) & 1;
}

uint8_t port61_read(struct port61 *s, uint64_t now)
{
	return s->written | (refresh_toggle(now) ? PORT_B_REFRESH : 0) |
	       (vpit_out(s->pit, 2, now) ? PORT_B_OUT2 : 0);
}

void port61_write(struct port61 *s, uint8_t value, uint64_t now)
{
	s->written = value & PORT61_WRITABLE;
	vpit_set_gate(s->pit, 2, value & PORT_B_GATE2, now);
}

static uint64_t port61_bus_read(void *dev, uint64_t offset, unsigned size)
{
	struct port61 *s = dev;

	(void)offset;
	(void)size;
	return port61_read(s, dev_clock_now(&s->clock));
}

static void port61_bus_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	struct port61 *s = dev;

	(void)offset;
	(void)size;
	port61_write(s, (uint8_t)value, dev_clock_now(&s->clock));
}

bool port61_attach(struct port61 *s, struct device_bus *b)
{
	return bus_register(b, &(struct bus_range){ BUS_PORT, PORT_B, 1, "port61", port61_bus_read,
						    port61_bus_write, s, true });
}
