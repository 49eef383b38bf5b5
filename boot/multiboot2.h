/* Multiboot2 boot information layout: loader magic, tag types, memory types, tag structures. */
#ifndef UMBRA_BOOT_MULTIBOOT2_H
#define UMBRA_BOOT_MULTIBOOT2_H

/* Shared with boot/entry.S: the header constants are plain numbers, the rest is C only. */

/* The OS image's header: magic, architecture 0 = 32-bit protected-mode i386 (Multiboot2 spec 3.1.1). */
#define MB2_HEADER_MAGIC		0xe85250d6
#define MB2_ARCH_I386			0

/* Value in EAX when a Multiboot2 loader enters the OS image (Multiboot2 spec 3.3, 3.5). */
#define MB2_BOOTLOADER_MAGIC		0x36d76289

#ifndef __ASSEMBLY__
#include <stdint.h>

/* The information block and every tag in it start 8-byte aligned (Multiboot2 spec 3.6.2). */
#define MB2_INFO_ALIGN			8u

/* Largest information block accepted as plausible (ours; real loaders produce a few KiB). */
#define MB2_MAX_INFO_SIZE		(1u << 20)

/* Tag types of the boot information (Multiboot2 spec 3.6.2 - 3.6.23). */
#define MB2_TAG_END			0u	/* 3.6.2 */
#define MB2_TAG_CMDLINE			1u	/* 3.6.5 */
#define MB2_TAG_LOADER_NAME		2u	/* 3.6.9 */
#define MB2_TAG_MODULE			3u	/* 3.6.6 */
#define MB2_TAG_BASIC_MEMINFO		4u	/* 3.6.3 */
#define MB2_TAG_BOOTDEV			5u	/* 3.6.4 */
#define MB2_TAG_MMAP			6u	/* 3.6.8 */
#define MB2_TAG_VBE			7u	/* 3.6.11 */
#define MB2_TAG_FRAMEBUFFER		8u	/* 3.6.12 */
#define MB2_TAG_ELF_SECTIONS		9u	/* 3.6.7 */
#define MB2_TAG_APM			10u	/* 3.6.10 */
#define MB2_TAG_EFI32			11u	/* 3.6.13 */
#define MB2_TAG_EFI64			12u	/* 3.6.14 */
#define MB2_TAG_SMBIOS			13u	/* 3.6.15 */
#define MB2_TAG_ACPI_OLD		14u	/* 3.6.16 */
#define MB2_TAG_ACPI_NEW		15u	/* 3.6.17 */
#define MB2_TAG_NETWORK			16u	/* 3.6.18 */
#define MB2_TAG_EFI_MMAP		17u	/* 3.6.19 */
#define MB2_TAG_EFI_BS			18u	/* 3.6.20 */
#define MB2_TAG_EFI32_IH		19u	/* 3.6.21 */
#define MB2_TAG_EFI64_IH		20u	/* 3.6.22 */
#define MB2_TAG_LOAD_BASE_ADDR		21u	/* 3.6.23 */
#define MB2_TAG_LAST_DEFINED		MB2_TAG_LOAD_BASE_ADDR

/* Memory map entry types; every other value is a reserved area (Multiboot2 spec 3.6.8). */
#define MB2_MEMORY_AVAILABLE		1u
#define MB2_MEMORY_RESERVED		2u
#define MB2_MEMORY_ACPI_RECLAIMABLE	3u
#define MB2_MEMORY_NVS			4u
#define MB2_MEMORY_BADRAM		5u

/* Sizes of the ACPI RSDP copies carried by tags 14 and 15 (ACPI 6.5 spec 5.2.5.3). */
#define MB2_RSDP_V1_SIZE		20u
#define MB2_RSDP_V2_SIZE		36u

/* Fixed part at the start of the information block (Multiboot2 spec 3.6.2). */
struct mb2_info_header {
	uint32_t total_size;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct mb2_info_header) == 8, "mb2_info_header size");

/* Header common to every tag; size excludes the padding to the next tag (Multiboot2 spec 3.6.2). */
struct mb2_tag {
	uint32_t type;
	uint32_t size;
} __attribute__((packed));
_Static_assert(sizeof(struct mb2_tag) == 8, "mb2_tag size");

/* Tags 1 and 2: a NUL-terminated string follows (Multiboot2 spec 3.6.5, 3.6.9). */
struct mb2_tag_string {
	struct mb2_tag hdr;
	char string[];
} __attribute__((packed));
_Static_assert(sizeof(struct mb2_tag_string) == 8, "mb2_tag_string size");

/* Tag 3: one boot module, [mod_start, mod_end) physical, NUL-terminated string follows (3.6.6). */
struct mb2_tag_module {
	struct mb2_tag hdr;
	uint32_t mod_start;
	uint32_t mod_end;
	char string[];
} __attribute__((packed));
_Static_assert(sizeof(struct mb2_tag_module) == 16, "mb2_tag_module size");

/* Tag 4: lower and upper memory in KiB (Multiboot2 spec 3.6.3). */
struct mb2_tag_basic_meminfo {
	struct mb2_tag hdr;
	uint32_t mem_lower;
	uint32_t mem_upper;
} __attribute__((packed));
_Static_assert(sizeof(struct mb2_tag_basic_meminfo) == 16, "mb2_tag_basic_meminfo size");

/* Tag 6: memory map header; entries of entry_size bytes follow (Multiboot2 spec 3.6.8). */
struct mb2_tag_mmap {
	struct mb2_tag hdr;
	uint32_t entry_size;
	uint32_t entry_version;
} __attribute__((packed));
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "mb2_tag_mmap size");

/* One memory map entry as of entry_version 0; later versions may append fields (3.6.8). */
struct mb2_mmap_entry {
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "mb2_mmap_entry size");

/* Tag 8: framebuffer description up to the colour info (Multiboot2 spec 3.6.12: the type byte
 * is followed by a u16 reserved field, so the colour info starts at offset 32). */
struct mb2_tag_framebuffer {
	struct mb2_tag hdr;
	uint64_t addr;
	uint32_t pitch;
	uint32_t width;
	uint32_t height;
	uint8_t bpp;
	uint8_t fb_type;
	uint16_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct mb2_tag_framebuffer) == 32, "mb2_tag_framebuffer size");

/* Framebuffer types, and the direct-RGB colour info after the fixed part (3.6.12). */
#define MB2_FRAMEBUFFER_INDEXED		0u
#define MB2_FRAMEBUFFER_RGB		1u
#define MB2_FRAMEBUFFER_EGA_TEXT	2u

struct mb2_framebuffer_rgb {
	uint8_t red_pos, red_size;
	uint8_t green_pos, green_size;
	uint8_t blue_pos, blue_size;
} __attribute__((packed));
_Static_assert(sizeof(struct mb2_framebuffer_rgb) == 6, "mb2_framebuffer_rgb size");

/* Tags 11 and 19: a 32-bit EFI pointer (Multiboot2 spec 3.6.13, 3.6.21). */
struct mb2_tag_efi32 {
	struct mb2_tag hdr;
	uint32_t pointer;
} __attribute__((packed));
_Static_assert(sizeof(struct mb2_tag_efi32) == 12, "mb2_tag_efi32 size");

/* Tags 12 and 20: a 64-bit EFI pointer (Multiboot2 spec 3.6.14, 3.6.22). */
struct mb2_tag_efi64 {
	struct mb2_tag hdr;
	uint64_t pointer;
} __attribute__((packed));
_Static_assert(sizeof(struct mb2_tag_efi64) == 16, "mb2_tag_efi64 size");

/* Tag 17: EFI memory map header; EFI descriptors follow (Multiboot2 spec 3.6.19). */
struct mb2_tag_efi_mmap {
	struct mb2_tag hdr;
	uint32_t descr_size;
	uint32_t descr_version;
} __attribute__((packed));
_Static_assert(sizeof(struct mb2_tag_efi_mmap) == 16, "mb2_tag_efi_mmap size");

#endif /* __ASSEMBLY__ */

#endif
