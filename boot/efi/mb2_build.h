/* The Multiboot2 information block umbra.efi hands to Umbra, built like a Multiboot2 loader's. */
#ifndef UMBRA_BOOT_EFI_MB2_BUILD_H
#define UMBRA_BOOT_EFI_MB2_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2B_MAX_MODULES	16u

/* Direct-colour framebuffer from GOP (Multiboot2 spec 3.6.12, framebuffer_type 1). */
#define MB2_FRAMEBUFFER_TYPE_RGB	1u

struct mb2b_framebuffer {
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct mb2b_module {
	uint32_t start, end;		/* [start, end) physical, below 4 GiB */
	const char *string;
};

/* Everything the block says; pointers are read while building, nothing is kept. */
struct mb2b_input {
	const char *cmdline;
	const char *loader_name;
	struct mb2b_module modules[MB2B_MAX_MODULES];
	unsigned module_count;
	const void *efi_map;		/* the UEFI memory map, as GetMemoryMap() returned it */
	size_t efi_map_size, efi_desc_size;
	uint32_t efi_desc_version;
	const void *rsdp;		/* NULL when the firmware has no ACPI table */
	bool rsdp_v2;			/* from the ACPI 2.0 GUID: XSDT, Length at offset 20 */
	uint64_t efi_system_table;
	bool have_framebuffer;
	struct mb2b_framebuffer fb;
};

/*
 * The block's size bound for an input whose UEFI map has n descriptors of desc_size bytes
 * and whose strings total string_bytes (NULs included): what the caller allocates.
 */
size_t mb2b_size_bound(size_t n, size_t desc_size, size_t string_bytes);

/*
 * Writes the block into buf (8-byte aligned, cap bytes): cmdline (1), loader name (2),
 * modules (3), basic meminfo (4), memory map (6), framebuffer (8), EFI 64-bit system table
 * (12), ACPI old (14) and, for an ACPI 2.0 RSDP, new (15) RSDP, the EFI memory map (17),
 * end (0). Returns total_size, or 0 with a one-line reason in err when the input is bad or
 * cap is too small. Pure: calls nothing of the firmware (it runs between GetMemoryMap() and
 * ExitBootServices(), where no allocation may happen).
 */
size_t mb2b_build(void *buf, size_t cap, const struct mb2b_input *in, char *err, size_t errlen);

#endif
