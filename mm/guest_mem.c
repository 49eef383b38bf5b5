/* Guest-physical memory slots: allocation, lookup and copies. */
#include "mm/guest_mem.h"
#include "mm/hostmap.h"
#include "mm/page.h"
#include "mm/pmm.h"
#include "lib/string.h"

#define CHUNK_ALIGN	(2ULL << 20)	/* 2 MiB: lets a later large shadow page map a chunk */

bool guest_mem_add_slot(struct guest_mem *gm, uint64_t gpa, uint64_t size, uint64_t hpa)
{
	if (gm->count == GUEST_MEM_MAX_SLOTS || (gpa | size | hpa) & (PAGE_SIZE - 1) || !size)
		return false;
	gm->slots[gm->count++] = (struct mem_slot){ gpa, size, hpa };
	return true;
}

/* Backs [gpa, gpa + size) with the largest host-contiguous chunks pmm can give. */
static bool guest_mem_back_range(struct guest_mem *gm, struct pmm *pmm, uint64_t gpa, uint64_t size)
{
	while (size) {
		uint64_t chunk = size, hpa = 0;

		/* Halve the request until it fits; below 2 MiB, alignment to 2 MiB stops mattering. */
		for (;;) {
			uint64_t align = chunk >= CHUNK_ALIGN ? CHUNK_ALIGN : PAGE_SIZE;

			hpa = pmm_alloc(pmm, chunk / PAGE_SIZE, align, UINT64_MAX);
			if (hpa || chunk == PAGE_SIZE)
				break;
			chunk = page_align_up(chunk / 2);
		}
		if (!hpa || !guest_mem_add_slot(gm, gpa, chunk, hpa))
			return false;
		memset(phys_to_virt(hpa), 0, chunk);
		gpa += chunk;
		size -= chunk;
	}
	return true;
}

bool guest_mem_init(struct guest_mem *gm, struct pmm *pmm, uint64_t ram_size)
{
	memset(gm, 0, sizeof(*gm));
	if (ram_size < GUEST_MEM_MIN || ram_size > GUEST_MEM_MAX || ram_size & (PAGE_SIZE - 1))
		return false;
	gm->ram_size = ram_size;
	/* [1 MiB, 2 MiB) is a range of its own, so every chunk from 2 MiB on starts at a 2 MiB
	 * aligned guest-physical address on a 2 MiB aligned host frame: TDP maps such a region
	 * with one 2 MiB entry (mm/tdp.c). */
	if (!guest_mem_back_range(gm, pmm, 0, GUEST_LOW_RAM_END) ||
	    !guest_mem_back_range(gm, pmm, GUEST_BIOS_START, GUEST_HIGH_RAM_START - GUEST_BIOS_START) ||
	    !guest_mem_back_range(gm, pmm, GUEST_HIGH_RAM_START, GUEST_LARGE_RAM_START -
				  GUEST_HIGH_RAM_START) ||
	    !guest_mem_back_range(gm, pmm, GUEST_LARGE_RAM_START,
				  ram_size - GUEST_LARGE_RAM_START)) {
		for (unsigned i = 0; i < gm->count; i++)
			pmm_free(pmm, gm->slots[i].hpa, gm->slots[i].size / PAGE_SIZE);
		gm->count = 0;
		return false;
	}
	return true;
}

bool guest_mem_set_mmio(struct guest_mem *gm, unsigned index, uint64_t gpa, uint64_t size)
{
	if (index >= GUEST_MEM_MAX_MMIO || ((gpa | size) & 0xfff) || gpa + size < gpa)
		return false;
	gm->mmio[index] = (struct mmio_window){ gpa, size };
	return true;
}

bool guest_mem_is_mmio(const struct guest_mem *gm, uint64_t gpa)
{
	for (unsigned i = 0; i < GUEST_MEM_MAX_MMIO; i++)
		if (gm->mmio[i].size && gpa - gm->mmio[i].gpa < gm->mmio[i].size)
			return true;
	return false;
}

const struct mem_slot *guest_mem_find(const struct guest_mem *gm, uint64_t gpa)
{
	if (guest_mem_is_mmio(gm, gpa))
		return NULL;
	for (unsigned i = 0; i < gm->count; i++) {
		const struct mem_slot *s = &gm->slots[i];

		if (gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

bool guest_mem_gpa_to_hpa(const struct guest_mem *gm, uint64_t gpa, uint64_t *hpa)
{
	const struct mem_slot *s = guest_mem_find(gm, gpa);

	if (!s)
		return false;
	*hpa = s->hpa + (gpa - s->gpa);
	return true;
}

/* Applies fn to each host-contiguous piece of [gpa, gpa + len). */
static bool guest_mem_walk(const struct guest_mem *gm, uint64_t gpa, size_t len,
			   void (*fn)(void *host, size_t n, void *ctx, size_t done), void *ctx)
{
	size_t done = 0;

	while (done < len) {
		const struct mem_slot *s = guest_mem_find(gm, gpa + done);
		size_t n;

		if (!s)
			return false;
		n = s->size - (gpa + done - s->gpa);
		if (n > len - done)
			n = len - done;
		fn(phys_to_virt(s->hpa + (gpa + done - s->gpa)), n, ctx, done);
		done += n;
	}
	return true;
}

static void copy_out(void *host, size_t n, void *ctx, size_t done)
{
	memcpy((uint8_t *)ctx + done, host, n);
}

static void copy_in(void *host, size_t n, void *ctx, size_t done)
{
	memcpy(host, (const uint8_t *)ctx + done, n);
}

static void zero_fill(void *host, size_t n, void *ctx, size_t done)
{
	(void)ctx;
	(void)done;
	memset(host, 0, n);
}

bool guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, size_t len)
{
	return guest_mem_walk(gm, gpa, len, copy_out, dst);
}

bool guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *src, size_t len)
{
	return guest_mem_walk(gm, gpa, len, copy_in, (void *)src);
}

bool guest_mem_zero(const struct guest_mem *gm, uint64_t gpa, size_t len)
{
	return guest_mem_walk(gm, gpa, len, zero_fill, NULL);
}
