/* The serial console's Ctrl-A escape keys: switch between the guest console and the monitor. */
#ifndef UMBRA_GUEST_CONSOLE_CONSOLE_MUX_H
#define UMBRA_GUEST_CONSOLE_CONSOLE_MUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/console/monitor.h"

#define MUX_ESCAPE_KEY	0x01		/* Ctrl-A */
#define MUX_RING_SIZE	16384		/* guest output held while the monitor is open */

/* What the caller does with one typed byte. */
enum mux_action {
	MUX_NONE,	/* consumed by an escape key */
	MUX_GUEST,	/* give the byte to the guest's UART */
	MUX_MONITOR,	/* the monitor took it */
	MUX_POWEROFF,	/* the user asked to power off (Ctrl-A x) */
};

/* The caller owns it (it is big: keep it static or in a larger structure, not on the stack). */
struct console_mux {
	struct monitor *mon;	/* the monitor shown by Ctrl-A c */
	struct monitor_out out;	/* the serial console */
	bool monitor_open;
	bool escape;		/* Ctrl-A was typed, the key that follows is a command */
	size_t ring_head, ring_len;
	uint64_t dropped;	/* guest bytes lost because the ring was full */
	char ring[MUX_RING_SIZE];
};

void console_mux_init(struct console_mux *m, struct monitor *mon, const struct monitor_out *out);
/* Handles one byte typed on the serial console. */
enum mux_action console_mux_input(struct console_mux *m, uint8_t c);
/* Guest output: written through now, or held while the monitor is open. */
void console_mux_guest_output(struct console_mux *m, const char *s, size_t n);
/* The same for one byte, shaped for vuart_init(): ctx is the struct console_mux. */
void console_mux_guest_tx(void *ctx, uint8_t byte);
/* Opens or closes the monitor (closing writes out the held guest output). */
void console_mux_set_monitor(struct console_mux *m, bool open);

#endif
