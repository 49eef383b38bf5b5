/* The two string functions lib/format.c needs, for umbra.efi (gnu-efi's libefi has the mem*). */
#include <stddef.h>

#include "lib/string.h"

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}
