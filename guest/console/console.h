/* The serial console while a guest runs: guest console, and Umbra's monitor after Ctrl-A c. */
#ifndef UMBRA_GUEST_CONSOLE_CONSOLE_H
#define UMBRA_GUEST_CONSOLE_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

struct guest;
struct ps2kbd;
struct serial_port;

/* Connects the console to guest g: typed bytes reach its UART, the monitor acts on it. */
void console_attach_guest(struct guest *g, struct serial_port *sp);
/* Adds the host's PS/2 keyboard as a second input, typed like the serial port (NULL: none). */
void console_attach_keyboard(struct ps2kbd *kb);
/* The guest UART's transmit hook (vuart_init): output passes, or waits while the monitor is open. */
void console_guest_tx(void *ctx, uint8_t byte);
/* Handles every byte waiting on the serial port and the keyboard; false when the user asked
 * to power off. */
bool console_poll(void);
/* Opens the monitor (after the guest stopped, on an interactive console). */
void console_open_monitor(void);
bool console_monitor_open(void);

#endif
