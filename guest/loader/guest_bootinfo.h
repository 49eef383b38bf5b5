/* The guest's physical memory map and the builder of its Multiboot (v1) information block. */
#ifndef UMBRA_GUEST_GUEST_BOOTINFO_H
#define UMBRA_GUEST_GUEST_BOOTINFO_H

#include <stddef.h>
#include <stdint.h>

#include "mm/guest_mem.h"	/* GUEST_LOW_RAM_END, GUEST_BIOS_START, GUEST_HIGH_RAM_START */

/*
 * Guest-physical memory map (ours, shaped like a PC's): RAM is [0, GUEST_LOW_RAM_END) and
 * [GUEST_HIGH_RAM_START, ram_size); [GUEST_LOW_RAM_END, GUEST_HIGH_RAM_START) is no RAM
 * (VGA window and ROMs), and of it [GUEST_BIOS_START, GUEST_HIGH_RAM_START) is reported as
 * reserved in the memory map (it holds the firmware tables). When ram_size is below
 * GUEST_LOW_RAM_END, RAM is [0, ram_size).
 */

/* Entries of the memory map the builder writes, at most (low RAM, BIOS area, high RAM). */
#define GUEST_BOOTINFO_MMAP_ENTRIES	3u

/* Alignment the builder requires of buf_gpa and keeps for every structure in the block. */
#define GUEST_BOOTINFO_ALIGN		8u

/* One module handed to the guest: [gpa_start, gpa_end) in guest memory, and its string. */
struct guest_boot_module {
	uint32_t gpa_start;
	uint32_t gpa_end;
	const char *string;		/* NULL: "" */
};

/* What the guest is told; the strings are copied into the block. */
struct guest_boot_params {
	uint64_t ram_size;		/* guest RAM: see the memory map above */
	const char *cmdline;		/* NULL: "" */
	const char *loader_name;	/* e.g. "Umbra"; NULL: "" */
	const struct guest_boot_module *modules;	/* may be NULL when module_count is 0 */
	unsigned module_count;
};

/*
 * Returns the bytes guest_bootinfo_build() needs for p (a multiple of GUEST_BOOTINFO_ALIGN),
 * or 0 when p cannot be described: p NULL, modules NULL with module_count > 0, or a module
 * with gpa_end < gpa_start.
 */
size_t guest_bootinfo_size(const struct guest_boot_params *p);

/*
 * Lays out, in buf, a Multiboot information block (spec 3.3) followed by everything it
 * points to, for a copy of buf placed at guest-physical buf_gpa; the block is at offset 0.
 * Flags set: MEMORY (mem_lower = low RAM in KiB, 640 normally; mem_upper = KiB of RAM from
 * 1 MiB, saturated at 2^32 - 1), CMDLINE, MEM_MAP (usable low RAM, reserved BIOS area,
 * usable high RAM; empty ranges left out), BOOT_LOADER_NAME, and MODS only when
 * module_count > 0 (with no modules mods_count and mods_addr are 0 and the flag is clear).
 * Every pointer is a guest-physical address inside [buf_gpa, buf_gpa + size); every
 * structure is GUEST_BOOTINFO_ALIGN aligned; unused fields and padding are 0.
 * Returns the bytes used, or 0 (and buf untouched) when buf is NULL or smaller than
 * guest_bootinfo_size(p), p is invalid, buf_gpa is not GUEST_BOOTINFO_ALIGN aligned, or the
 * block would extend past 4 GiB.
 */
size_t guest_bootinfo_build(void *buf, size_t bufsize, uint32_t buf_gpa,
			    const struct guest_boot_params *p);

#endif
