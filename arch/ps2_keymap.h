/* PS/2 keyboard scan codes (set 1, as the 8042 translates them) to the bytes a terminal sends. */
#ifndef UMBRA_ARCH_PS2_KEYMAP_H
#define UMBRA_ARCH_PS2_KEYMAP_H

#include <stdbool.h>
#include <stdint.h>

#define PS2_SC_BREAK		0x80	/* set 1: key release = make code | 0x80 */
#define PS2_SC_EXTENDED		0xe0	/* prefix of the extended keys (right Ctrl, arrows, ...) */
#define PS2_SC_LCTRL		0x1d	/* right Ctrl: 0xe0 0x1d */
#define PS2_SC_LSHIFT		0x2a
#define PS2_SC_RSHIFT		0x36
#define PS2_SC_CAPSLOCK		0x3a

struct ps2_keymap {
	bool shift, ctrl, caps, extended;
};

/* Takes one scan code byte; returns the byte the key types (Ctrl+letter is 0x01-0x1a, Enter
 * is '\r', Backspace 0x7f), or -1 for a release, a modifier, a prefix or an unmapped key. */
int ps2_keymap_feed(struct ps2_keymap *km, uint8_t sc);

#endif
