/* Multiboot (version 1) header and boot information as the guest sees them (Multiboot 0.6.96). */
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

/* The OS image header (section 3.1.1), within the first 8 KiB of the image. */
#define MB_HEADER_MAGIC		0x1badb002
#define MB_HEADER_PAGE_ALIGN	(1 << 0)	/* modules on 4 KiB boundaries */
#define MB_HEADER_MEMINFO	(1 << 1)	/* mem_* fields required */

/* EAX at entry (section 3.2). */
#define MB_BOOT_MAGIC		0x2badb002

/* Which fields of the information block are valid (section 3.3). */
#define MB_INFO_MEM		(1 << 0)
#define MB_INFO_BOOTDEV		(1 << 1)
#define MB_INFO_CMDLINE		(1 << 2)
#define MB_INFO_MODS		(1 << 3)
#define MB_INFO_AOUT_SYMS	(1 << 4)
#define MB_INFO_ELF_SHDR	(1 << 5)
#define MB_INFO_MMAP		(1 << 6)
#define MB_INFO_DRIVES		(1 << 7)
#define MB_INFO_CONFIG		(1 << 8)
#define MB_INFO_LOADER_NAME	(1 << 9)
#define MB_INFO_APM		(1 << 10)
#define MB_INFO_VBE		(1 << 11)

#define MB_MMAP_AVAILABLE	1	/* memory map type of usable RAM */

#ifndef __ASSEMBLY__
#include <stdint.h>

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;		/* KiB from 0 */
	uint32_t mem_upper;		/* KiB from 1 MiB to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
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
} __attribute__((packed));

struct multiboot_module {
	uint32_t mod_start;
	uint32_t mod_end;		/* one past the last byte */
	uint32_t string;
	uint32_t reserved;
} __attribute__((packed));

/* size counts the bytes after itself, so the next entry is at (char *)e + e->size + 4. */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
} __attribute__((packed));
#endif

#endif
