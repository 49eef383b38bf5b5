/* Port 0x80 (see post_port.h): a range with no callbacks reads all-ones and ignores writes. */
#include <stddef.h>

#include "guest/devices/post_port.h"
#include "guest/devices/bus.h"

bool post_port_attach(struct device_bus *b)
{
	return bus_register(b, &(struct bus_range){ BUS_PORT, POST_PORT, 1, "post", NULL, NULL,
						    NULL, false });
}
