/* UEFI memory map -> Multiboot2 memory map: type translation, sorting and coalescing. */
#include "boot/efi/uefi_mmap.h"

uint32_t uefi_mem_type_to_mb2(uint32_t uefi_type)
{
	switch (uefi_type) {
	case UEFI_LOADER_CODE:
	case UEFI_LOADER_DATA:
	case UEFI_BOOT_SERVICES_CODE:
	case UEFI_BOOT_SERVICES_DATA:
	case UEFI_CONVENTIONAL_MEMORY:
		return MB2_MEMORY_AVAILABLE;
	case UEFI_ACPI_RECLAIM_MEMORY:
		return MB2_MEMORY_ACPI_RECLAIMABLE;
	case UEFI_ACPI_MEMORY_NVS:
		return MB2_MEMORY_NVS;
	case UEFI_UNUSABLE_MEMORY:
		return MB2_MEMORY_BADRAM;
	default:
		/* Unaccepted memory must be accepted before use: Umbra cannot, so it is reserved. */
		return MB2_MEMORY_RESERVED;
	}
}

/* Insertion sort by base address: maps are short and usually sorted already. */
static void sort_by_base(struct mb2_mmap_entry *e, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		struct mb2_mmap_entry x = e[i];
		unsigned j = i;

		for (; j > 0 && e[j - 1].base_addr > x.base_addr; j--)
			e[j] = e[j - 1];
		e[j] = x;
	}
}

/* Merges each entry into the one before when they touch and have one type; returns the count. */
static unsigned coalesce(struct mb2_mmap_entry *e, unsigned n)
{
	unsigned w = 0;

	for (unsigned i = 0; i < n; i++) {
		if (w && e[w - 1].type == e[i].type &&
		    e[w - 1].base_addr + e[w - 1].length == e[i].base_addr) {
			e[w - 1].length += e[i].length;
			continue;
		}
		e[w++] = e[i];
	}
	return w;
}

int uefi_mmap_convert(const void *map, size_t map_size, size_t desc_size,
		      struct mb2_mmap_entry *out, unsigned cap)
{
	const uint8_t *p = map;
	unsigned n = 0;

	if (desc_size < sizeof(struct uefi_mem_desc) || map_size % desc_size)
		return -1;
	for (size_t off = 0; off < map_size; off += desc_size) {
		const struct uefi_mem_desc *d = (const void *)(p + off);
		uint64_t pages = d->number_of_pages;

		if (!pages)
			continue;
		if (pages > (UINT64_MAX - d->physical_start) / UEFI_PAGE_SIZE)
			return -1;	/* the range would end at or beyond 2^64 */
		if (n == cap)
			return -1;
		out[n].base_addr = d->physical_start;
		out[n].length = pages * UEFI_PAGE_SIZE;
		out[n].type = uefi_mem_type_to_mb2(d->type);
		out[n].reserved = 0;
		n++;
	}
	sort_by_base(out, n);
	return (int)coalesce(out, n);
}
