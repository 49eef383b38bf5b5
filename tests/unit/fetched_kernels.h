/*
 * Debian's kernels as tools/fetch-linux.sh leaves them, for unit tests that check real headers.
 * With UMBRA_LINUX_DIR set (`make test` fetches first and sets it) every kernel a test asks for
 * must be there, and a missing one fails the test; without it (a plain `make unit`) they are
 * looked for in build/linux, and a test with none of them is skipped.
 * Include after cmocka.h.
 */
#ifndef UMBRA_TESTS_UNIT_FETCHED_KERNELS_H
#define UMBRA_TESTS_UNIT_FETCHED_KERNELS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The whole of file (a name such as "vmlinuz-686") in a malloc'd buffer, or NULL when it is
 * not there and not required. */
static inline uint8_t *fetched_kernel(const char *file, size_t *len)
{
	const char *dir = getenv("UMBRA_LINUX_DIR");
	char path[512];
	FILE *f;
	uint8_t *buf = NULL;
	long size;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "build/linux", file);
	f = fopen(path, "rb");
	if (!f) {
		if (dir)
			fail_msg("%s: cannot read it (UMBRA_LINUX_DIR is set: the kernels must be there)",
				 path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		*len = (size_t)size;
		buf = malloc(*len);
		if (buf && fread(buf, 1, *len, f) != *len) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	if (!buf)
		fail_msg("%s: cannot read it", path);
	return buf;
}

#endif
