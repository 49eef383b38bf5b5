/* Host unit tests for finding the console UART in ACPI's SPCR table (boot/acpi_spcr.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "boot/acpi_spcr.h"

static uint8_t rsdp[36], xsdt[36 + 2 * 8], facp[36], spcr[80];
static char why[80];
static struct spcr_uart u;

static void header(uint8_t *t, const char *sig, uint32_t len)
{
	memset(t, 0, len);
	memcpy(t, sig, 4);
	memcpy(t + 4, &len, 4);
}

static void checksum(uint8_t *t, uint32_t len)
{
	uint8_t sum = 0;

	t[9] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum += t[i];
	t[9] = (uint8_t)-sum;
}

/* RSDP 2 -> XSDT -> { FACP, SPCR: 16550 at I/O port 0x2f8, 115200 baud }. */
static int setup(void **state)
{
	uint64_t p;

	(void)state;
	memset(rsdp, 0, sizeof(rsdp));
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[15] = 2;
	p = (uintptr_t)xsdt;
	memcpy(rsdp + 24, &p, 8);
	header(xsdt, "XSDT", sizeof(xsdt));
	p = (uintptr_t)facp;
	memcpy(xsdt + 36, &p, 8);
	p = (uintptr_t)spcr;
	memcpy(xsdt + 44, &p, 8);
	checksum(xsdt, sizeof(xsdt));
	header(facp, "FACP", sizeof(facp));
	checksum(facp, sizeof(facp));
	header(spcr, "SPCR", sizeof(spcr));
	spcr[36] = SPCR_16550;
	spcr[40] = ACPI_GAS_IO;
	spcr[41] = 8;
	p = 0x2f8;
	memcpy(spcr + 44, &p, 8);
	spcr[58] = 7;
	checksum(spcr, sizeof(spcr));
	return 0;
}

static void test_found(void **state)
{
	(void)state;
	assert_int_equal(acpi_find_spcr(rsdp, sizeof(rsdp), &u, why, sizeof(why)), 0);
	assert_int_equal(u.interface_type, SPCR_16550);
	assert_int_equal(u.space_id, ACPI_GAS_IO);
	assert_int_equal(u.address, 0x2f8);
	assert_int_equal(u.baud, 115200);
	assert_true(spcr_is_16550_port(&u));
}

static void test_absent(void **state)
{
	(void)state;
	memcpy(spcr, "SSDT", 4);
	checksum(spcr, sizeof(spcr));
	assert_int_equal(acpi_find_spcr(rsdp, sizeof(rsdp), &u, why, sizeof(why)), -1);
	assert_string_equal(why, "no SPCR table");
}

static void test_bad_checksums(void **state)
{
	(void)state;
	spcr[60] ^= 1;
	assert_int_equal(acpi_find_spcr(rsdp, sizeof(rsdp), &u, why, sizeof(why)), -1);
	assert_string_equal(why, "the SPCR table is malformed");
	xsdt[20] ^= 1;
	assert_int_equal(acpi_find_spcr(rsdp, sizeof(rsdp), &u, why, sizeof(why)), -1);
	assert_string_equal(why, "XSDT is missing or its checksum is wrong");
}

static void test_not_a_16550_port(void **state)
{
	struct spcr_uart mmio = { SPCR_16550, ACPI_GAS_MEMORY, 0xfe030000, 0 };
	struct spcr_uart pl011 = { 0x03, ACPI_GAS_IO, 0x3f8, 0 };

	(void)state;
	assert_false(spcr_is_16550_port(&mmio));
	assert_false(spcr_is_16550_port(&pl011));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_found, setup),
		cmocka_unit_test_setup(test_absent, setup),
		cmocka_unit_test_setup(test_bad_checksums, setup),
		cmocka_unit_test_setup(test_not_a_16550_port, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
