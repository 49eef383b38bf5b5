/*
 * The two string functions lib/format.c needs, for umbra.efi. lib/string.c cannot come along:
 * gnu-efi's libefi defines memcpy and memset in the object that InitializeLib() is in.
 */
#include <efi.h>
#include <efilib.h>
#include <stddef.h>

#include "lib/string.h"

size_t strlen(const char *s)
{
	return strlena((const CHAR8 *)s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}
