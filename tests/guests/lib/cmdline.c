/* Words of the guest's multiboot command line (Multiboot 0.6.96 3.3, flags bit 2). */
#include "cmdline.h"
#include "guest.h"
#include "lib/string.h"

static const char *cmdline(void)
{
	if (!boot_info || !(boot_info->flags & MB1_INFO_CMDLINE) || !boot_info->cmdline)
		return NULL;
	return (const char *)boot_info->cmdline;
}

bool guest_cmdline_has(const char *word)
{
	const char *s;
	size_t n = strlen(word);

	if (!cmdline())
		return false;
	for (s = cmdline(); *s; ) {
		while (*s == ' ')
			s++;
		if (!strncmp(s, word, n) && (s[n] == ' ' || s[n] == '\0'))
			return true;
		while (*s && *s != ' ')
			s++;
	}
	return false;
}

const char *guest_cmdline_value(const char *key)
{
	const char *s;
	size_t n = strlen(key);

	if (!cmdline())
		return NULL;
	for (s = cmdline(); *s; ) {
		while (*s == ' ')
			s++;
		if (!strncmp(s, key, n) && s[n] == '=')
			return s + n + 1;
		while (*s && *s != ' ')
			s++;
	}
	return NULL;
}
