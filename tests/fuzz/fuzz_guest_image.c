/*
 * Fuzz target: the multiboot (v1) guest image parser (guest/loader/guest_image.c), ELF32,
 * ELF64 and the a.out kludge.
 *
 * Input: one byte that picks the guest's RAM size, then the image, parsed from an exact-size
 * heap copy (ASan sees any read past it). Checks everything guest_image.h promises of a
 * successful parse: a valid, checksummed header where it says, the flags it reports, segments
 * inside the file, below 4 GiB and ram_size, above GUEST_IMAGE_MIN_GPA, out of the hole,
 * pairwise disjoint, the span and an entry point inside a loaded segment. A failure must leave
 * *out zeroed and give a reason; a success must leave the reason empty.
 */
#include "tests/fuzz/fuzz.h"

#include "guest/loader/guest_bootinfo.h"
#include "guest/loader/guest_image.h"

#define MB1_MAGIC		0x1badb002u
#define MB1_SEARCH_BYTES	8192u
#define MB1_FLAG_AOUT		(1u << 16)

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void check_image(const uint8_t *img, size_t size, uint64_t ram, const struct guest_image *gi)
{
	const uint32_t off = gi->header_offset;
	uint64_t lo = UINT64_MAX, hi = 0;
	bool entry_loaded = false;

	FUZZ_CHECK(gi->nseg >= 1 && gi->nseg <= GUEST_IMAGE_MAX_SEGMENTS, "nseg %u", gi->nseg);
	FUZZ_CHECK(off % 4 == 0 && off + 12 <= size && off + 12 <= MB1_SEARCH_BYTES,
		   "header at %u", off);
	FUZZ_CHECK(le32(img + off) == MB1_MAGIC, "no magic at the header offset");
	FUZZ_CHECK(le32(img + off + 4) == gi->header_flags, "flags differ from the header's");
	FUZZ_CHECK((uint32_t)(le32(img + off) + le32(img + off + 4) + le32(img + off + 8)) == 0,
		   "checksum does not hold");
	/* The first valid header counts: no earlier aligned offset holds one. */
	for (uint32_t o = 0; o < off; o += 4)
		FUZZ_CHECK(le32(img + o) != MB1_MAGIC ||
			   (uint32_t)(le32(img + o) + le32(img + o + 4) + le32(img + o + 8)) != 0,
			   "an earlier valid header at %u was skipped", o);
	FUZZ_CHECK((gi->header_flags & 0xfff8u) == 0, "required flags %#x accepted", gi->header_flags);
	FUZZ_CHECK(gi->aout_kludge == !!(gi->header_flags & MB1_FLAG_AOUT), "a.out flag");
	FUZZ_CHECK(gi->aout_kludge ? gi->elf_class == 0 : (gi->elf_class == 32 || gi->elf_class == 64),
		   "elf_class %u", gi->elf_class);
	FUZZ_CHECK(gi->wants_aligned_modules == !!(gi->header_flags & 1) &&
		   gi->wants_mem_info == !!(gi->header_flags & 2) &&
		   gi->wants_video_mode == !!(gi->header_flags & 4), "wants_* flags");
	for (unsigned i = 0; i < gi->nseg; i++) {
		const struct guest_segment *s = &gi->seg[i];
		uint64_t end = s->gpa + s->memsz;

		FUZZ_CHECK(s->memsz > 0 && s->filesz <= s->memsz, "segment %u sizes", i);
		FUZZ_CHECK(s->filesz == 0 || (s->file_offset <= size && s->filesz <= size - s->file_offset),
			   "segment %u outside the file", i);
		FUZZ_CHECK(end > s->gpa && end <= (4ull << 30) && end <= ram, "segment %u end %#llx", i,
			   (unsigned long long)end);
		FUZZ_CHECK(s->gpa >= GUEST_IMAGE_MIN_GPA, "segment %u at %#llx", i,
			   (unsigned long long)s->gpa);
		FUZZ_CHECK(end <= GUEST_LOW_RAM_END || s->gpa >= GUEST_HIGH_RAM_START,
			   "segment %u in the hole", i);
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(end <= gi->seg[j].gpa || gi->seg[j].gpa + gi->seg[j].memsz <= s->gpa,
				   "segments %u and %u overlap", j, i);
		entry_loaded |= gi->entry >= s->gpa && gi->entry < end;
		lo = s->gpa < lo ? s->gpa : lo;
		hi = end > hi ? end : hi;
	}
	FUZZ_CHECK(entry_loaded, "entry %#x not in a loaded segment", gi->entry);
	FUZZ_CHECK(gi->lowest_gpa == lo && gi->highest_gpa == hi, "span");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t rams[8] = {
		4ull << 20, 64ull << 20, 640ull << 10, 1ull << 30, 3ull << 30, 4ull << 30,
		64ull << 30, (1ull << 20) + 4096,
	};
	struct guest_image gi, zero;
	char err[128];
	uint64_t ram;
	uint8_t *img;
	int r;

	if (size < 1)
		return 0;
	ram = rams[data[0] & 7];
	size--;
	img = malloc(size ? size : 1);
	memcpy(img, data + 1, size);

	memset(err, 'x', sizeof(err));
	r = guest_image_parse(img, size, ram, &gi, err, sizeof(err));
	FUZZ_CHECK(r == 0 || r == -1, "returned %d", r);
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL, "reason not terminated");
	if (r == 0) {
		FUZZ_CHECK(err[0] == '\0', "reason on success: %s", err);
		check_image(img, size, ram, &gi);
	} else {
		memset(&zero, 0, sizeof(zero));
		FUZZ_CHECK(err[0] != '\0', "no reason given");
		FUZZ_CHECK(memcmp(&gi, &zero, sizeof(gi)) == 0, "*out not zeroed after a failure");
	}
	/* The outcome does not depend on the error buffer. */
	FUZZ_CHECK(guest_image_parse(img, size, ram, &gi, NULL, 0) == r, "outcome without err");
	free(img);
	return 0;
}
