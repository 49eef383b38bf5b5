/* Host unit tests for the Multiboot2 information parser (boot/multiboot2.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/boot_info.h"
#include "boot/multiboot2.h"

#define BUILDER_CAP	16384

/* An information block under construction, in an 8-byte aligned heap buffer. */
struct mbi_builder {
	uint8_t *buf;
	size_t len;
};

/* Starts an empty block: the fixed part with total_size still 0. */
static void mb_begin(struct mbi_builder *b)
{
	b->buf = aligned_alloc(8, BUILDER_CAP);
	assert_non_null(b->buf);
	memset(b->buf, 0xcc, BUILDER_CAP);
	memset(b->buf, 0, 8);
	b->len = 8;
}

/* Appends a tag with the given payload and an explicit size field; returns its offset. */
static size_t mb_tag_sized(struct mbi_builder *b, uint32_t type, uint32_t size,
			   const void *payload, size_t payload_len)
{
	size_t off = b->len;

	assert_true(off + 8 + payload_len + 8 <= BUILDER_CAP);
	memcpy(b->buf + off, &type, 4);
	memcpy(b->buf + off + 4, &size, 4);
	if (payload_len)
		memcpy(b->buf + off + 8, payload, payload_len);
	b->len = off + 8 + payload_len;
	while (b->len % 8)
		b->buf[b->len++] = 0;
	return off;
}

/* Appends a tag whose size field matches its payload; returns its offset. */
static size_t mb_tag(struct mbi_builder *b, uint32_t type, const void *payload, size_t len)
{
	return mb_tag_sized(b, type, (uint32_t)(8 + len), payload, len);
}

/* Appends a string tag (cmdline or loader name) including the NUL; returns its offset. */
static size_t mb_string(struct mbi_builder *b, uint32_t type, const char *s)
{
	return mb_tag(b, type, s, strlen(s) + 1);
}

/* Appends a module tag; returns its offset. */
static size_t mb_module(struct mbi_builder *b, uint32_t start, uint32_t end, const char *s)
{
	uint8_t p[256];
	size_t n = strlen(s) + 1;

	assert_true(8 + n <= sizeof(p));
	memcpy(p, &start, 4);
	memcpy(p + 4, &end, 4);
	memcpy(p + 8, s, n);
	return mb_tag(b, MB2_TAG_MODULE, p, 8 + n);
}

/* Appends a tag carrying two 32-bit values (basic meminfo and the like). */
static size_t mb_u32x2(struct mbi_builder *b, uint32_t type, uint32_t a, uint32_t c)
{
	uint32_t p[2] = { a, c };

	return mb_tag(b, type, p, sizeof(p));
}

/* Appends a tag carrying one 32-bit value. */
static size_t mb_u32(struct mbi_builder *b, uint32_t type, uint32_t v)
{
	return mb_tag(b, type, &v, sizeof(v));
}

/* Appends a tag carrying one 64-bit value. */
static size_t mb_u64(struct mbi_builder *b, uint32_t type, uint64_t v)
{
	return mb_tag(b, type, &v, sizeof(v));
}

/* Appends a memory map of n entries, each stretched to entry_size bytes; returns its offset. */
static size_t mb_mmap(struct mbi_builder *b, uint32_t entry_size, const struct mem_range *r,
		      unsigned n)
{
	uint8_t p[8 + 200 * 48];
	uint32_t version = 0;
	size_t len = 8;
	unsigned i;

	assert_true(entry_size >= 24 && entry_size <= 48 && n <= 200);
	memcpy(p, &entry_size, 4);
	memcpy(p + 4, &version, 4);
	for (i = 0; i < n; i++) {
		struct mb2_mmap_entry e = { r[i].base, r[i].length, r[i].type, 0 };

		memset(p + len, 0xee, entry_size);
		memcpy(p + len, &e, sizeof(e));
		len += entry_size;
	}
	return mb_tag(b, MB2_TAG_MMAP, p, len);
}

/* Appends the end tag and fixes total_size; returns total_size. */
static uint32_t mb_finish(struct mbi_builder *b)
{
	uint32_t total;

	mb_tag(b, MB2_TAG_END, NULL, 0);
	total = (uint32_t)b->len;
	memcpy(b->buf, &total, 4);
	return total;
}

/* Overwrites the total_size field with an arbitrary value. */
static void mb_set_total(struct mbi_builder *b, uint32_t total)
{
	memcpy(b->buf, &total, 4);
}

/* Copies n bytes of a block into a heap buffer of exactly n bytes so ASan flags any over-read. */
static uint8_t *exact_copy(const void *blk, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, blk, n);
	return p;
}

/* Parses an exact-size copy of a block's first total_size bytes; returns mb2_parse's result. */
static int parse_exact(const struct mbi_builder *b, struct boot_info *bi, char *err, size_t errlen,
		       uint8_t **copy)
{
	uint32_t total;

	memcpy(&total, b->buf, 4);
	if (total < 8 || total > b->len)	/* only the fixed part may be read */
		total = 8;
	*copy = exact_copy(b->buf, total);
	return mb2_parse(*copy, bi, err, errlen);
}

/* Expects the block to be rejected with a message containing needle; checks out was reset. */
static void expect_reject(const struct mbi_builder *b, const char *needle)
{
	struct boot_info bi;
	char err[160];
	uint8_t *copy;

	memset(&bi, 0x5a, sizeof(bi));
	assert_int_equal(parse_exact(b, &bi, err, sizeof(err), &copy), -1);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader_name, "");
	assert_int_equal(bi.mem_count, 0);
	assert_int_equal(bi.module_count, 0);
	assert_null(bi.acpi_rsdp);
	assert_int_equal(bi.mbi_start, 0);
	free(copy);
}

/* Expects the block to be accepted; the parsed result lands in *bi, the copy in *copy. */
static void expect_accept(const struct mbi_builder *b, struct boot_info *bi, uint8_t **copy)
{
	char err[160] = "unset";

	if (parse_exact(b, bi, err, sizeof(err), copy) != 0)
		fail_msg("rejected: %s", err);
	assert_string_equal(err, "");
}

static const struct mem_range grub_mmap[6] = {
	{ 0x0, 0x9fc00, MEM_USABLE },
	{ 0x9fc00, 0x400, MEM_RESERVED },
	{ 0xf0000, 0x10000, MEM_RESERVED },
	{ 0x100000, 0x7fde0000, MEM_USABLE },
	{ 0x7fee0000, 0x20000, MEM_ACPI_RECLAIMABLE },
	{ 0x100000000ull, 0x80000000ull, MEM_USABLE },
};

static const uint8_t rsdp_v2[36] = "RSD PTR \x42" "BOCHS \x02\x00\x10\xfe\x7f\x24\x00\x00\x00"
				   "\x40\x10\xfe\x7f\x00\x00\x00\x00\x99\x00\x00\x00";

/* Offsets of interesting tags in the GRUB-like block. */
struct grub_offsets {
	size_t cmdline, loader, mod0, mod1, acpi;
};

/* Builds a block resembling what GRUB 2.06 passes on a UEFI machine with two modules. */
static void build_grub_like(struct mbi_builder *b, struct grub_offsets *o)
{
	uint8_t elf[20 + 64] = { 0 };
	uint8_t fb[30] = { 0 };
	uint8_t efimm[8 + 2 * 48] = { 48, 0, 0, 0, 1, 0, 0, 0 };

	mb_begin(b);
	o->cmdline = mb_string(b, MB2_TAG_CMDLINE, "umbra.log=serial guest=linux");
	o->loader = mb_string(b, MB2_TAG_LOADER_NAME, "GRUB 2.06");
	o->mod0 = mb_module(b, 0x10a000, 0x9f1234, "/boot/bzImage console=ttyS0");
	o->mod1 = mb_module(b, 0x9f2000, 0x1a00000, "/boot/initrd.img");
	mb_u32x2(b, MB2_TAG_BASIC_MEMINFO, 639, 2096000);
	mb_tag(b, MB2_TAG_BOOTDEV, "\xe0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff", 12);
	mb_mmap(b, 24, grub_mmap, 6);
	mb_tag(b, MB2_TAG_ELF_SECTIONS, elf, sizeof(elf));
	mb_tag(b, MB2_TAG_FRAMEBUFFER, fb, sizeof(fb));
	mb_u64(b, MB2_TAG_EFI64, 0x7f9e8018);
	o->acpi = mb_tag(b, MB2_TAG_ACPI_NEW, rsdp_v2, sizeof(rsdp_v2));
	mb_tag(b, MB2_TAG_EFI_MMAP, efimm, sizeof(efimm));
	mb_tag(b, MB2_TAG_EFI_BS, NULL, 0);
	mb_u64(b, MB2_TAG_EFI64_IH, 0x7e1c5f98);
	mb_u32(b, MB2_TAG_LOAD_BASE_ADDR, 0x200000);
	mb_finish(b);
}

/* Every field of a realistic block is parsed, pointing into the block where it should. */
static void test_grub_like(void **state)
{
	struct mbi_builder b;
	struct grub_offsets o;
	struct boot_info bi;
	uint8_t *p;
	uint32_t total;
	unsigned i;

	(void)state;
	build_grub_like(&b, &o);
	memcpy(&total, b.buf, 4);
	expect_accept(&b, &bi, &p);

	assert_int_equal(bi.mbi_start, (uintptr_t)p);
	assert_int_equal(bi.mbi_end, (uintptr_t)p + total);
	assert_ptr_equal(bi.cmdline, p + o.cmdline + 8);
	assert_string_equal(bi.cmdline, "umbra.log=serial guest=linux");
	assert_ptr_equal(bi.loader_name, p + o.loader + 8);
	assert_string_equal(bi.loader_name, "GRUB 2.06");
	assert_true(bi.have_basic_meminfo);
	assert_int_equal(bi.mem_lower_kib, 639);
	assert_int_equal(bi.mem_upper_kib, 2096000);

	assert_int_equal(bi.mem_count, 6);
	assert_false(bi.mem_truncated);
	for (i = 0; i < 6; i++) {
		assert_int_equal(bi.mem[i].base, grub_mmap[i].base);
		assert_int_equal(bi.mem[i].length, grub_mmap[i].length);
		assert_int_equal(bi.mem[i].type, grub_mmap[i].type);
	}

	assert_int_equal(bi.module_count, 2);
	assert_false(bi.modules_truncated);
	assert_int_equal(bi.modules[0].start, 0x10a000);
	assert_int_equal(bi.modules[0].end, 0x9f1234);
	assert_ptr_equal(bi.modules[0].string, p + o.mod0 + 16);
	assert_string_equal(bi.modules[0].string, "/boot/bzImage console=ttyS0");
	assert_int_equal(bi.modules[1].start, 0x9f2000);
	assert_int_equal(bi.modules[1].end, 0x1a00000);
	assert_string_equal(bi.modules[1].string, "/boot/initrd.img");

	assert_int_equal(bi.acpi_revision_tag, 2);
	assert_ptr_equal(bi.acpi_rsdp, p + o.acpi + 8);
	assert_int_equal(bi.acpi_rsdp_len, 36);
	assert_memory_equal(bi.acpi_rsdp, rsdp_v2, 36);

	assert_int_equal(bi.efi_bits, 64);
	assert_int_equal(bi.efi_system_table, 0x7f9e8018);
	assert_int_equal(bi.efi_image_handle, 0x7e1c5f98);
	assert_true(bi.efi_boot_services_active);
	assert_true(bi.have_efi_memory_map);
	assert_true(bi.have_framebuffer);
	assert_int_equal(bi.unknown_tags, 0);
	free(p);

	/* The builder's own (larger) buffer parses the same way. */
	assert_int_equal(mb2_parse(b.buf, &bi, NULL, 0), 0);
	assert_int_equal(bi.mbi_end - bi.mbi_start, total);
	free(b.buf);
}

/* A block with nothing but the end tag is valid and leaves every field empty. */
static void test_minimal(void **state)
{
	struct mbi_builder b;
	struct boot_info bi;
	uint8_t *p;

	(void)state;
	mb_begin(&b);
	mb_finish(&b);
	expect_accept(&b, &bi, &p);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader_name, "");
	assert_false(bi.have_basic_meminfo);
	assert_int_equal(bi.mem_count, 0);
	assert_int_equal(bi.module_count, 0);
	assert_null(bi.acpi_rsdp);
	assert_int_equal(bi.acpi_revision_tag, 0);
	assert_int_equal(bi.efi_bits, 0);
	assert_false(bi.efi_boot_services_active);
	assert_false(bi.have_efi_memory_map);
	assert_false(bi.have_framebuffer);
	assert_int_equal(bi.mbi_end - bi.mbi_start, 16);
	free(p);
	free(b.buf);
}

/* total_size below 16, above 1 MiB, or cutting a tag short is rejected. */
static void test_bad_total_size(void **state)
{
	struct mbi_builder b;
	struct boot_info bi;
	uint32_t total;
	uint8_t *big;

	(void)state;
	mb_begin(&b);
	mb_string(&b, MB2_TAG_CMDLINE, "hello world");
	total = mb_finish(&b);

	mb_set_total(&b, 0);
	expect_reject(&b, "too small");
	mb_set_total(&b, 8);
	expect_reject(&b, "too small");
	mb_set_total(&b, 15);
	expect_reject(&b, "too small");
	mb_set_total(&b, 16);		/* only the cmdline header fits */
	expect_reject(&b, "size");
	mb_set_total(&b, total - 8);	/* the end tag is cut off */
	expect_reject(&b, "no end tag");
	mb_set_total(&b, total - 4);	/* half of the end tag */
	expect_reject(&b, "no end tag");

	/* Too large: rejected from the header alone (the rest of the buffer is never read). */
	mb_set_total(&b, MB2_MAX_INFO_SIZE + 8);
	big = exact_copy(b.buf, 8);
	assert_int_equal(mb2_parse(big, &bi, NULL, 0), -1);
	free(big);
	mb_set_total(&b, 0xffffffffu);
	expect_reject(&b, "implausibly large");
	free(b.buf);
}

/* A tag whose size runs past total_size is rejected. */
static void test_tag_past_end(void **state)
{
	struct mbi_builder b;
	size_t off;
	uint32_t size;

	(void)state;
	mb_begin(&b);
	off = mb_string(&b, MB2_TAG_CMDLINE, "abc");
	mb_finish(&b);
	size = 4096;
	memcpy(b.buf + off + 4, &size, 4);
	expect_reject(&b, "invalid");
	size = 0xfffffff8u;		/* would wrap a 32-bit offset */
	memcpy(b.buf + off + 4, &size, 4);
	expect_reject(&b, "invalid");
	free(b.buf);
}

/* Without an end tag, or with a malformed one, the block is rejected. */
static void test_missing_end_tag(void **state)
{
	struct mbi_builder b;
	uint32_t total;

	(void)state;
	mb_begin(&b);
	mb_string(&b, MB2_TAG_CMDLINE, "abc");
	mb_u32x2(&b, MB2_TAG_BASIC_MEMINFO, 1, 2);
	total = (uint32_t)b.len;
	mb_set_total(&b, total);
	expect_reject(&b, "no end tag");

	/* An end tag with a size other than 8. */
	mb_tag(&b, MB2_TAG_END, "\0\0\0\0\0\0\0\0", 8);
	mb_set_total(&b, (uint32_t)b.len);
	expect_reject(&b, "end tag");
	free(b.buf);
}

/* Strings without a NUL inside their tag are rejected, for all three string-carrying tags. */
static void test_unterminated_strings(void **state)
{
	static const uint32_t types[] = { MB2_TAG_CMDLINE, MB2_TAG_LOADER_NAME, MB2_TAG_MODULE };
	struct mbi_builder b;
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		mb_begin(&b);
		if (types[i] == MB2_TAG_MODULE)
			mb_tag(&b, types[i], "\0\0\x10\0\0\0\x20\0abcdefg", 15);	/* no NUL */
		else
			mb_tag(&b, types[i], "abcdefgh", 8);	/* 16-byte tag, no padding */
		mb_finish(&b);
		expect_reject(&b, "NUL");
		free(b.buf);
	}

	/* An empty string (just the NUL) is fine. */
	mb_begin(&b);
	mb_tag(&b, MB2_TAG_CMDLINE, "", 1);
	mb_finish(&b);
	{
		struct boot_info bi;
		uint8_t *p;

		expect_accept(&b, &bi, &p);
		assert_string_equal(bi.cmdline, "");
		assert_ptr_equal(bi.cmdline, p + 16);
		free(p);
	}
	free(b.buf);

	/* A string tag with no room even for the NUL is below the minimum size. */
	mb_begin(&b);
	mb_tag(&b, MB2_TAG_LOADER_NAME, NULL, 0);
	mb_finish(&b);
	expect_reject(&b, "minimum");
	free(b.buf);
}

/* Memory map entry sizes below 24 or not a multiple of 8 are rejected; larger ones are strided. */
static void test_mmap_entry_size(void **state)
{
	static const uint32_t bad[] = { 0, 8, 20, 28 };
	struct mbi_builder b;
	struct boot_info bi;
	uint8_t *p;
	unsigned i;

	(void)state;
	for (i = 0; i < 4; i++) {
		uint32_t hdr[2] = { bad[i], 0 };
		uint8_t payload[8 + 48] = { 0 };

		mb_begin(&b);
		memcpy(payload, hdr, 8);
		mb_tag(&b, MB2_TAG_MMAP, payload, sizeof(payload));
		mb_finish(&b);
		expect_reject(&b, "entry_size");
		free(b.buf);
	}

	/* entry_size 40: a future, longer entry; only the first 24 bytes are read. */
	mb_begin(&b);
	mb_mmap(&b, 40, grub_mmap, 6);
	mb_finish(&b);
	expect_accept(&b, &bi, &p);
	assert_int_equal(bi.mem_count, 6);
	for (i = 0; i < 6; i++) {
		assert_int_equal(bi.mem[i].base, grub_mmap[i].base);
		assert_int_equal(bi.mem[i].length, grub_mmap[i].length);
		assert_int_equal(bi.mem[i].type, grub_mmap[i].type);
	}
	free(p);
	free(b.buf);

	/* A trailing partial entry is rejected. */
	mb_begin(&b);
	{
		size_t off = mb_mmap(&b, 24, grub_mmap, 2);
		uint32_t size = 16 + 24 + 12;

		memcpy(b.buf + off + 4, &size, 4);
	}
	mb_finish(&b);
	expect_reject(&b, "partial");
	free(b.buf);

	/* An empty memory map is valid. */
	mb_begin(&b);
	mb_mmap(&b, 24, grub_mmap, 0);
	mb_finish(&b);
	expect_accept(&b, &bi, &p);
	assert_int_equal(bi.mem_count, 0);
	free(p);
	free(b.buf);
}

/* A block that is not 8-byte aligned, or NULL, is rejected. */
static void test_unaligned_block(void **state)
{
	struct mbi_builder b;
	struct boot_info bi;
	char err[128];
	uint8_t *p;
	uint32_t total;
	unsigned shift;

	(void)state;
	mb_begin(&b);
	mb_string(&b, MB2_TAG_CMDLINE, "x");
	total = mb_finish(&b);
	p = aligned_alloc(8, total + 8);
	for (shift = 1; shift < 8; shift++) {
		memcpy(p + shift, b.buf, total);
		assert_int_equal(mb2_parse(p + shift, &bi, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "aligned"));
	}
	memcpy(p, b.buf, total);
	assert_int_equal(mb2_parse(p, &bi, err, sizeof(err)), 0);
	assert_int_equal(mb2_parse(NULL, &bi, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NULL"));
	free(p);
	free(b.buf);
}

/* Tags whose size is below 8 (which would loop forever or go backwards) are rejected. */
static void test_tag_size_below_8(void **state)
{
	static const uint32_t sizes[] = { 0, 1, 4, 7 };
	struct mbi_builder b;
	unsigned i;

	(void)state;
	for (i = 0; i < 4; i++) {
		mb_begin(&b);
		mb_tag_sized(&b, 77, sizes[i], NULL, 0);
		mb_finish(&b);
		expect_reject(&b, "invalid");
		free(b.buf);
	}
}

/* Interpreted tags shorter than their layout are rejected. */
static void test_type_minimum_sizes(void **state)
{
	static const struct {
		uint32_t type, size;
	} cases[] = {
		{ MB2_TAG_BASIC_MEMINFO, 12 }, { MB2_TAG_MMAP, 12 }, { MB2_TAG_MODULE, 16 },
		{ MB2_TAG_EFI32, 8 }, { MB2_TAG_EFI64, 12 }, { MB2_TAG_EFI32_IH, 8 },
		{ MB2_TAG_EFI64_IH, 12 }, { MB2_TAG_ACPI_OLD, 27 }, { MB2_TAG_ACPI_NEW, 43 },
		{ MB2_TAG_EFI_MMAP, 12 }, { MB2_TAG_FRAMEBUFFER, 30 },
	};
	uint8_t zeros[64] = { 0 };
	struct mbi_builder b;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mb_begin(&b);
		mb_tag(&b, cases[i].type, zeros, cases[i].size - 8);
		mb_finish(&b);
		expect_reject(&b, "minimum");
		free(b.buf);
	}
}

/* A module may be empty (start == end) but must not end before it starts. */
static void test_module_bounds(void **state)
{
	struct mbi_builder b;
	struct boot_info bi;
	uint8_t *p;

	(void)state;
	mb_begin(&b);
	mb_module(&b, 0x200000, 0x1fffff, "backwards");
	mb_finish(&b);
	expect_reject(&b, "before it starts");
	free(b.buf);

	mb_begin(&b);
	mb_module(&b, 0x200000, 0x200000, "");
	mb_finish(&b);
	expect_accept(&b, &bi, &p);
	assert_int_equal(bi.module_count, 1);
	assert_int_equal(bi.modules[0].start, bi.modules[0].end);
	assert_string_equal(bi.modules[0].string, "");
	free(p);
	free(b.buf);
}

/* Tags of types the specification does not define are skipped, counted, and parsing goes on. */
static void test_unknown_tags(void **state)
{
	struct mbi_builder b;
	struct boot_info bi;
	uint8_t *p;

	(void)state;
	mb_begin(&b);
	mb_tag(&b, 99, "xyz", 3);
	mb_tag(&b, MB2_TAG_APM, "0123456789abcdefghij", 20);	/* defined, not interpreted */
	mb_tag(&b, 0x7fffffff, NULL, 0);
	mb_string(&b, MB2_TAG_CMDLINE, "after");
	mb_tag(&b, MB2_TAG_LAST_DEFINED + 1, "12345678901", 11);
	mb_tag(&b, MB2_TAG_SMBIOS, "\x03\x02\0\0\0\0\0\0", 8);
	mb_finish(&b);
	expect_accept(&b, &bi, &p);
	assert_int_equal(bi.unknown_tags, 3);
	assert_string_equal(bi.cmdline, "after");
	free(p);
	free(b.buf);
}

/* More than BOOT_MAX_MODULES modules keeps the first ones and flags the truncation. */
static void test_modules_truncated(void **state)
{
	struct mbi_builder b;
	struct boot_info bi;
	char name[16];
	uint8_t *p;
	unsigned i;

	(void)state;
	mb_begin(&b);
	for (i = 0; i < BOOT_MAX_MODULES + 1; i++) {
		snprintf(name, sizeof(name), "mod%u", i);
		mb_module(&b, 0x1000000 + i * 0x1000, 0x1000000 + i * 0x1000 + 0x800, name);
	}
	mb_string(&b, MB2_TAG_CMDLINE, "still parsed");
	mb_finish(&b);
	expect_accept(&b, &bi, &p);
	assert_int_equal(bi.module_count, BOOT_MAX_MODULES);
	assert_true(bi.modules_truncated);
	for (i = 0; i < BOOT_MAX_MODULES; i++) {
		snprintf(name, sizeof(name), "mod%u", i);
		assert_string_equal(bi.modules[i].string, name);
		assert_int_equal(bi.modules[i].start, 0x1000000 + i * 0x1000);
	}
	assert_string_equal(bi.cmdline, "still parsed");
	free(p);
	free(b.buf);

	/* Exactly BOOT_MAX_MODULES is not truncated. */
	mb_begin(&b);
	for (i = 0; i < BOOT_MAX_MODULES; i++)
		mb_module(&b, 0x1000, 0x2000, "m");
	mb_finish(&b);
	expect_accept(&b, &bi, &p);
	assert_int_equal(bi.module_count, BOOT_MAX_MODULES);
	assert_false(bi.modules_truncated);
	free(p);
	free(b.buf);
}

/* A memory map longer than BOOT_MAX_MEM_RANGES keeps the first entries and flags truncation. */
static void test_mem_truncated(void **state)
{
	struct mem_range r[BOOT_MAX_MEM_RANGES + 2];
	struct mbi_builder b;
	struct boot_info bi;
	uint8_t *p;
	unsigned i;

	(void)state;
	for (i = 0; i < BOOT_MAX_MEM_RANGES + 2; i++) {
		r[i].base = (uint64_t)i << 20;
		r[i].length = 1 << 20;
		r[i].type = 1 + i % 5;
	}
	mb_begin(&b);
	mb_mmap(&b, 24, r, BOOT_MAX_MEM_RANGES + 2);
	mb_finish(&b);
	expect_accept(&b, &bi, &p);
	assert_int_equal(bi.mem_count, BOOT_MAX_MEM_RANGES);
	assert_true(bi.mem_truncated);
	for (i = 0; i < BOOT_MAX_MEM_RANGES; i++) {
		assert_int_equal(bi.mem[i].base, r[i].base);
		assert_int_equal(bi.mem[i].type, r[i].type);
	}
	free(p);
	free(b.buf);

	mb_begin(&b);
	mb_mmap(&b, 24, r, BOOT_MAX_MEM_RANGES);
	mb_finish(&b);
	expect_accept(&b, &bi, &p);
	assert_int_equal(bi.mem_count, BOOT_MAX_MEM_RANGES);
	assert_false(bi.mem_truncated);
	free(p);
	free(b.buf);
}

/* A second copy of a once-only tag is an error; two EFI system table widths count as a copy. */
static void test_duplicates(void **state)
{
	struct mbi_builder b;

	(void)state;
	mb_begin(&b);
	mb_string(&b, MB2_TAG_CMDLINE, "first");
	mb_string(&b, MB2_TAG_CMDLINE, "second");
	mb_finish(&b);
	expect_reject(&b, "duplicate");
	free(b.buf);

	mb_begin(&b);
	mb_u32(&b, MB2_TAG_EFI32, 0x1000);
	mb_u64(&b, MB2_TAG_EFI64, 0x2000);
	mb_finish(&b);
	expect_reject(&b, "duplicate");
	free(b.buf);

	mb_begin(&b);
	mb_mmap(&b, 24, grub_mmap, 1);
	mb_mmap(&b, 24, grub_mmap, 1);
	mb_finish(&b);
	expect_reject(&b, "duplicate");
	free(b.buf);
}

/* The new RSDP tag wins over the old one in either order; the old one alone is reported as 1. */
static void test_acpi_precedence(void **state)
{
	uint8_t v1[20] = "RSD PTR \x11" "OEMID \0\x00\x10\xfe\x7f";
	struct mbi_builder b;
	struct boot_info bi;
	size_t o_new, o_old;
	uint8_t *p;
	int order;

	(void)state;
	for (order = 0; order < 2; order++) {
		mb_begin(&b);
		if (order) {
			o_new = mb_tag(&b, MB2_TAG_ACPI_NEW, rsdp_v2, sizeof(rsdp_v2));
			o_old = mb_tag(&b, MB2_TAG_ACPI_OLD, v1, sizeof(v1));
		} else {
			o_old = mb_tag(&b, MB2_TAG_ACPI_OLD, v1, sizeof(v1));
			o_new = mb_tag(&b, MB2_TAG_ACPI_NEW, rsdp_v2, sizeof(rsdp_v2));
		}
		(void)o_old;
		mb_finish(&b);
		expect_accept(&b, &bi, &p);
		assert_int_equal(bi.acpi_revision_tag, 2);
		assert_ptr_equal(bi.acpi_rsdp, p + o_new + 8);
		assert_int_equal(bi.acpi_rsdp_len, 36);
		free(p);
		free(b.buf);
	}

	mb_begin(&b);
	o_old = mb_tag(&b, MB2_TAG_ACPI_OLD, v1, sizeof(v1));
	mb_finish(&b);
	expect_accept(&b, &bi, &p);
	assert_int_equal(bi.acpi_revision_tag, 1);
	assert_ptr_equal(bi.acpi_rsdp, p + o_old + 8);
	assert_int_equal(bi.acpi_rsdp_len, 20);
	free(p);
	free(b.buf);
}

/* The 32-bit EFI tags are read as 32-bit values. */
static void test_efi32(void **state)
{
	struct mbi_builder b;
	struct boot_info bi;
	uint8_t *p;

	(void)state;
	mb_begin(&b);
	mb_u32(&b, MB2_TAG_EFI32, 0xdeadb000);
	mb_u32(&b, MB2_TAG_EFI32_IH, 0x12345678);
	mb_finish(&b);
	expect_accept(&b, &bi, &p);
	assert_int_equal(bi.efi_bits, 32);
	assert_int_equal(bi.efi_system_table, 0xdeadb000);
	assert_int_equal(bi.efi_image_handle, 0x12345678);
	assert_false(bi.efi_boot_services_active);
	free(p);
	free(b.buf);
}

/* Bytes between the end tag and total_size are ignored. */
static void test_bytes_after_end_tag(void **state)
{
	struct mbi_builder b;
	struct boot_info bi;
	uint8_t *p;
	uint32_t total;

	(void)state;
	mb_begin(&b);
	mb_string(&b, MB2_TAG_CMDLINE, "x");
	total = mb_finish(&b);
	memset(b.buf + total, 0xff, 24);
	b.len = total + 24;
	mb_set_total(&b, total + 24);
	expect_accept(&b, &bi, &p);
	assert_string_equal(bi.cmdline, "x");
	assert_int_equal(bi.mbi_end - bi.mbi_start, total + 24);
	free(p);
	free(b.buf);
}

/* The error buffer may be NULL or tiny; a message is always cut and NUL-terminated. */
static void test_error_buffer(void **state)
{
	struct mbi_builder b;
	struct boot_info bi;
	char err[8];
	uint8_t *p;

	(void)state;
	mb_begin(&b);
	mb_finish(&b);
	mb_set_total(&b, 4);
	p = exact_copy(b.buf, 8);
	assert_int_equal(mb2_parse(p, &bi, NULL, 0), -1);
	assert_int_equal(mb2_parse(p, &bi, NULL, 100), -1);
	memset(err, 'z', sizeof(err));
	assert_int_equal(mb2_parse(p, &bi, err, 1), -1);
	assert_int_equal(err[0], '\0');
	assert_int_equal(err[1], 'z');
	assert_int_equal(mb2_parse(p, &bi, err, sizeof(err)), -1);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	free(p);
	free(b.buf);
}

/* Checks that what a successful parse reports lies inside the block it was given. */
static void check_inside(const struct boot_info *bi, const uint8_t *p, uint32_t total)
{
	uintptr_t lo = (uintptr_t)p, hi = lo + total;
	unsigned i;

	assert_true(bi->mem_count <= BOOT_MAX_MEM_RANGES);
	assert_true(bi->module_count <= BOOT_MAX_MODULES);
	if (*bi->cmdline)
		assert_true((uintptr_t)bi->cmdline >= lo &&
			    (uintptr_t)bi->cmdline + strlen(bi->cmdline) < hi);
	if (*bi->loader_name)
		assert_true((uintptr_t)bi->loader_name >= lo &&
			    (uintptr_t)bi->loader_name + strlen(bi->loader_name) < hi);
	for (i = 0; i < bi->module_count; i++) {
		const char *s = bi->modules[i].string;

		assert_true((uintptr_t)s >= lo && (uintptr_t)s + strlen(s) < hi);
		assert_true(bi->modules[i].start <= bi->modules[i].end);
	}
	if (bi->acpi_rsdp)
		assert_true((uintptr_t)bi->acpi_rsdp >= lo &&
			    (uintptr_t)bi->acpi_rsdp + bi->acpi_rsdp_len <= hi);
}

/* Parses one mutated block from an exact-size copy; returns 1 if accepted. */
static int fuzz_one(const uint8_t *blk, uint32_t orig_total)
{
	struct boot_info bi;
	char err[128];
	uint32_t total;
	size_t n;
	uint8_t *p;
	int ok;

	memcpy(&total, blk, 4);
	/* Give the parser exactly total_size bytes when plausible, so ASan catches over-reads. */
	n = total >= 8 && total <= MB2_MAX_INFO_SIZE ? total : orig_total;
	p = calloc(1, n);
	assert_non_null(p);
	memcpy(p, blk, n < orig_total ? n : orig_total);
	ok = mb2_parse(p, &bi, err, sizeof(err)) == 0;
	if (ok)
		check_inside(&bi, p, total);
	else
		assert_true(strlen(err) > 0);
	free(p);
	return ok;
}

/* Corrupting any byte of a valid block with a few values never crashes or over-reads. */
static void test_fuzz_bytes(void **state)
{
	static const uint8_t values[] = { 0x00, 0xff, 0x01, 0x80, 0x07, 0x10, 0x7f };
	struct mbi_builder b;
	struct grub_offsets o;
	uint32_t total, i;
	unsigned v, accepted = 0, rejected = 0;
	uint8_t *m;

	(void)state;
	build_grub_like(&b, &o);
	memcpy(&total, b.buf, 4);
	m = malloc(total);
	for (i = 0; i < total; i++) {
		for (v = 0; v < sizeof(values); v++) {
			memcpy(m, b.buf, total);
			m[i] = values[v];
			if (fuzz_one(m, total))
				accepted++;
			else
				rejected++;
		}
		/* Also flip each bit of the byte. */
		for (v = 0; v < 8; v++) {
			memcpy(m, b.buf, total);
			m[i] ^= (uint8_t)(1u << v);
			if (fuzz_one(m, total))
				accepted++;
			else
				rejected++;
		}
	}
	assert_true(accepted > 0);
	assert_true(rejected > 0);
	free(m);
	free(b.buf);
}

/* Every truncation of a valid block (total_size lowered, buffer cut to match) is handled. */
static void test_fuzz_truncations(void **state)
{
	struct mbi_builder b;
	struct grub_offsets o;
	struct boot_info bi;
	uint32_t total, t;
	uint8_t *p;

	(void)state;
	build_grub_like(&b, &o);
	memcpy(&total, b.buf, 4);
	for (t = 0; t < total; t++) {
		p = malloc(t < 8 ? 8 : t);
		memcpy(p, b.buf, t < 8 ? 8 : t);
		memcpy(p, &t, 4);
		assert_int_equal(mb2_parse(p, &bi, NULL, 0), -1);
		free(p);
	}
	free(b.buf);
}

/* Memory type names cover the defined types and call everything else reserved. */
static void test_mem_type_name(void **state)
{
	(void)state;
	assert_string_equal(mem_type_name(MEM_USABLE), "usable");
	assert_string_equal(mem_type_name(MEM_RESERVED), "reserved");
	assert_string_equal(mem_type_name(MEM_ACPI_RECLAIMABLE), "ACPI reclaimable");
	assert_string_equal(mem_type_name(MEM_ACPI_NVS), "ACPI NVS");
	assert_string_equal(mem_type_name(MEM_BAD), "bad");
	assert_non_null(strstr(mem_type_name(0), "reserved"));
	assert_non_null(strstr(mem_type_name(6), "reserved"));
	assert_non_null(strstr(mem_type_name(0xffffffffu), "reserved"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grub_like),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_bad_total_size),
		cmocka_unit_test(test_tag_past_end),
		cmocka_unit_test(test_missing_end_tag),
		cmocka_unit_test(test_unterminated_strings),
		cmocka_unit_test(test_mmap_entry_size),
		cmocka_unit_test(test_unaligned_block),
		cmocka_unit_test(test_tag_size_below_8),
		cmocka_unit_test(test_type_minimum_sizes),
		cmocka_unit_test(test_module_bounds),
		cmocka_unit_test(test_unknown_tags),
		cmocka_unit_test(test_modules_truncated),
		cmocka_unit_test(test_mem_truncated),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_acpi_precedence),
		cmocka_unit_test(test_efi32),
		cmocka_unit_test(test_bytes_after_end_tag),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_fuzz_bytes),
		cmocka_unit_test(test_fuzz_truncations),
		cmocka_unit_test(test_mem_type_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
