/* Umbra's own image as umbra.efi sees it: an ELF64 file with a Multiboot2 header. */
#ifndef UMBRA_BOOT_EFI_ELF64_IMAGE_H
#define UMBRA_BOOT_EFI_ELF64_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELFI_MAX_SEGMENTS	8u
/* Umbra's entry runs in 32-bit protected mode without paging: all of it must be below 4 GiB. */
#define ELFI_LIMIT		0x100000000ull
/* Multiboot2 spec 3.1.1: the header lies, 8-byte aligned, in the first 32768 bytes. */
#define MB2_HEADER_SEARCH	32768u

/* One PT_LOAD segment: filesz bytes from offset, then zeroes up to memsz, at paddr. */
struct elfi_segment {
	uint64_t paddr, offset, filesz, memsz;
};

struct elfi_image {
	uint64_t entry;			/* physical: Umbra is identity mapped */
	uint64_t lo, hi;		/* [lo, hi): every segment, page aligned outwards */
	struct elfi_segment seg[ELFI_MAX_SEGMENTS];
	unsigned count;
};

/*
 * Checks that file (size bytes) is an x86-64 ELF executable with a valid Multiboot2 header for
 * the i386 architecture, whose loadable segments and entry all lie below 4 GiB, and describes
 * its segments (by physical address, p_paddr) in out. Returns 0, or -1 with a one-line reason
 * in err.
 */
int elfi_parse(const void *file, size_t size, struct elfi_image *out, char *err, size_t errlen);

#endif
