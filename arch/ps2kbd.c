/* Polled PS/2 keyboard input for Umbra's console where there is no serial input. */
#include "arch/io.h"
#include "arch/ps2kbd.h"

#define DRAIN_MAX	64	/* bytes left over from the firmware, read and dropped at start */

bool ps2kbd_init(struct ps2kbd *kb)
{
	kb->km = (struct ps2_keymap){ 0 };
	kb->present = inb(I8042_STATUS) != 0xff;
	for (unsigned i = 0; kb->present && i < DRAIN_MAX && (inb(I8042_STATUS) & I8042_STATUS_OBF); i++)
		(void)inb(I8042_DATA);
	return kb->present;
}

int ps2kbd_getc(struct ps2kbd *kb)
{
	uint8_t st;

	while (kb->present && ((st = inb(I8042_STATUS)) & I8042_STATUS_OBF)) {
		uint8_t sc = inb(I8042_DATA);
		int c;

		if (st & I8042_STATUS_AUX)
			continue;
		c = ps2_keymap_feed(&kb->km, sc);
		if (c >= 0)
			return c;
	}
	return -1;
}
