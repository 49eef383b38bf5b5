/* What the kernel learns from the boot loader: the parsed, validated Multiboot2 information. */
#ifndef UMBRA_BOOT_BOOT_INFO_H
#define UMBRA_BOOT_BOOT_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/fbcon.h"
#include "mm/mem_range.h"

#define BOOT_MAX_MEM_RANGES	128
#define BOOT_MAX_MODULES	16

/* A boot module: [start, end) physical; string points into the information block. */
struct boot_module {
	uint64_t start, end;
	const char *string;
};

struct boot_info {
	uint64_t mbi_start, mbi_end;		/* physical range of the information block */
	const char *cmdline;			/* "" when absent */
	const char *loader_name;		/* "" when absent */
	bool have_basic_meminfo;
	uint32_t mem_lower_kib, mem_upper_kib;
	struct mem_range mem[BOOT_MAX_MEM_RANGES];
	unsigned mem_count;
	bool mem_truncated;			/* the map had more entries than mem[] holds */
	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned module_count;
	bool modules_truncated;			/* more modules than modules[] holds */
	const void *acpi_rsdp;			/* the RSDP copy inside the block */
	unsigned acpi_rsdp_len;
	uint8_t acpi_revision_tag;		/* 1: old RSDP tag (14), 2: new (15), 0: none */
	uint64_t efi_system_table;
	uint8_t efi_bits;			/* 32 or 64; 0 when no EFI system table tag */
	uint64_t efi_image_handle;
	bool efi_boot_services_active;		/* tag 18 present: boot services not exited */
	bool have_efi_memory_map;
	bool have_framebuffer;
	uint8_t framebuffer_type;		/* 0 indexed, 1 direct RGB, 2 EGA text (3.6.12) */
	struct fb_info framebuffer;		/* colour fields set for type 1 only */
	unsigned unknown_tags;			/* tags of a type the spec does not define */
};

/*
 * Parses and validates the Multiboot2 information block at mbi (its address is taken as its
 * physical address). Returns 0 with out filled in, or -1 with a one-line reason in err (when
 * err is not NULL) and out reset to the empty state. Each interpreted tag type may appear at
 * most once (modules excepted); a repeated one is an error. When both RSDP tags are present the
 * new one (15) wins. Reads nothing beyond total_size bytes from mbi.
 */
int mb2_parse(const void *mbi, struct boot_info *out, char *err, size_t errlen);

/* Returns a short human-readable name for a memory range type ("reserved" for unknown values). */
const char *mem_type_name(uint32_t type);

#endif
