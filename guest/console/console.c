/*
 * The serial console while a guest runs: bytes typed on Umbra's COM1 go to the guest's virtual
 * UART, or, after Ctrl-A c, to Umbra's monitor (console_mux.c, monitor.c, and the commands in
 * monitor_commands.c).
 */
#include "guest/console/console.h"
#include "guest/console/console_mux.h"
#include "guest/console/monitor.h"
#include "guest/console/monitor_commands.h"
#include "guest/guest.h"
#include "arch/ps2kbd.h"
#include "arch/serial.h"
#include "lib/printk.h"

/* The one console of this machine. */
static struct console_mux mux;
static struct monitor mon;
static struct serial_port *console_port;
static struct ps2kbd *console_keyboard;
static struct guest *console_guest;

static void console_out_write(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	log_write(s, n);
}

static const struct monitor_out console_out = { console_out_write, NULL };

void console_attach_guest(struct guest *g, struct serial_port *sp)
{
	static struct monitor_commands cmds;

	monitor_commands_for_guest(&cmds, g);
	console_port = sp;
	console_guest = g;
	monitor_init(&mon, &cmds, &console_out);
	console_mux_init(&mux, &mon, &console_out);
}

void console_guest_tx(void *ctx, uint8_t byte)
{
	(void)ctx;
	console_mux_guest_tx(&mux, byte);
}

void console_attach_keyboard(struct ps2kbd *kb)
{
	console_keyboard = kb;
}

/* One typed byte, from either input; false when it asked to power off. */
static bool console_input(uint8_t c)
{
	switch (console_mux_input(&mux, c)) {
	case MUX_GUEST:
		if (console_guest)
			vuart_receive(&console_guest->uart, c);
		return true;
	case MUX_POWEROFF:
		return false;
	default:
		return true;
	}
}

bool console_poll(void)
{
	int c;

	while (console_port && (c = serial_getc(console_port)) >= 0)
		if (!console_input((uint8_t)c))
			return false;
	while (console_keyboard && (c = ps2kbd_getc(console_keyboard)) >= 0)
		if (!console_input((uint8_t)c))
			return false;
	return true;
}

void console_open_monitor(void)
{
	console_mux_set_monitor(&mux, true);
}

bool console_monitor_open(void)
{
	return mux.monitor_open;
}
