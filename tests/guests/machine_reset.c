/* machine_reset: the guest resets the machine the way its command line says: "i8042" pulses
 * the keyboard controller's reset line (command 0xFE, as Linux's reboot=k does), "port92"
 * sets port 0x92's fast-reset bit. Umbra reports the reset and stops (debug_exit=on). */
#include "guest.h"
#include "x86.h"

#include "lib/string.h"

static bool cmdline_has(const char *word)
{
	const char *s = (const char *)(uintptr_t)boot_info->cmdline;
	size_t n = strlen(word);

	for (; *s; s++)
		if (!strncmp(s, word, n) && (s[n] == '\0' || s[n] == ' '))
			return true;
	return false;
}

void guest_main(void)
{
	if (cmdline_has("port92")) {
		gprintf("resetting through port 0x92\n");
		outb(0x92, inb(0x92) | 0x01);
	} else {
		gprintf("resetting through the i8042\n");
		outb(0x64, 0xfe);
	}
	gprintf("FAIL: the machine did not reset\n");
	guest_exit(GUEST_EXIT_FAIL);
}
