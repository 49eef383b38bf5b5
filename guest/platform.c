/*
 * The guest's virtual PC: the 8259A pair, the 8254 PIT and port 0x61, COM1, the debug-exit port
 * and Umbra's counter port, each registered on the device bus. Devices that keep time read the
 * guest's clock. A device added later is one more line here.
 */
#include "guest/platform.h"
#include "guest/clock.h"
#include "guest/console/console.h"
#include "guest/devices/bus.h"
#include "guest/devices/counter_port.h"
#include "guest/devices/debug_exit.h"
#include "guest/guest.h"
#include "arch/uart16550.h"

bool guest_platform_init(struct guest *g)
{
	struct dev_clock clock = { guest_clock_now, g };

	guest_clock_start(g);
	bus_init(&g->bus);
	vpic_init(&g->pic);
	vpit_init(&g->pit, clock);
	port61_init(&g->port61, &g->pit, clock);
	vuart_init(&g->uart, console_guest_tx, NULL);
	return vpic_attach(&g->pic, &g->bus) &&
	       vpit_attach(&g->pit, &g->bus) &&
	       port61_attach(&g->port61, &g->bus) &&
	       vuart_attach(&g->uart, &g->bus, COM1_BASE) &&
	       debug_exit_attach(g, &g->bus) &&
	       counter_port_attach(g, &g->bus);
}
