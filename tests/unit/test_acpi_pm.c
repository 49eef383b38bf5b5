/* Host unit tests for the ACPI PM1a blocks and the PM timer (guest/devices/acpi_pm.c), with
 * guest time moved by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "guest/devices/acpi_pm.h"
#include "guest/devices/bus.h"

#define MS	1000000ULL
#define STS	ACPI_PM_STS_OFF
#define EN	ACPI_PM_EN_OFF
#define CNT	ACPI_PM_CNT_OFF
#define TMR	ACPI_PM_TMR_OFF

static uint64_t now_ns;
static unsigned power_offs;

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	return now_ns;
}

static void fake_power_off(void *ctx)
{
	(void)ctx;
	power_offs++;
}

static void pm_setup(struct acpi_pm *pm, unsigned bits)
{
	now_ns = 0;
	power_offs = 0;
	acpi_pm_init(pm, (struct dev_clock){ fake_now, NULL }, bits, fake_power_off, NULL);
}

/* 4.8.2.1: 3.579545 MHz from guest time; it counts from 0 at power-on. */
static void test_timer_rate(void **state)
{
	struct acpi_pm pm;

	(void)state;
	pm_setup(&pm, 32);
	assert_int_equal(acpi_pm_read(&pm, TMR, 4, 0), 0);
	assert_int_equal(acpi_pm_read(&pm, TMR, 4, 1000 * MS), ACPI_PM_TIMER_HZ);
	assert_int_equal(acpi_pm_read(&pm, TMR, 4, 10 * MS), 35795);
	/* Monotonic across tiny steps. */
	for (uint64_t t = 0, last = 0; t < 10000; t += 37) {
		uint32_t v = acpi_pm_read(&pm, TMR, 4, t);

		assert_true(v >= last);
		last = v;
	}
}

/* TMR_VAL_EXT: 32 bits wrap at 2^32 clocks; without it, 24 bits at 2^24 and bits 31:24 read 0. */
static void test_timer_width(void **state)
{
	uint64_t wrap24 = (1ULL << 24) * 1000000000ULL / ACPI_PM_TIMER_HZ + 1;
	struct acpi_pm pm;

	(void)state;
	pm_setup(&pm, 24);
	assert_true(acpi_pm_read(&pm, TMR, 4, wrap24 - 1000) > 0xfff000);
	assert_true(acpi_pm_read(&pm, TMR, 4, wrap24) < 0x10);
	assert_int_equal(acpi_pm_read(&pm, TMR, 4, 3 * wrap24) >> 24, 0);
	pm_setup(&pm, 32);
	assert_true(acpi_pm_read(&pm, TMR, 4, wrap24) >= 1u << 24);
	assert_true(acpi_pm_read(&pm, TMR, 4, 1200ULL * 1000 * MS) < 0x80000000u + 0x1000000u);
}

/* Byte and word reads of the timer see the same instant's bytes; writes are ignored. */
static void test_timer_bytes(void **state)
{
	uint64_t t = 123456789;
	struct acpi_pm pm;
	uint32_t whole;

	(void)state;
	pm_setup(&pm, 32);
	whole = acpi_pm_read(&pm, TMR, 4, t);
	assert_int_equal(acpi_pm_read(&pm, TMR, 1, t), whole & 0xff);
	assert_int_equal(acpi_pm_read(&pm, TMR + 2, 2, t), whole >> 16);
	acpi_pm_write(&pm, TMR, 4, 0, t);
	assert_int_equal(acpi_pm_read(&pm, TMR, 4, t), whole);
	/* Past the range: all-ones; the gap between CNT and TMR too. */
	assert_int_equal(acpi_pm_read(&pm, TMR + 2, 4, t), 0xffff0000u | (whole >> 16));
	assert_int_equal(acpi_pm_read(&pm, CNT + 2, 2, t), 0xffff);
}

/* 4.8.3.3: TMR_STS sets when the top bit toggles, and a write of 1 clears it until the next
 * toggle; writing 0 leaves it. */
static void test_tmr_sts(void **state)
{
	uint64_t half24 = (1ULL << 23) * 1000000000ULL / ACPI_PM_TIMER_HZ + 1;
	struct acpi_pm pm;

	(void)state;
	pm_setup(&pm, 24);
	assert_int_equal(acpi_pm_read(&pm, STS, 2, half24 - MS) & PM1_STS_TMR, 0);
	assert_int_equal(acpi_pm_read(&pm, STS, 2, half24) & PM1_STS_TMR, PM1_STS_TMR);
	acpi_pm_write(&pm, STS, 2, 0, half24);
	assert_int_equal(acpi_pm_read(&pm, STS, 2, half24) & PM1_STS_TMR, PM1_STS_TMR);
	acpi_pm_write(&pm, STS, 2, PM1_STS_TMR, half24);
	assert_int_equal(acpi_pm_read(&pm, STS, 2, half24 + MS), 0);
	assert_int_equal(acpi_pm_read(&pm, STS, 2, 2 * half24) & PM1_STS_TMR, PM1_STS_TMR);
	/* No other status bit ever sets; writing them all is harmless. */
	acpi_pm_write(&pm, STS, 2, 0xffff, 2 * half24);
	assert_int_equal(acpi_pm_read(&pm, STS, 2, 2 * half24), 0);
}

/* 4.8.3.1.2: PM1_EN keeps its defined bits only, byte by byte too. */
static void test_enable(void **state)
{
	struct acpi_pm pm;

	(void)state;
	pm_setup(&pm, 32);
	assert_int_equal(acpi_pm_read(&pm, EN, 2, 0), 0);
	acpi_pm_write(&pm, EN, 2, 0xffff, 0);
	assert_int_equal(acpi_pm_read(&pm, EN, 2, 0), PM1_EN_DEFINED);
	acpi_pm_write(&pm, EN + 1, 1, 0, 0);
	assert_int_equal(acpi_pm_read(&pm, EN, 2, 0), PM1_EN_DEFINED & 0xff);
	/* A 32-bit write of the event block: STS (write-1-to-clear) and EN at once. */
	acpi_pm_write(&pm, STS, 4, (uint32_t)PM1_EN_TMR << 16 | 0xffff, 0);
	assert_int_equal(acpi_pm_read(&pm, STS, 4, 0), (uint32_t)PM1_EN_TMR << 16);
}

/* 4.8.3.2.1: SCI_EN reads 1 whatever is written; BM_RLD and SLP_TYP read back; SLP_EN and
 * GBL_RLS read 0. */
static void test_control(void **state)
{
	struct acpi_pm pm;

	(void)state;
	pm_setup(&pm, 32);
	assert_int_equal(acpi_pm_read(&pm, CNT, 2, 0), PM1_CNT_SCI_EN);
	acpi_pm_write(&pm, CNT, 2, 0, 0);
	assert_int_equal(acpi_pm_read(&pm, CNT, 2, 0), PM1_CNT_SCI_EN);
	acpi_pm_write(&pm, CNT, 2, PM1_CNT_BM_RLD | PM1_CNT_GBL_RLS | (3u << 10), 0);
	assert_int_equal(acpi_pm_read(&pm, CNT, 2, 0), PM1_CNT_SCI_EN | PM1_CNT_BM_RLD | (3u << 10));
	assert_int_equal(power_offs, 0);
}

/* SLP_EN with the S5 type powers off, in one word write or in the high byte alone; S0 and
 * types the DSDT does not name do nothing; a type without SLP_EN does nothing. */
static void test_sleep(void **state)
{
	uint16_t s5 = ACPI_SLP_TYP_S5 << PM1_CNT_SLP_TYP_SHIFT;
	struct acpi_pm pm;

	(void)state;
	pm_setup(&pm, 32);
	acpi_pm_write(&pm, CNT, 2, s5, 0);
	assert_int_equal(power_offs, 0);
	acpi_pm_write(&pm, CNT, 2, s5 | PM1_CNT_SLP_EN, 0);
	assert_int_equal(power_offs, 1);
	acpi_pm_write(&pm, CNT + 1, 1, (s5 | PM1_CNT_SLP_EN) >> 8, 0);
	assert_int_equal(power_offs, 2);
	acpi_pm_write(&pm, CNT, 2, (ACPI_SLP_TYP_S0 << PM1_CNT_SLP_TYP_SHIFT) | PM1_CNT_SLP_EN, 0);
	acpi_pm_write(&pm, CNT, 2, (1u << PM1_CNT_SLP_TYP_SHIFT) | PM1_CNT_SLP_EN, 0);
	acpi_pm_write(&pm, CNT, 2, (1u << PM1_CNT_SLP_TYP_SHIFT) | PM1_CNT_SLP_EN, 0);
	assert_int_equal(power_offs, 2);
	assert_int_equal(pm.types_reported, 1u << 1);
	/* A low-byte write never carries SLP_EN. */
	acpi_pm_write(&pm, CNT, 1, 0xff, 0);
	assert_int_equal(power_offs, 2);
}

/* On the bus: one range 0x600-0x60b, not split into bytes; a 32-bit IN of the timer reaches
 * the device once. */
static void test_bus(void **state)
{
	struct device_bus b;
	struct acpi_pm pm;
	uint64_t v;

	(void)state;
	pm_setup(&pm, 32);
	bus_init(&b);
	assert_true(acpi_pm_attach(&pm, &b));
	assert_string_equal(bus_find(&b, BUS_PORT, 0x60b)->owner, "acpi-pm");
	assert_null(bus_find(&b, BUS_PORT, 0x60c));
	assert_false(bus_find(&b, BUS_PORT, 0x600)->bytewise);
	now_ns = 500 * MS;
	assert_true(bus_read(&b, BUS_PORT, ACPI_PM_TMR_BLK, 4, &v));
	assert_int_equal(v, ACPI_PM_TIMER_HZ / 2);
	assert_true(bus_read(&b, BUS_PORT, ACPI_PM1A_CNT_BLK, 2, &v));
	assert_int_equal(v, PM1_CNT_SCI_EN);
	assert_true(bus_write(&b, BUS_PORT, ACPI_PM1A_CNT_BLK, 2,
			      (ACPI_SLP_TYP_S5 << PM1_CNT_SLP_TYP_SHIFT) | PM1_CNT_SLP_EN));
	assert_int_equal(power_offs, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_rate),
		cmocka_unit_test(test_timer_width),
		cmocka_unit_test(test_timer_bytes),
		cmocka_unit_test(test_tmr_sts),
		cmocka_unit_test(test_enable),
		cmocka_unit_test(test_control),
		cmocka_unit_test(test_sleep),
		cmocka_unit_test(test_bus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
