/* Multiboot (version 1) constants and layouts, as in the Multiboot specification version 0.6.96. */
#ifndef UMBRA_GUEST_MULTIBOOT1_H
#define UMBRA_GUEST_MULTIBOOT1_H

#include <stdint.h>

/* --- The OS image's Multiboot header (spec 3.1) ------------------------------------------- */

/* Magic value of the header's first field (3.1, magic fields). */
#define MB1_HEADER_MAGIC		0x1BADB002u

/* The header lies within the image's first 8192 bytes, 32-bit aligned (3.1, header layout). */
#define MB1_HEADER_SEARCH_LIMIT		8192u
#define MB1_HEADER_ALIGN		4u

/* Header flags (3.1, magic fields): bits 0-15 are required features, bits 16-31 optional ones. */
#define MB1_HF_PAGE_ALIGN		(1u << 0)	/* align boot modules on 4 KiB pages */
#define MB1_HF_MEMORY_INFO		(1u << 1)	/* mem_* (and mmap_*) must be passed */
#define MB1_HF_VIDEO_MODE		(1u << 2)	/* video mode table must be passed */
#define MB1_HF_AOUT_KLUDGE		(1u << 16)	/* the address fields are valid */
#define MB1_HF_REQUIRED_MASK		0x0000ffffu
#define MB1_HF_REQUIRED_KNOWN		(MB1_HF_PAGE_ALIGN | MB1_HF_MEMORY_INFO | MB1_HF_VIDEO_MODE)

/* Alignment of boot modules when MB1_HF_PAGE_ALIGN is set (3.1, magic fields). */
#define MB1_MODULE_ALIGN		4096u

/* Magic, flags and checksum: magic + flags + checksum == 0 mod 2^32 (3.1, magic fields). */
struct mb1_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum;
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_header) == 12, "mb1_header size");

/* Address fields at offsets 12-28, valid when MB1_HF_AOUT_KLUDGE is set (3.1, address fields). */
struct mb1_header_addr {
	uint32_t header_addr;		/* physical address of the header's magic */
	uint32_t load_addr;		/* physical address of the start of text */
	uint32_t load_end_addr;		/* end of data; 0: text and data fill the rest of the file */
	uint32_t bss_end_addr;		/* end of bss; 0: no bss */
	uint32_t entry_addr;		/* physical address to jump to */
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_header_addr) == 20, "mb1_header_addr size");

/* Graphics fields at offsets 32-44, valid when MB1_HF_VIDEO_MODE is set (3.1, graphics fields). */
struct mb1_header_video {
	uint32_t mode_type;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_header_video) == 16, "mb1_header_video size");

/* --- Machine state at entry (spec 3.2) ---------------------------------------------------- */

/* Value in EAX when the loader jumps to the OS image; EBX holds the information block (3.2). */
#define MB1_BOOTLOADER_MAGIC		0x2BADB002u

/* --- Boot information format (spec 3.3) --------------------------------------------------- */

/* Information block flags: which groups of fields are valid (3.3). */
#define MB1_INFO_MEMORY			(1u << 0)	/* mem_lower, mem_upper */
#define MB1_INFO_BOOTDEV		(1u << 1)	/* boot_device */
#define MB1_INFO_CMDLINE		(1u << 2)	/* cmdline */
#define MB1_INFO_MODS			(1u << 3)	/* mods_count, mods_addr */
#define MB1_INFO_AOUT_SYMS		(1u << 4)	/* syms as an a.out symbol table */
#define MB1_INFO_ELF_SHDR		(1u << 5)	/* syms as an ELF section header table */
#define MB1_INFO_MEM_MAP		(1u << 6)	/* mmap_length, mmap_addr */
#define MB1_INFO_DRIVES			(1u << 7)	/* drives_length, drives_addr */
#define MB1_INFO_CONFIG_TABLE		(1u << 8)	/* config_table */
#define MB1_INFO_BOOT_LOADER_NAME	(1u << 9)	/* boot_loader_name */
#define MB1_INFO_APM_TABLE		(1u << 10)	/* apm_table */
#define MB1_INFO_VBE			(1u << 11)	/* vbe_* */
#define MB1_INFO_FRAMEBUFFER		(1u << 12)	/* framebuffer_* */

/* Lower memory starts at 0 and is at most 640 KiB; upper memory starts at 1 MiB (3.3). */
#define MB1_LOWER_MEMORY_MAX		0xA0000u
#define MB1_UPPER_MEMORY_START		0x100000u

/* Memory map entry types; every other value is reserved memory (3.3, mmap_*). */
#define MB1_MEMORY_AVAILABLE		1u
#define MB1_MEMORY_RESERVED		2u
#define MB1_MEMORY_ACPI_RECLAIMABLE	3u
#define MB1_MEMORY_NVS			4u
#define MB1_MEMORY_BADRAM		5u

/* The information block the loader passes in EBX; all addresses are physical (3.3). */
struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower;		/* KiB from 0 */
	uint32_t mem_upper;		/* KiB from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;		/* bytes of the whole map */
	uint32_t mmap_addr;		/* the first entry's size field */
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;
	uint8_t color_info[6];
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_info) == 116, "mb1_info size");

/* One boot module: [mod_start, mod_end) physical, string a physical C string or 0 (3.3, mods_*). */
struct mb1_module {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t string;
	uint32_t reserved;		/* 0 */
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_module) == 16, "mb1_module size");

/*
 * One memory map entry; size counts the bytes after itself, so the next entry starts
 * size + 4 bytes further, and mmap_addr points at the first entry's size field (3.3, mmap_*).
 */
struct mb1_mmap_entry {
	uint32_t size;
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_mmap_entry) == 24, "mb1_mmap_entry size");

#define MB1_MMAP_ENTRY_SIZE_FIELD	(sizeof(struct mb1_mmap_entry) - sizeof(uint32_t))

#endif
