/* Host unit tests for reading the firmware's name from the EFI system table (boot/efi_firmware.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "boot/efi_firmware.h"

static uint8_t st[EFI_ST_MIN_SIZE];
static const uint16_t vendor[] = { 'E', 'D', 'K', ' ', 'I', 'I', 0x00e9, 0 };
static struct efi_firmware fw;
static char why[80];

static int setup(void **state)
{
	uint64_t sig = EFI_SYSTEM_TABLE_SIGNATURE, p = (uintptr_t)vendor;
	uint32_t rev = 0x00020046, hsize = EFI_ST_MIN_SIZE, fwrev = 0x10000;

	(void)state;
	memset(st, 0, sizeof(st));
	memcpy(st, &sig, 8);
	memcpy(st + EFI_ST_REVISION_OFF, &rev, 4);
	memcpy(st + EFI_ST_HEADER_SIZE_OFF, &hsize, 4);
	memcpy(st + EFI_ST_VENDOR_OFF, &p, 8);
	memcpy(st + EFI_ST_FW_REVISION_OFF, &fwrev, 4);
	return 0;
}

static void test_read(void **state)
{
	(void)state;
	assert_int_equal(efi_firmware_read(st, &fw, why, sizeof(why)), 0);
	assert_int_equal(fw.uefi_revision, 0x00020046);
	assert_int_equal(fw.firmware_revision, 0x10000);
	assert_string_equal(fw.vendor, "EDK II?");
}

static void test_no_vendor(void **state)
{
	(void)state;
	memset(st + EFI_ST_VENDOR_OFF, 0, 8);
	assert_int_equal(efi_firmware_read(st, &fw, why, sizeof(why)), 0);
	assert_string_equal(fw.vendor, "");
}

static void test_bad_signature(void **state)
{
	(void)state;
	st[0] ^= 1;
	assert_int_equal(efi_firmware_read(st, &fw, why, sizeof(why)), -1);
	assert_string_equal(why, "the EFI system table has a bad signature or size");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_read, setup),
		cmocka_unit_test_setup(test_no_vendor, setup),
		cmocka_unit_test_setup(test_bad_signature, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
