/* The debug-exit port (see debug_exit.h). Reads see all-ones. */
#include "guest/devices/debug_exit.h"
#include "guest/devices/bus.h"
#include "guest/guest.h"
#include "arch/stop.h"

static void debug_exit_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	struct guest *g = dev;

	(void)offset;
	(void)size;
	g->exit_value = value & 0xff;
	guest_stop(g, GUEST_STOP_DEBUG_EXIT, "debug exit 0x%02x", g->exit_value);
}

bool debug_exit_attach(struct guest *g, struct device_bus *b)
{
	return bus_register(b, &(struct bus_range){ BUS_PORT, QEMU_DEBUG_EXIT_PORT, 1, "debug-exit",
						    NULL, debug_exit_write, g, false });
}
