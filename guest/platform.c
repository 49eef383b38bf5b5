/*
 * The guest's virtual PC: the 8259A pair and its ELCR, the 8254 PIT and port 0x61, the CMOS
 * RTC, the i8042, ports 0x80 and 0x92, COM1, the ACPI PM1a blocks and PM timer, the debug-exit
 * port and Umbra's counter port, each registered on the device bus. Devices that keep time
 * read the guest's clock. A device added later is one more line here.
 */
#include "guest/platform.h"
#include "guest/clock.h"
#include "guest/console/console.h"
#include "guest/devices/bus.h"
#include "guest/devices/counter_port.h"
#include "guest/devices/debug_exit.h"
#include "guest/devices/post_port.h"
#include "guest/guest.h"
#include "arch/uart16550.h"

/* SLP_EN with the S5 sleep type in PM1a_CNT: the guest turned itself off. */
static void platform_guest_power_off(void *ctx)
{
	guest_stop(ctx, GUEST_STOP_POWEROFF, "the guest powered off (ACPI S5)");
}

/* The i8042's reset line and port 0x92's fast reset. */
static void platform_guest_reset(void *ctx, const char *why)
{
	guest_stop(ctx, GUEST_STOP_GUEST_RESET, "%s", why);
}

static void platform_devices_init(struct guest *g, uint64_t ram_size)
{
	struct dev_clock clock = { guest_clock_now, g };

	vpic_init(&g->pic);
	vpit_init(&g->pit, clock);
	port61_init(&g->port61, &g->pit, clock);
	vrtc_init(&g->rtc, clock, VRTC_DEFAULT_START, ram_size);
	i8042_init(&g->kbd, platform_guest_reset, g);
	port92_init(&g->port92, platform_guest_reset, g);
	vuart_init(&g->uart, console_guest_tx, NULL);
	acpi_pm_init(&g->acpi_pm, clock, ACPI_PM_TMR_BITS, platform_guest_power_off, g);
}

bool guest_platform_init(struct guest *g, uint64_t ram_size)
{
	guest_clock_start(g);
	bus_init(&g->bus);
	platform_devices_init(g, ram_size);
	return vpic_attach(&g->pic, &g->bus) &&
	       vpit_attach(&g->pit, &g->bus) &&
	       port61_attach(&g->port61, &g->bus) &&
	       vrtc_attach(&g->rtc, &g->bus) &&
	       i8042_attach(&g->kbd, &g->bus) &&
	       post_port_attach(&g->bus) &&
	       port92_attach(&g->port92, &g->bus) &&
	       vuart_attach(&g->uart, &g->bus, COM1_BASE) &&
	       acpi_pm_attach(&g->acpi_pm, &g->bus) &&
	       debug_exit_attach(g, &g->bus) &&
	       counter_port_attach(g, &g->bus);
}
