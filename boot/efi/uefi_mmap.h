/* The UEFI memory map as Multiboot2 sees it: memory types and the pure conversion. */
#ifndef UMBRA_BOOT_EFI_UEFI_MMAP_H
#define UMBRA_BOOT_EFI_UEFI_MMAP_H

#include <stddef.h>
#include <stdint.h>

#include "boot/multiboot2.h"

/* EFI_MEMORY_TYPE values (UEFI 2.10 spec 7.2.1, AllocatePages(), "Related Definitions"). */
#define UEFI_RESERVED_MEMORY		0u
#define UEFI_LOADER_CODE		1u
#define UEFI_LOADER_DATA		2u
#define UEFI_BOOT_SERVICES_CODE		3u
#define UEFI_BOOT_SERVICES_DATA		4u
#define UEFI_RUNTIME_SERVICES_CODE	5u
#define UEFI_RUNTIME_SERVICES_DATA	6u
#define UEFI_CONVENTIONAL_MEMORY	7u
#define UEFI_UNUSABLE_MEMORY		8u
#define UEFI_ACPI_RECLAIM_MEMORY	9u
#define UEFI_ACPI_MEMORY_NVS		10u
#define UEFI_MEMORY_MAPPED_IO		11u
#define UEFI_MEMORY_MAPPED_IO_PORT	12u
#define UEFI_PAL_CODE			13u
#define UEFI_PERSISTENT_MEMORY		14u
#define UEFI_UNACCEPTED_MEMORY		15u

/* The pages of the memory map are always 4 KiB, whatever the CPU uses (UEFI 2.10 7.2.3). */
#define UEFI_PAGE_SIZE			4096u

/*
 * EFI_MEMORY_DESCRIPTOR (UEFI 2.10 spec 7.2.3, GetMemoryMap()). Firmware returns entries
 * DescriptorSize bytes apart, which may exceed this structure: always step by that size.
 */
struct uefi_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t physical_start;
	uint64_t virtual_start;
	uint64_t number_of_pages;
	uint64_t attribute;
};
_Static_assert(sizeof(struct uefi_mem_desc) == 40, "EFI_MEMORY_DESCRIPTOR layout");

/*
 * The Multiboot2 type (3.6.8) of memory of a UEFI type once boot services are exited, after
 * UEFI 2.10 spec 7.2 table "Memory Type Usage after ExitBootServices()" and ACPI 6.4 table
 * 15.6: loader and boot-services memory is free for the OS like conventional memory; runtime
 * services, MMIO, PAL code, persistent memory and types not in the spec stay reserved.
 */
uint32_t uefi_mem_type_to_mb2(uint32_t uefi_type);

/*
 * Converts a UEFI memory map (map_size bytes, one descriptor every desc_size bytes) into
 * Multiboot2 entries sorted by address, with neighbouring entries of one type that touch
 * merged into one; empty descriptors are dropped. Writes at most cap entries to out. Returns
 * the number written, or -1 when desc_size is too small, map_size is not a multiple of it,
 * a range wraps past 2^64, or out is too small (cap >= the descriptor count always fits).
 */
int uefi_mmap_convert(const void *map, size_t map_size, size_t desc_size,
		      struct mb2_mmap_entry *out, unsigned cap);

#endif
