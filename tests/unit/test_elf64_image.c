/* Host unit tests for umbra.efi's check of Umbra's ELF64 image (boot/efi/elf64_image.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "boot/efi/elf64_image.h"
#include "boot/multiboot2.h"

#define FILE_SIZE	0x3000
#define HDR_OFF		0x1000	/* the multiboot2 header, at the start of the segment */

static uint8_t file[FILE_SIZE];
static struct elfi_image img;
static char err[160];

/* An ELF like Umbra's: one segment of 0x2000 file bytes at 2 MiB with 0x5000 of memory. */
static int make_image(void **state)
{
	uint16_t u16;
	uint32_t u32, mb2[4] = { MB2_HEADER_MAGIC, MB2_ARCH_I386, 16, 0 };
	uint64_t u64;

	(void)state;
	memset(file, 0, sizeof(file));
	memcpy(file, "\x7f" "ELF\x02\x01\x01", 7);
	u16 = 2;  memcpy(file + 16, &u16, 2);		/* e_type ET_EXEC */
	u16 = 62; memcpy(file + 18, &u16, 2);		/* e_machine EM_X86_64 */
	u64 = 0x200010; memcpy(file + 24, &u64, 8);	/* e_entry */
	u64 = 64; memcpy(file + 32, &u64, 8);		/* e_phoff */
	u16 = 56; memcpy(file + 54, &u16, 2);		/* e_phentsize */
	u16 = 1;  memcpy(file + 56, &u16, 2);		/* e_phnum */
	u32 = 1;  memcpy(file + 64, &u32, 4);		/* p_type PT_LOAD */
	u64 = HDR_OFF;  memcpy(file + 64 + 8, &u64, 8);	/* p_offset */
	u64 = 0x200000; memcpy(file + 64 + 16, &u64, 8);	/* p_vaddr */
	memcpy(file + 64 + 24, &u64, 8);		/* p_paddr */
	u64 = 0x2000; memcpy(file + 64 + 32, &u64, 8);	/* p_filesz */
	u64 = 0x5000; memcpy(file + 64 + 40, &u64, 8);	/* p_memsz */
	mb2[3] = -(mb2[0] + mb2[1] + mb2[2]);
	memcpy(file + HDR_OFF, mb2, sizeof(mb2));
	return 0;
}

static void put64(size_t off, uint64_t v)
{
	memcpy(file + off, &v, 8);
}

static void refused(const char *why)
{
	err[0] = '\0';
	assert_int_equal(elfi_parse(file, sizeof(file), &img, err, sizeof(err)), -1);
	assert_string_equal(err, why);
}

static void test_umbra_like_image(void **state)
{
	(void)state;
	assert_int_equal(elfi_parse(file, sizeof(file), &img, err, sizeof(err)), 0);
	assert_int_equal(img.entry, 0x200010);
	assert_int_equal(img.count, 1);
	assert_int_equal(img.seg[0].paddr, 0x200000);
	assert_int_equal(img.seg[0].offset, HDR_OFF);
	assert_int_equal(img.seg[0].filesz, 0x2000);
	assert_int_equal(img.seg[0].memsz, 0x5000);
	assert_int_equal(img.lo, 0x200000);
	assert_int_equal(img.hi, 0x205000);
}

static void test_not_elf(void **state)
{
	(void)state;
	file[1] = 'X';
	refused("not an ELF file");
}

static void test_32_bit_elf(void **state)
{
	(void)state;
	file[4] = 1;
	refused("not an x86-64 ELF executable");
}

static void test_no_multiboot2_header(void **state)
{
	(void)state;
	file[HDR_OFF + 12] ^= 1;	/* checksum */
	refused("no multiboot2 header in the first 32768 bytes");
}

static void test_segment_outside_file(void **state)
{
	(void)state;
	put64(64 + 32, 0x2001);
	refused("segment 0 lies outside the file");
}

static void test_segment_above_4g(void **state)
{
	(void)state;
	put64(64 + 24, 0xfffff000);
	refused("segment 0 at 0xfffff000 is not below 4 GiB");
}

static void test_entry_outside(void **state)
{
	(void)state;
	put64(24, 0x203000);		/* in the zeroed part: nothing loaded there */
	refused("entry point 0x203000 is not in a loaded segment");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_umbra_like_image, make_image),
		cmocka_unit_test_setup(test_not_elf, make_image),
		cmocka_unit_test_setup(test_32_bit_elf, make_image),
		cmocka_unit_test_setup(test_no_multiboot2_header, make_image),
		cmocka_unit_test_setup(test_segment_outside_file, make_image),
		cmocka_unit_test_setup(test_segment_above_4g, make_image),
		cmocka_unit_test_setup(test_entry_outside, make_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
