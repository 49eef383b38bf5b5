/* The host's PS/2 keyboard (or the firmware's USB legacy emulation of one), polled. */
#ifndef UMBRA_ARCH_PS2KBD_H
#define UMBRA_ARCH_PS2KBD_H

#include <stdbool.h>

#include "arch/ps2_keymap.h"

/* The 8042 controller's ports (IBM PC/AT technical reference; SDM-independent PC facts). */
#define I8042_DATA		0x60
#define I8042_STATUS		0x64
#define  I8042_STATUS_OBF	0x01	/* output buffer full: a byte waits at 0x60 */
#define  I8042_STATUS_AUX	0x20	/* that byte is from the mouse */

struct ps2kbd {
	bool present;
	struct ps2_keymap km;
};

/* Finds the controller (a status of 0xff means nothing decodes the port) and drains it. */
bool ps2kbd_init(struct ps2kbd *kb);
/* Returns the next byte typed, or -1 when none waits. */
int ps2kbd_getc(struct ps2kbd *kb);

#endif
