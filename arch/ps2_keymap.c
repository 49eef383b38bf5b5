/* Scan code set 1 (US layout) to ASCII, with Shift, Caps Lock and Ctrl. */
#include "arch/ps2_keymap.h"

#define DEL	0x7f

/* Make codes 0x00-0x39: unshifted and shifted characters; 0 means no character. */
static const char plain[0x3a] =
	"\0\x1b" "1234567890-=" "\x7f\t" "qwertyuiop[]" "\r\0" "asdfghjkl;'`" "\0\\"
	"zxcvbnm,./" "\0*\0 ";
static const char shifted[0x3a] =
	"\0\x1b" "!@#$%^&*()_+" "\x7f\t" "QWERTYUIOP{}" "\r\0" "ASDFGHJKL:\"~" "\0|"
	"ZXCVBNM<>?" "\0*\0 ";

int ps2_keymap_feed(struct ps2_keymap *km, uint8_t sc)
{
	bool extended = km->extended, release = sc & PS2_SC_BREAK;
	uint8_t code = sc & ~PS2_SC_BREAK;
	char c;

	km->extended = false;
	if (sc == PS2_SC_EXTENDED) {
		km->extended = true;
		return -1;
	}
	if (code == PS2_SC_LSHIFT || code == PS2_SC_RSHIFT) {
		if (!extended)		/* 0xe0 0x2a is a fake shift some keyboards send */
			km->shift = !release;
		return -1;
	}
	if (code == PS2_SC_LCTRL) {
		km->ctrl = !release;
		return -1;
	}
	if (release || extended)
		return -1;
	if (code == PS2_SC_CAPSLOCK) {
		km->caps = !km->caps;
		return -1;
	}
	if (code >= sizeof(plain))
		return -1;
	c = km->shift ? shifted[code] : plain[code];
	if (km->caps && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c ^= 0x20;
	if (!c)
		return -1;
	if (km->ctrl && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		return c & 0x1f;
	return (unsigned char)c == DEL ? DEL : (unsigned char)c;
}
