/* Host unit tests for the SMBIOS reader (boot/smbios.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "boot/smbios.h"

/* Type 0 (vendor 1, version 2, date 3), type 1 (maker 1, product 2), type 127. */
static const uint8_t table[] = {
	0, 0x12, 0, 0, 1, 2, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	'E', 'D', 'K', ' ', 'I', 'I', 0, '0', '.', '0', 0, '0', '2', '/', '0', '6', 0, 0,
	1, 0x08, 1, 0, 1, 2, 0, 0,
	'Q', 'E', 'M', 'U', 0, 'S', 't', 'a', 'n', 'd', 'a', 'r', 'd', ' ', 'P', 'C', 0, 0,
	127, 4, 2, 0, 0, 0,
};

static void test_describe(void **state)
{
	struct smbios_info in;

	(void)state;
	smbios_describe(table, sizeof(table), &in);
	assert_string_equal(in.bios_vendor, "EDK II");
	assert_string_equal(in.bios_version, "0.0");
	assert_string_equal(in.bios_date, "02/06");
	assert_string_equal(in.maker, "QEMU");
	assert_string_equal(in.product, "Standard PC");
}

/* A table cut anywhere never makes the reader run past its end (ASan watches). */
static void test_truncated(void **state)
{
	struct smbios_info in;

	(void)state;
	for (size_t n = 0; n < sizeof(table); n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, table, n);
		smbios_describe(copy, n, &in);
		free(copy);
	}
	smbios_describe(table, 40, &in);
	assert_string_equal(in.bios_vendor, "EDK II");
	assert_string_equal(in.maker, "");
}

static void test_entry_points(void **state)
{
	uint8_t seg[64] = { 0 }, sum = 0;
	uint64_t t;
	size_t len;
	uint32_t addr = 0xf1000;
	uint16_t l = 0x1234;

	(void)state;
	memcpy(seg + 16, "_SM_", 4);
	seg[16 + 5] = 31;
	memcpy(seg + 16 + 0x16, &l, 2);
	memcpy(seg + 16 + 0x18, &addr, 4);
	for (int i = 0; i < 31; i++)
		sum += seg[16 + i];
	seg[16 + 4] = (uint8_t)-sum;
	assert_ptr_equal(smbios_find_entry_bios(seg, sizeof(seg)), seg + 16);
	assert_int_equal(smbios_entry_table(seg + 16, &t, &len), 0);
	assert_int_equal(t, 0xf1000);
	assert_int_equal(len, 0x1234);
	seg[16 + 7] ^= 1;	/* checksum */
	assert_null(smbios_find_entry_bios(seg, sizeof(seg)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_entry_points),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
