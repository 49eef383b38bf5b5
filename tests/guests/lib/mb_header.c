/* The test guests' multiboot v1 header, built from the same definitions Umbra's loader reads. */
#include "guest/loader/multiboot1.h"

#define GUEST_MB_FLAGS	(MB1_HF_PAGE_ALIGN | MB1_HF_MEMORY_INFO)

/* guest.ld puts .multiboot first, well within the 8 KiB the loader searches (Multiboot 3.1). */
__attribute__((section(".multiboot"), used, aligned(MB1_HEADER_ALIGN)))
static const struct mb1_header multiboot_header = {
	.magic = MB1_HEADER_MAGIC,
	.flags = GUEST_MB_FLAGS,
	.checksum = -(MB1_HEADER_MAGIC + GUEST_MB_FLAGS),	/* the three sum to 0 mod 2^32 */
};
