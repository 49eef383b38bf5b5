/* Host unit tests for the bzImage setup-header parser (guest/loader/bzimage.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/loader/bzimage.h"

/* boot.rst's header offsets and values, written out here independently of the header under
 * test ("The Real-Mode Kernel Header"). */
#define O_SETUP_SECTS	0x1f1
#define O_SYSSIZE	0x1f4
#define O_BOOT_FLAG	0x1fe
#define O_JUMP		0x200
#define O_HDRS		0x202
#define O_VERSION	0x206
#define O_LOADFLAGS	0x211
#define O_CODE32	0x214
#define O_INITRD_MAX	0x22c
#define O_ALIGN		0x230
#define O_RELOC		0x234
#define O_MIN_ALIGN	0x235
#define O_XLF		0x236
#define O_CMDLINE_SIZE	0x238
#define O_PAYLOAD_OFF	0x248
#define O_PAYLOAD_LEN	0x24c
#define O_PREF		0x258
#define O_INIT_SIZE	0x260

/* The standard synthetic image: protocol 2.15, 4 setup sectors after the boot sector, 64 KiB of
 * protected-mode code holding a gzip payload, then a 64-byte "signature" tail. */
#define STD_SETUP_SECTS	4u
#define STD_SETUP	((STD_SETUP_SECTS + 1) * 512u)
#define STD_KERNEL	0x10000u
#define STD_TAIL	64u
#define STD_LEN		(STD_SETUP + STD_KERNEL + STD_TAIL)
#define STD_PAYLOAD	0x100u

struct img {
	uint8_t b[STD_LEN];
	size_t len;
};

static void put8(struct img *im, unsigned off, uint8_t v) { im->b[off] = v; }
static void put16(struct img *im, unsigned off, uint16_t v) { memcpy(im->b + off, &v, 2); }
static void put32(struct img *im, unsigned off, uint32_t v) { memcpy(im->b + off, &v, 4); }
static void put64(struct img *im, unsigned off, uint64_t v) { memcpy(im->b + off, &v, 8); }

static void std_image(struct img *im)
{
	memset(im, 0, sizeof(*im));
	im->len = STD_LEN;
	put8(im, O_SETUP_SECTS, STD_SETUP_SECTS);
	put32(im, O_SYSSIZE, STD_KERNEL / 16);
	put16(im, O_BOOT_FLAG, 0xaa55);
	put8(im, O_JUMP, 0xeb);
	put8(im, O_JUMP + 1, 0x6a);		/* header ends at 0x26c, as in Linux 6.1 */
	memcpy(im->b + O_HDRS, "HdrS", 4);
	put16(im, O_VERSION, 0x020f);
	put8(im, O_LOADFLAGS, 0x01);
	put32(im, O_CODE32, 0x100000);
	put32(im, O_INITRD_MAX, 0x7fffffff);
	put32(im, O_ALIGN, 0x200000);
	put8(im, O_RELOC, 1);
	put8(im, O_MIN_ALIGN, 21);
	put16(im, O_XLF, 0x1);
	put32(im, O_CMDLINE_SIZE, 0x7ff);
	put32(im, O_PAYLOAD_OFF, STD_PAYLOAD);
	put32(im, O_PAYLOAD_LEN, 0x1000);
	put64(im, O_PREF, 0x1000000);
	put32(im, O_INIT_SIZE, 0x400000);
	im->b[STD_SETUP + STD_PAYLOAD] = 0x1f;
	im->b[STD_SETUP + STD_PAYLOAD + 1] = 0x8b;
}

static char err[256];

static int parse(const struct img *im, struct bzimage *bz)
{
	memset(err, 'x', sizeof(err) - 1);
	err[sizeof(err) - 1] = '\0';
	return bzimage_parse(im->b, im->len, bz, err, sizeof(err));
}

/* The image must be refused with a reason containing want, and *out left zeroed. */
static void expect_reject(const struct img *im, const char *want)
{
	struct bzimage bz, zero;

	memset(&zero, 0, sizeof(zero));
	assert_int_equal(parse(im, &bz), -1);
	if (!strstr(err, want))
		fail_msg("reason \"%s\" lacks \"%s\"", err, want);
	assert_null(strchr(err, '\n'));
	assert_memory_equal(&bz, &zero, sizeof(bz));
}

static void test_std_fields(void **state)
{
	struct img im;
	struct bzimage bz;

	(void)state;
	std_image(&im);
	assert_true(bzimage_detect(im.b, im.len));
	assert_int_equal(parse(&im, &bz), 0);
	assert_string_equal(err, "");
	assert_int_equal(bz.version, 0x020f);
	assert_int_equal(bz.setup_sects, 4);
	assert_int_equal(bz.kernel_offset, STD_SETUP);
	assert_int_equal(bz.kernel_size, STD_KERNEL);
	assert_int_equal(bz.header_end, 0x26c);
	assert_int_equal(bz.loadflags, 0x01);
	assert_int_equal(bz.code32_start, 0x100000);
	assert_int_equal(bz.initrd_addr_max, 0x7fffffff);
	assert_int_equal(bz.kernel_alignment, 0x200000);
	assert_true(bz.relocatable);
	assert_int_equal(bz.min_alignment, 21);
	assert_int_equal(bz.xloadflags, 0x1);
	assert_int_equal(bz.cmdline_size, 0x7ff);
	assert_int_equal(bz.pref_address, 0x1000000);
	assert_int_equal(bz.init_size, 0x400000);
	assert_int_equal(bz.payload_offset, STD_PAYLOAD);
	assert_int_equal(bz.payload_length, 0x1000);
	assert_int_equal(bz.compression, BZ_COMP_GZIP);
	assert_string_equal(bzimage_compression_name(bz.compression), "gzip");
}

static void test_setup_sects_zero_means_four(void **state)
{
	struct img im;
	struct bzimage bz;

	(void)state;
	std_image(&im);
	put8(&im, O_SETUP_SECTS, 0);
	assert_int_equal(parse(&im, &bz), 0);
	assert_int_equal(bz.setup_sects, 4);
	assert_int_equal(bz.kernel_offset, 5 * 512);
}

/* A file longer than setup + syssize (a signed image's tail) is fine; the code size is syssize. */
static void test_tail_after_code(void **state)
{
	struct img im;
	struct bzimage bz;

	(void)state;
	std_image(&im);
	put32(&im, O_SYSSIZE, 0x100);
	put32(&im, O_PAYLOAD_LEN, 0x100);
	assert_int_equal(parse(&im, &bz), 0);
	assert_int_equal(bz.kernel_size, 0x1000);
}

static void test_detect(void **state)
{
	struct img im;

	(void)state;
	std_image(&im);
	assert_false(bzimage_detect(NULL, 0));
	assert_false(bzimage_detect(im.b, O_HDRS + 3));
	assert_true(bzimage_detect(im.b, O_HDRS + 4));
	im.b[O_HDRS] = 'h';
	assert_false(bzimage_detect(im.b, im.len));
	assert_false(bzimage_detect("\177ELF\1\1\1", 8));
}

/* Protocol 2.06: no payload, pref_address or init_size; the kernel runs at 1 MiB. */
static void test_protocol_206(void **state)
{
	struct img im;
	struct bzimage bz;

	(void)state;
	std_image(&im);
	put16(&im, O_VERSION, 0x0206);
	put8(&im, O_JUMP + 1, O_CMDLINE_SIZE + 4 - 0x202);
	assert_int_equal(parse(&im, &bz), 0);
	assert_int_equal(bz.pref_address, 0x100000);
	assert_int_equal(bz.init_size, STD_KERNEL);
	assert_int_equal(bz.min_alignment, 0);
	assert_int_equal(bz.xloadflags, 0);
	assert_int_equal(bz.payload_length, 0);
	assert_int_equal(bz.compression, BZ_COMP_UNKNOWN);
}

static void test_compressions(void **state)
{
	static const struct { const char *name; uint8_t len; uint8_t m[6]; } c[] = {
		{ "gzip", 2, { 0x1f, 0x8b } }, { "bzip2", 3, { 'B', 'Z', 'h' } },
		{ "lzma", 3, { 0x5d, 0, 0 } }, { "xz", 6, { 0xfd, '7', 'z', 'X', 'Z', 0 } },
		{ "lzo", 3, { 0x89, 'L', 'Z' } }, { "lz4", 4, { 0x02, 0x21, 0x4c, 0x18 } },
		{ "zstd", 4, { 0x28, 0xb5, 0x2f, 0xfd } }, { "unknown", 4, { 1, 2, 3, 4 } },
	};
	struct img im;
	struct bzimage bz;

	(void)state;
	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		std_image(&im);
		memcpy(im.b + STD_SETUP + STD_PAYLOAD, c[i].m, c[i].len);
		assert_int_equal(parse(&im, &bz), 0);
		assert_string_equal(bzimage_compression_name(bz.compression), c[i].name);
	}
}

/* Each malformed field, one at a time, with the reason it must give. */
static void test_rejections(void **state)
{
	struct img im;

	(void)state;
	std_image(&im);
	put16(&im, O_BOOT_FLAG, 0x55aa);
	expect_reject(&im, "boot_flag is 0x55aa");

	std_image(&im);
	put8(&im, O_JUMP, 0xe9);
	expect_reject(&im, "no short jump");

	std_image(&im);
	memcpy(im.b + O_HDRS, "HdrZ", 4);
	expect_reject(&im, "no \"HdrS\"");

	std_image(&im);
	put16(&im, O_VERSION, 0x0205);
	expect_reject(&im, "boot protocol 2.05 is too old");

	std_image(&im);
	put16(&im, O_VERSION, 0x0104);
	expect_reject(&im, "boot protocol 1.04 is too old");

	std_image(&im);
	put8(&im, O_JUMP + 1, 0x90);
	expect_reject(&im, "ends at 0x292, past boot_params' 0x290");

	std_image(&im);
	put8(&im, O_JUMP + 1, 0x30);		/* 0x232: no cmdline_size */
	expect_reject(&im, "too short for protocol 2.15");

	std_image(&im);
	put16(&im, O_VERSION, 0x0208);
	put8(&im, O_JUMP + 1, O_CMDLINE_SIZE + 4 - 0x202);
	expect_reject(&im, "too short for protocol 2.08 (needs 0x250)");

	std_image(&im);
	put8(&im, O_SETUP_SECTS, 200);
	expect_reject(&im, "the setup code is 200 sectors");

	std_image(&im);
	put32(&im, O_SYSSIZE, 0);
	expect_reject(&im, "syssize is 0");

	std_image(&im);
	put32(&im, O_SYSSIZE, (STD_KERNEL + STD_TAIL) / 16 + 1);
	expect_reject(&im, "truncated: the protected-mode code");

	std_image(&im);
	put32(&im, O_SYSSIZE, 0xffffffff);
	expect_reject(&im, "truncated: the protected-mode code");

	std_image(&im);
	put8(&im, O_LOADFLAGS, 0x80);
	expect_reject(&im, "lack LOADED_HIGH");

	std_image(&im);
	put8(&im, O_MIN_ALIGN, 32);
	expect_reject(&im, "min_alignment 2^32");

	std_image(&im);
	put32(&im, O_ALIGN, 0x300000);
	expect_reject(&im, "kernel_alignment 0x300000 is not a power of two");

	std_image(&im);
	put32(&im, O_ALIGN, 0);
	expect_reject(&im, "kernel_alignment 0x0 is not a power of two");

	std_image(&im);
	put32(&im, O_ALIGN, 0x100000);
	expect_reject(&im, "kernel_alignment 0x100000 is below min_alignment 2^21");

	std_image(&im);
	put32(&im, O_CMDLINE_SIZE, 0);
	expect_reject(&im, "cmdline_size is 0");

	std_image(&im);
	put32(&im, O_PAYLOAD_OFF, STD_KERNEL - 0x800);
	expect_reject(&im, "payload [0xf800, +0x1000) is outside");

	std_image(&im);
	put32(&im, O_PAYLOAD_OFF, 0xfffff000);
	put32(&im, O_PAYLOAD_LEN, 0x2000);
	expect_reject(&im, "is outside the protected-mode code");

	std_image(&im);
	put64(&im, O_PREF, 0x100000000ull);
	expect_reject(&im, "pref_address 0x100000000 is not below 4 GiB");

	std_image(&im);
	put32(&im, O_INIT_SIZE, STD_KERNEL - 1);
	expect_reject(&im, "init_size 0xffff is smaller");
}

/* A non-relocatable kernel's kernel_alignment is not looked at. */
static void test_not_relocatable(void **state)
{
	struct img im;
	struct bzimage bz;

	(void)state;
	std_image(&im);
	put8(&im, O_RELOC, 0);
	put32(&im, O_ALIGN, 0x123);
	assert_int_equal(parse(&im, &bz), 0);
	assert_false(bz.relocatable);
}

static void test_null_arguments(void **state)
{
	struct img im;
	struct bzimage bz;

	(void)state;
	std_image(&im);
	assert_int_equal(bzimage_parse(NULL, 100, &bz, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no image"));
	assert_int_equal(bzimage_parse(im.b, im.len, NULL, err, sizeof(err)), -1);
	assert_int_equal(bzimage_parse(im.b, im.len, &bz, NULL, 0), 0);
	assert_int_equal(bzimage_parse(im.b, 10, &bz, NULL, 0), -1);
}

/* Every cut of the image short of setup + code is refused as truncated, without a read
 * outside the buffer (each cut is copied to a buffer of exactly that size, under ASan). */
static void test_every_truncation(void **state)
{
	struct img im;
	struct bzimage bz;

	(void)state;
	std_image(&im);
	for (size_t len = 0; len < STD_SETUP + STD_KERNEL; len += len < 0x300 ? 1 : 61) {
		uint8_t *cut = malloc(len ? len : 1);

		memcpy(cut, im.b, len);
		assert_int_equal(bzimage_parse(cut, len, &bz, err, sizeof(err)), -1);
		if (len >= O_HDRS + 6 && !strstr(err, "truncated"))
			fail_msg("cut at %zu: \"%s\"", len, err);
		free(cut);
	}
}

/* Random header bytes never make the parser read outside the image, and what it accepts
 * keeps its promises. */
static void test_random_headers(void **state)
{
	struct img im;
	struct bzimage bz;
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		std_image(&im);
		for (int k = 0; k < 1 + round % 6; k++) {
			seed = seed * 1103515245u + 12345u;
			unsigned off = O_SETUP_SECTS + (seed >> 8) % (0x270 - O_SETUP_SECTS);
			seed = seed * 1103515245u + 12345u;
			im.b[off] = (uint8_t)(seed >> 16);
		}
		if (parse(&im, &bz) == 0) {
			assert_true(bz.version >= 0x0206);
			assert_true(bz.kernel_offset + bz.kernel_size <= im.len);
			assert_true(bz.header_end <= 0x290);
			assert_true(bz.loadflags & 0x01);
			assert_true(bz.init_size >= bz.kernel_size);
			assert_true(bz.pref_address < (1ull << 32));
			assert_true((uint64_t)bz.payload_offset + bz.payload_length <= bz.kernel_size);
		} else {
			assert_true(err[0] != '\0');
		}
	}
}

/* --- Debian's own kernels, when `make linux` has fetched them ---------------------------- */

struct real_kernel {
	const char *file;
	bool kernel_64;
	enum bz_compression compression;
	uint32_t alignment;
};

static const struct real_kernel real_kernels[] = {
	{ "vmlinuz-cloud-amd64", true, BZ_COMP_LZ4, 0x200000 },
	{ "vmlinuz-686-pae", false, BZ_COMP_XZ, 0x1000000 },
	{ "vmlinuz-686", false, BZ_COMP_XZ, 0x1000000 },
};

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(*len);
	if (fread(buf, 1, *len, f) != *len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* The fetched kernels: each parses, with the fields Debian's configuration gives; and every
 * truncation of its header is refused. With UMBRA_LINUX_DIR set (`make test` fetches first and
 * sets it) every kernel must be there; without it (a plain `make unit`) the test looks in
 * build/linux and is skipped when nothing was fetched. */
static void test_real_kernels(void **state)
{
	const char *dir = getenv("UMBRA_LINUX_DIR") ? getenv("UMBRA_LINUX_DIR") : "build/linux";
	bool required = getenv("UMBRA_LINUX_DIR") != NULL;
	unsigned found = 0;

	(void)state;
	for (unsigned i = 0; i < sizeof(real_kernels) / sizeof(real_kernels[0]); i++) {
		const struct real_kernel *k = &real_kernels[i];
		char path[512];
		size_t len;
		uint8_t *img;
		struct bzimage bz;

		snprintf(path, sizeof(path), "%s/%s", dir, k->file);
		img = read_file(path, &len);
		if (!img && required)
			fail_msg("%s: cannot read it (UMBRA_LINUX_DIR is set: the kernels must be there)",
				 path);
		if (!img)
			continue;
		found++;
		assert_true(bzimage_detect(img, len));
		if (bzimage_parse(img, len, &bz, err, sizeof(err)))
			fail_msg("%s: %s", path, err);
		assert_true(bz.version >= 0x020f);
		assert_true(bz.relocatable);
		assert_int_equal(bz.pref_address, 0x1000000);
		assert_int_equal(bz.kernel_alignment, k->alignment);
		assert_int_equal(!!(bz.xloadflags & BZ_XLF_KERNEL_64), k->kernel_64);
		assert_int_equal(bz.compression, k->compression);
		assert_true(bz.cmdline_size >= 255);
		assert_true(bz.init_size > bz.kernel_size);
		assert_true(bz.kernel_offset + bz.kernel_size <= len);
		assert_int_equal(bzimage_parse(img, bz.kernel_offset + bz.kernel_size - 1, &bz, err,
					       sizeof(err)), -1);
		assert_non_null(strstr(err, "truncated"));
		assert_int_equal(bzimage_parse(img, 0x300, &bz, err, sizeof(err)), -1);
		free(img);
	}
	if (!found)
		skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_std_fields),
		cmocka_unit_test(test_setup_sects_zero_means_four),
		cmocka_unit_test(test_tail_after_code),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_protocol_206),
		cmocka_unit_test(test_compressions),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_not_relocatable),
		cmocka_unit_test(test_null_arguments),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_random_headers),
		cmocka_unit_test(test_real_kernels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
