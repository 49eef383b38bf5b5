/* Host unit tests for Linux placement and boot_params (guest/loader/linux.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/loader/linux.h"
#include "tests/unit/fetched_kernels.h"

#define MiB		(1ull << 20)
#define GiB		(1ull << 30)

/* zero-page.rst and boot.rst offsets, written out independently of the header under test. */
#define Z_EXT_RAMDISK_IMAGE	0x0c0
#define Z_EXT_RAMDISK_SIZE	0x0c4
#define Z_EXT_CMD_LINE_PTR	0x0c8
#define Z_ALT_MEM_K		0x1e0
#define Z_E820_ENTRIES		0x1e8
#define Z_SENTINEL		0x1ef
#define Z_HDR			0x1f1
#define Z_VID_MODE		0x1fa
#define Z_HDRS			0x202
#define Z_TYPE_OF_LOADER	0x210
#define Z_LOADFLAGS		0x211
#define Z_CODE32_START		0x214
#define Z_RAMDISK_IMAGE		0x218
#define Z_RAMDISK_SIZE		0x21c
#define Z_HEAP_END_PTR		0x224
#define Z_CMD_LINE_PTR		0x228
#define Z_E820_TABLE		0x2d0

/* A parsed header as bzimage_parse() would give it for a Debian-like 64-bit kernel. */
static struct bzimage std_bz(void)
{
	return (struct bzimage){
		.version = 0x020f, .setup_sects = 4, .kernel_offset = 0xa00, .kernel_size = 0xd00000,
		.header_end = 0x26c, .loadflags = BZ_LOADED_HIGH, .code32_start = 0x100000,
		.initrd_addr_max = 0x7fffffff, .kernel_alignment = 0x200000, .relocatable = true,
		.min_alignment = 21, .xloadflags = BZ_XLF_KERNEL_64, .cmdline_size = 0x7ff,
		.pref_address = 0x1000000, .init_size = 0x3400000,
	};
}

static char err[256];

static int plan(const struct bzimage *bz, uint64_t ram, const char *cmdline, uint64_t rd,
		struct linux_layout *l)
{
	err[0] = '\0';
	return linux_plan(bz, ram, cmdline, rd, l, err, sizeof(err));
}

static void expect_plan_error(const struct bzimage *bz, uint64_t ram, const char *cmdline,
			      uint64_t rd, const char *want)
{
	struct linux_layout l, zero;

	memset(&zero, 0, sizeof(zero));
	assert_int_equal(plan(bz, ram, cmdline, rd, &l), -1);
	if (!strstr(err, want))
		fail_msg("reason \"%s\" lacks \"%s\"", err, want);
	assert_memory_equal(&l, &zero, sizeof(l));
}

static void test_plan_std(void **state)
{
	struct bzimage bz = std_bz();
	struct linux_layout l;

	(void)state;
	assert_int_equal(plan(&bz, 256 * MiB, "console=ttyS0", 2000001, &l), 0);
	assert_int_equal(l.kernel_gpa, 0x1000000);
	assert_int_equal(l.kernel_end, 0x1000000 + 0x3400000);
	assert_int_equal(l.initrd_size, 2000001);
	assert_int_equal(l.initrd_gpa % 0x1000, 0);
	assert_true(l.initrd_gpa + l.initrd_size <= 256 * MiB);
	assert_true(256 * MiB - (l.initrd_gpa + l.initrd_size) < 0x1000);	/* as high as it goes */
	assert_int_equal(l.cmdline_len, 13);
}

static void test_plan_no_initrd(void **state)
{
	struct bzimage bz = std_bz();
	struct linux_layout l;

	(void)state;
	assert_int_equal(plan(&bz, 128 * MiB, "root=/dev/vda", 0, &l), 0);
	assert_int_equal(l.initrd_gpa, 0);
	assert_int_equal(l.initrd_size, 0);
}

/* A relocatable kernel goes to pref_address rounded up to kernel_alignment; a fixed one to
 * pref_address exactly. */
static void test_plan_alignment(void **state)
{
	struct bzimage bz = std_bz();
	struct linux_layout l;

	(void)state;
	bz.pref_address = 0x1100000;
	assert_int_equal(plan(&bz, 256 * MiB, "", 0, &l), 0);
	assert_int_equal(l.kernel_gpa, 0x1200000);
	bz.relocatable = false;
	assert_int_equal(plan(&bz, 256 * MiB, "", 0, &l), 0);
	assert_int_equal(l.kernel_gpa, 0x1100000);
	bz.kernel_alignment = 0x1000000;
	bz.relocatable = true;
	assert_int_equal(plan(&bz, 256 * MiB, "", 0, &l), 0);
	assert_int_equal(l.kernel_gpa, 0x2000000);
}

/* The code itself may be longer than init_size claims (never for real kernels): both count. */
static void test_plan_kernel_end_covers_code(void **state)
{
	struct bzimage bz = std_bz();
	struct linux_layout l;

	(void)state;
	bz.init_size = 0x1000;
	assert_int_equal(plan(&bz, 256 * MiB, "", 0, &l), 0);
	assert_int_equal(l.kernel_end, l.kernel_gpa + bz.kernel_size);
}

static void test_plan_kernel_does_not_fit(void **state)
{
	struct bzimage bz = std_bz();

	(void)state;
	/* 16 MiB + 52 MiB = 68 MiB: not in 64 MiB, as the cloud kernel under guest_mem=64M. */
	expect_plan_error(&bz, 64 * MiB, "", 0, "give guest_mem=68M or more");
	expect_plan_error(&bz, 68 * MiB - 1, "", 0, "guest RAM ends at 0x43fffff");
	bz.pref_address = 0x80000;
	bz.relocatable = false;
	expect_plan_error(&bz, 256 * MiB, "", 0, "below 1 MiB");
	/* Above 4 GiB the 32-bit entry cannot reach. */
	bz = std_bz();
	bz.pref_address = 0xff000000;
	expect_plan_error(&bz, 8 * GiB, "", 0, "the kernel needs [0xff000000");
}

static void test_plan_initrd_limits(void **state)
{
	struct bzimage bz = std_bz();
	struct linux_layout l;

	(void)state;
	/* Exactly the room between the kernel's end and the top of RAM. */
	assert_int_equal(plan(&bz, 128 * MiB, "", 128 * MiB - 0x4400000, &l), 0);
	assert_int_equal(l.initrd_gpa, 0x4400000);
	expect_plan_error(&bz, 128 * MiB, "", 128 * MiB - 0x4400000 + 1,
			  "the initramfs (62914561 bytes) does not fit");
	expect_plan_error(&bz, 128 * MiB, "", UINT64_MAX / 2, "does not fit");
	/* initrd_addr_max caps its end, whatever RAM there is. */
	bz.initrd_addr_max = 0x3fffffff;
	assert_int_equal(plan(&bz, 2 * GiB, "", 5 * MiB, &l), 0);
	assert_true(l.initrd_gpa + l.initrd_size <= 0x40000000);
	assert_true(l.initrd_gpa + l.initrd_size > 0x40000000 - 0x1000);
	/* More than 4 GiB of RAM: still below 4 GiB (ramdisk_image is 32-bit for it). */
	bz = std_bz();
	bz.initrd_addr_max = 0xffffffff;
	assert_int_equal(plan(&bz, 8 * GiB, "", 5 * MiB, &l), 0);
	assert_true(l.initrd_gpa + l.initrd_size <= 1ull << 32);
	assert_true(l.initrd_gpa >= 0xf0000000);
}

static void test_plan_cmdline(void **state)
{
	struct bzimage bz = std_bz();
	struct linux_layout l;
	char *line = malloc(0x801);

	(void)state;
	memset(line, 'a', 0x800);
	line[0x7ff] = '\0';
	assert_int_equal(plan(&bz, 256 * MiB, line, 0, &l), 0);
	assert_int_equal(l.cmdline_len, 0x7ff);
	line[0x7ff] = 'a';
	line[0x800] = '\0';
	expect_plan_error(&bz, 256 * MiB, line, 0, "2048 bytes, the kernel takes at most 2047");
	free(line);
}

static void test_needs_initrd(void **state)
{
	(void)state;
	assert_true(linux_cmdline_needs_initrd(""));
	assert_true(linux_cmdline_needs_initrd("console=ttyS0 quiet"));
	assert_false(linux_cmdline_needs_initrd("root=/dev/vda1"));
	assert_false(linux_cmdline_needs_initrd("console=ttyS0 root=/dev/vda1 ro"));
	assert_false(linux_cmdline_needs_initrd("console=ttyS0\troot=/dev/vda1"));
	assert_true(linux_cmdline_needs_initrd("root=/dev/vda1 rdinit=/sbin/init"));
	assert_true(linux_cmdline_needs_initrd("rdinit=/init"));
	assert_true(linux_cmdline_needs_initrd("myroot=/dev/vda1"));
	assert_true(linux_cmdline_needs_initrd("xrdinit=1 noroot"));
}

/* The TSC rate goes to Linux as tsc_early_khz= (rounded to the nearest kHz), unless the
 * line has one, the rate is unknown or the line would not fit. */
static void test_cmdline_tsc(void **state)
{
	char out[64];

	(void)state;
	assert_true(linux_cmdline_compose(out, sizeof(out), "console=ttyS0", 2098203499));
	assert_string_equal(out, "console=ttyS0 tsc_early_khz=2098203");
	assert_true(linux_cmdline_compose(out, sizeof(out), "", 2098203500));
	assert_string_equal(out, "tsc_early_khz=2098204");
	/* The guest's own choice stands, 0 included (Linux calibrates then). */
	assert_false(linux_cmdline_compose(out, sizeof(out), "quiet tsc_early_khz=0", 3000000000));
	assert_string_equal(out, "quiet tsc_early_khz=0");
	/* A word that only ends like it is not one. */
	assert_true(linux_cmdline_compose(out, sizeof(out), "xtsc_early_khz=5", 1000000));
	assert_string_equal(out, "xtsc_early_khz=5 tsc_early_khz=1000");
	assert_false(linux_cmdline_compose(out, sizeof(out), "console=ttyS0", 0));
	assert_string_equal(out, "console=ttyS0");
	/* No room for the word: the line unchanged; no room for the line: empty. */
	assert_false(linux_cmdline_compose(out, 20, "console=ttyS0 quiet", 2098203499));
	assert_string_equal(out, "console=ttyS0 quiet");
	assert_false(linux_cmdline_compose(out, 8, "console=ttyS0", 2098203499));
	assert_string_equal(out, "");
}

static void test_e820(void **state)
{
	struct linux_e820 m[4];

	(void)state;
	assert_int_equal(linux_e820_map(m, 4, 256 * MiB), 3);
	assert_int_equal(m[0].addr, 0);
	assert_int_equal(m[0].size, 0xa0000);
	assert_int_equal(m[0].type, 1);
	assert_int_equal(m[1].addr, 0xa0000);
	assert_int_equal(m[1].size, 0x60000);
	assert_int_equal(m[1].type, 2);
	assert_int_equal(m[2].addr, 0x100000);
	assert_int_equal(m[2].size, 255 * MiB);
	assert_int_equal(m[2].type, 1);
	assert_int_equal(linux_e820_map(m, 4, 64 * GiB), 3);
	assert_int_equal(m[2].size, 64 * GiB - MiB);
	assert_int_equal(linux_e820_map(m, 2, 256 * MiB), 2);
}

static uint32_t get32(const uint8_t *zp, unsigned off)
{
	uint32_t v;

	memcpy(&v, zp + off, 4);
	return v;
}

static uint16_t get16(const uint8_t *zp, unsigned off)
{
	uint16_t v;

	memcpy(&v, zp + off, 2);
	return v;
}

/* A fake image whose header bytes are all distinct, so the copy can be checked byte by byte. */
static void fake_image(uint8_t *img, size_t len)
{
	for (size_t i = 0; i < len; i++)
		img[i] = (uint8_t)(i * 7 + 3);
	memcpy(img + Z_HDRS, "HdrS", 4);
}

static bool set_by_loader(unsigned off)
{
	static const struct { unsigned off, len; } f[] = {
		{ Z_VID_MODE, 2 }, { Z_TYPE_OF_LOADER, 1 }, { Z_LOADFLAGS, 1 },
		{ Z_CODE32_START, 4 }, { Z_RAMDISK_IMAGE, 4 }, { Z_RAMDISK_SIZE, 4 },
		{ Z_HEAP_END_PTR, 2 }, { 0x226, 2 /* ext_loader_ver/type */ }, { Z_CMD_LINE_PTR, 4 },
	};

	for (unsigned i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (off >= f[i].off && off < f[i].off + f[i].len)
			return true;
	return false;
}

static void test_zero_page(void **state)
{
	static uint8_t img[0x1000], zp[LINUX_ZERO_PAGE_SIZE];
	struct bzimage bz = std_bz();
	struct linux_layout l;
	struct linux_e820 e;

	(void)state;
	fake_image(img, sizeof(img));
	img[Z_LOADFLAGS] = BZ_LOADED_HIGH | BZ_QUIET_FLAG | BZ_KEEP_SEGMENTS;
	bz.loadflags = img[Z_LOADFLAGS];
	assert_int_equal(plan(&bz, 256 * MiB, "console=ttyS0", 3 * MiB, &l), 0);
	memset(zp, 0xcc, sizeof(zp));
	linux_build_zero_page(zp, img, &bz, &l, 256 * MiB);

	/* The header is the image's, except the fields the loader writes. */
	for (unsigned off = Z_HDR; off < bz.header_end; off++)
		if (!set_by_loader(off) && zp[off] != img[off])
			fail_msg("header byte 0x%x is 0x%x, the image has 0x%x", off, zp[off], img[off]);
	assert_memory_equal(zp + Z_HDRS, "HdrS", 4);
	assert_int_equal(zp[Z_TYPE_OF_LOADER], 0xff);
	assert_int_equal(zp[Z_LOADFLAGS], BZ_LOADED_HIGH | BZ_CAN_USE_HEAP);
	assert_int_equal(get16(zp, Z_HEAP_END_PTR), 0xde00);
	assert_int_equal(get16(zp, Z_VID_MODE), 0xffff);
	assert_int_equal(get32(zp, Z_CODE32_START), 0x1000000);
	assert_int_equal(get32(zp, Z_CMD_LINE_PTR), 0x20000);
	assert_int_equal(get32(zp, Z_EXT_CMD_LINE_PTR), 0);
	assert_int_equal(get32(zp, Z_RAMDISK_IMAGE), l.initrd_gpa);
	assert_int_equal(get32(zp, Z_RAMDISK_SIZE), 3 * MiB);
	assert_int_equal(get32(zp, Z_EXT_RAMDISK_IMAGE), 0);
	assert_int_equal(get32(zp, Z_EXT_RAMDISK_SIZE), 0);
	assert_int_equal(get32(zp, Z_ALT_MEM_K), 255 * 1024);
	assert_int_equal(zp[Z_SENTINEL], 0);
	assert_int_equal(zp[Z_E820_ENTRIES], 3);
	memcpy(&e, zp + Z_E820_TABLE + 2 * 20, sizeof(e));
	assert_int_equal(e.addr, 0x100000);
	assert_int_equal(e.size, 255 * MiB);
	assert_int_equal(e.type, 1);

	/* Everything else is zero: past the header, and before it but for the fields above. */
	for (unsigned off = 0; off < LINUX_ZERO_PAGE_SIZE; off++) {
		bool filled = (off >= Z_HDR && off < bz.header_end) ||
			      (off >= Z_E820_TABLE && off < Z_E820_TABLE + 3 * 20) ||
			      (off >= Z_ALT_MEM_K && off < Z_ALT_MEM_K + 4) || off == Z_E820_ENTRIES;
		if (!filled && zp[off])
			fail_msg("boot_params byte 0x%x is 0x%x, not 0", off, zp[off]);
	}
}

/* Decodes a GDT entry's fields (SDM Vol. 3A 3.4.5) and checks a flat 32-bit segment. */
static void check_flat(uint64_t d, unsigned type)
{
	uint32_t base = (uint32_t)((d >> 16) & 0xffffff) | (uint32_t)((d >> 56) & 0xff) << 24;
	uint32_t limit = (uint32_t)(d & 0xffff) | (uint32_t)((d >> 48) & 0xf) << 16;

	assert_int_equal(base, 0);
	assert_int_equal(limit, 0xfffff);
	assert_int_equal((d >> 40) & 0xf, type);
	assert_int_equal((d >> 44) & 1, 1);		/* S: code or data */
	assert_int_equal((d >> 45) & 3, 0);		/* DPL 0 */
	assert_int_equal((d >> 47) & 1, 1);		/* P */
	assert_int_equal((d >> 53) & 1, 0);		/* L: not 64-bit code */
	assert_int_equal((d >> 54) & 1, 1);		/* D/B: 32-bit */
	assert_int_equal((d >> 55) & 1, 1);		/* G: 4 KiB units */
}

static void test_gdt(void **state)
{
	uint64_t gdt[LINUX_GDT_ENTRIES];

	(void)state;
	memset(gdt, 0xff, sizeof(gdt));
	linux_build_gdt(gdt);
	assert_int_equal(gdt[0], 0);
	assert_int_equal(gdt[1], 0);
	check_flat(gdt[0x10 / 8], 0xb);		/* __BOOT_CS: execute/read, accessed */
	check_flat(gdt[0x18 / 8], 0x3);		/* __BOOT_DS: read/write, accessed */
}

/* The fetched Debian kernels (tests/unit/fetched_kernels.h) against guest_mem: the smallest
 * RAM that holds kernel and a 2 MiB initramfs is accepted, 1 MiB less is refused with the
 * guest_mem= to give. */
static void test_real_kernels_fit(void **state)
{
	static const char *const files[] = { "vmlinuz-cloud-amd64", "vmlinuz-686-pae", "vmlinuz-686" };
	unsigned found = 0;

	(void)state;
	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char want[64];
		size_t len;
		uint8_t *img;
		struct bzimage bz;
		struct linux_layout l;
		uint64_t need;

		img = fetched_kernel(files[i], &len);
		if (!img)
			continue;
		found++;
		assert_int_equal(bzimage_parse(img, len, &bz, err, sizeof(err)), 0);
		need = (bz.pref_address + bz.init_size + 2 * MiB + MiB - 1) & ~(MiB - 1);
		assert_int_equal(plan(&bz, need, "console=ttyS0", 2 * MiB, &l), 0);
		assert_int_equal(l.kernel_gpa, 0x1000000);
		assert_true(l.initrd_gpa >= l.kernel_end);
		snprintf(want, sizeof(want), "guest_mem=%lluM or more",
			 (unsigned long long)((bz.pref_address + bz.init_size + MiB - 1) / MiB));
		expect_plan_error(&bz, (bz.pref_address + bz.init_size - 1) & ~(MiB - 1), "", 0, want);
		free(img);
	}
	if (!found)
		skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_std),
		cmocka_unit_test(test_cmdline_tsc),
		cmocka_unit_test(test_plan_no_initrd),
		cmocka_unit_test(test_plan_alignment),
		cmocka_unit_test(test_plan_kernel_end_covers_code),
		cmocka_unit_test(test_plan_kernel_does_not_fit),
		cmocka_unit_test(test_plan_initrd_limits),
		cmocka_unit_test(test_plan_cmdline),
		cmocka_unit_test(test_needs_initrd),
		cmocka_unit_test(test_e820),
		cmocka_unit_test(test_zero_page),
		cmocka_unit_test(test_gdt),
		cmocka_unit_test(test_real_kernels_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
