/*
 * Guest-physical memory: a list of slots, each a guest-physical range backed by host-contiguous
 * frames. Only frames inside a slot are ever mapped for the guest; Umbra's own memory is in none.
 */
#ifndef UMBRA_MM_GUEST_MEM_H
#define UMBRA_MM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_MAX_SLOTS	64
#define GUEST_LOW_RAM_END		0xA0000ull	/* [0, 640 KiB): conventional memory */
#define GUEST_HIGH_RAM_START		0x100000ull	/* [1 MiB, ram_size): extended memory */
/* [960 KiB, 1 MiB): the BIOS area. It is no RAM for the guest (both memory maps call it
 * reserved) but it is backed like RAM, because the guest's firmware tables live there (ACPI
 * and MP, guest/firmware/). The guest may write it, as it could write shadowed BIOS RAM on a
 * PC, and harms only itself. */
#define GUEST_BIOS_START		0xF0000ull
#define GUEST_LARGE_RAM_START	0x200000ull	/* the first 2 MiB boundary of extended memory */
#define GUEST_MEM_MIN		(4ULL << 20)
#define GUEST_MEM_MAX		(64ULL << 30)

struct mem_slot {
	uint64_t gpa;		/* guest-physical start, page aligned */
	uint64_t size;		/* bytes, page multiple */
	uint64_t hpa;		/* host-physical start of the backing frames */
};

/* A guest-physical range that belongs to a device (MMIO): never RAM, even where it covers a
 * slot (a local APIC page moved onto RAM hides it, as on a real processor), so no shadow entry
 * ever maps it and every access exits to the device's emulation. */
#define GUEST_MEM_MAX_MMIO	4

struct mmio_window {
	uint64_t gpa, size;	/* page aligned; size 0: unused */
};

struct guest_mem {
	struct mem_slot slots[GUEST_MEM_MAX_SLOTS];
	unsigned count;
	uint64_t ram_size;	/* the top of guest RAM: RAM is [0, 640 KiB) + [1 MiB, ram_size);
			 * the BIOS area is backed too */
	struct mmio_window mmio[GUEST_MEM_MAX_MMIO];
};

struct pmm;

/* Allocates zeroed backing for guest RAM of ram_size bytes, and for the BIOS area, from pmm, in
 * host-contiguous chunks of at most 2 MiB alignment granularity. Returns false (nothing kept)
 * when memory runs out. */
bool guest_mem_init(struct guest_mem *gm, struct pmm *pmm, uint64_t ram_size);
/* Adds a slot; for tests and for callers that bring their own frames. */
bool guest_mem_add_slot(struct guest_mem *gm, uint64_t gpa, uint64_t size, uint64_t hpa);
/* Sets MMIO window index (< GUEST_MEM_MAX_MMIO) to [gpa, gpa + size), page aligned; size 0
 * clears it. The caller resets the shadow MMU when a window moves over frames it may map. */
bool guest_mem_set_mmio(struct guest_mem *gm, unsigned index, uint64_t gpa, uint64_t size);
/* Whether gpa lies in an MMIO window. */
bool guest_mem_is_mmio(const struct guest_mem *gm, uint64_t gpa);
/* Returns the slot holding gpa, or NULL when gpa is not guest RAM (MMIO windows are not). */
const struct mem_slot *guest_mem_find(const struct guest_mem *gm, uint64_t gpa);
/* Translates a guest frame to its host frame; false when gpa is not guest RAM. */
bool guest_mem_gpa_to_hpa(const struct guest_mem *gm, uint64_t gpa, uint64_t *hpa);
/* Copies between guest RAM and Umbra, across slots. Returns false, having copied a prefix, when
 * the range leaves guest RAM. */
bool guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, size_t len);
bool guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *src, size_t len);
bool guest_mem_zero(const struct guest_mem *gm, uint64_t gpa, size_t len);

#endif
