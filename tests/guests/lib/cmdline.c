/* Words of the guest's multiboot command line (Multiboot 0.6.96 3.3, flags bit 2). */
#include "cmdline.h"
#include "guest.h"
#include "lib/string.h"

bool guest_cmdline_has(const char *word)
{
	const char *s;
	size_t n = strlen(word);

	if (!boot_info || !(boot_info->flags & MB1_INFO_CMDLINE) || !boot_info->cmdline)
		return false;
	for (s = (const char *)boot_info->cmdline; *s; ) {
		while (*s == ' ')
			s++;
		if (!strncmp(s, word, n) && (s[n] == ' ' || s[n] == '\0'))
			return true;
		while (*s && *s != ' ')
			s++;
	}
	return false;
}
