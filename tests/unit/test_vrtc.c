/* Host unit tests for the virtual CMOS RTC (guest/devices/vrtc.c), with time moved by the test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "guest/devices/bus.h"
#include "guest/devices/vrtc.h"

#define S		1000000000ULL	/* one second in ns */
#define MS		1000000ULL
#define MIB		(1024ULL * 1024)
#define T_2024_02_29_235958	1709251198ULL
#define T_2099_12_31_235959	4102444799ULL

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return 0;
}

static void setup(struct vrtc *r, uint64_t start)
{
	vrtc_init(r, (struct dev_clock){ fake_clock, NULL }, start, 64 * MIB);
}

static uint8_t rd(struct vrtc *r, uint8_t index, uint64_t now)
{
	vrtc_write(r, 0, index, now);
	return vrtc_read(r, 1, now);
}

static void wr(struct vrtc *r, uint8_t index, uint8_t v, uint64_t now)
{
	vrtc_write(r, 0, index, now);
	vrtc_write(r, 1, v, now);
}

static void test_power_on_time_bcd(void **state)
{
	struct vrtc r;

	(void)state;
	setup(&r, VRTC_DEFAULT_START);
	assert_int_equal(rd(&r, RTC_SECONDS, 0), 0x00);
	assert_int_equal(rd(&r, RTC_MINUTES, 0), 0x00);
	assert_int_equal(rd(&r, RTC_HOURS, 0), 0x00);
	assert_int_equal(rd(&r, RTC_DAY_OF_WEEK, 0), 4);	/* Wednesday */
	assert_int_equal(rd(&r, RTC_DAY_OF_MONTH, 0), 0x01);
	assert_int_equal(rd(&r, RTC_MONTH, 0), 0x01);
	assert_int_equal(rd(&r, RTC_YEAR, 0), 0x20);
	assert_int_equal(rd(&r, RTC_CENTURY, 0), 0x20);
	assert_int_equal(rd(&r, RTC_REG_A, 0), 0x26);
	assert_int_equal(rd(&r, RTC_REG_B, 0), 0x02);
	assert_int_equal(rd(&r, RTC_REG_D, 0), 0x80);
	/* 1 h 1 min 59.5 s later, and 40 days later (2020 is a leap year: February 10). */
	assert_int_equal(rd(&r, RTC_SECONDS, 3719 * S + 500 * MS), 0x59);
	assert_int_equal(rd(&r, RTC_MINUTES, 3719 * S), 0x01);
	assert_int_equal(rd(&r, RTC_HOURS, 3719 * S), 0x01);
	assert_int_equal(rd(&r, RTC_DAY_OF_MONTH, 40 * 86400 * S), 0x10);
	assert_int_equal(rd(&r, RTC_MONTH, 40 * 86400 * S), 0x02);
	assert_int_equal(rd(&r, RTC_DAY_OF_MONTH, 59 * 86400 * S), 0x29);
	assert_int_equal(rd(&r, RTC_DAY_OF_WEEK, 59 * 86400 * S), 7);	/* Saturday */
}

/* Register B: DM gives binary, 24/12 clear gives 12-hour time with PM in bit 7. */
static void test_binary_and_12_hour(void **state)
{
	struct vrtc r;
	const uint64_t t13 = (13 * 3600 + 5 * 60 + 42) * S;

	(void)state;
	setup(&r, VRTC_DEFAULT_START);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_DM, 0);
	assert_int_equal(rd(&r, RTC_SECONDS, t13), 42);
	assert_int_equal(rd(&r, RTC_HOURS, t13), 13);
	assert_int_equal(rd(&r, RTC_YEAR, t13), 20);
	wr(&r, RTC_REG_B, 0, 0);			/* BCD, 12 hours */
	assert_int_equal(rd(&r, RTC_HOURS, t13), 0x81);
	assert_int_equal(rd(&r, RTC_HOURS, 0), 0x12);	/* midnight is 12 AM */
	assert_int_equal(rd(&r, RTC_HOURS, 12 * 3600 * S), 0x92);	/* noon is 12 PM */
	assert_int_equal(rd(&r, RTC_HOURS, 11 * 3600 * S), 0x11);
	wr(&r, RTC_REG_B, RTC_B_DM, 0);			/* binary, 12 hours */
	assert_int_equal(rd(&r, RTC_HOURS, 23 * 3600 * S), 0x80 | 11);
}

/* UIP is set from 244 us before each update to the end of the 1984 us update cycle; a
 * Linux-style wait for it to fall ends then and sees the new second. None before the first
 * update. */
static void test_update_in_progress(void **state)
{
	struct vrtc r;
	uint64_t t = 5 * S - 200000;

	(void)state;
	setup(&r, VRTC_DEFAULT_START);
	assert_int_equal(rd(&r, RTC_REG_A, 1000) & RTC_A_UIP, 0);
	assert_int_equal(rd(&r, RTC_REG_A, 5 * S + 500 * MS) & RTC_A_UIP, 0);
	assert_int_equal(rd(&r, RTC_REG_A, 5 * S - 244001) & RTC_A_UIP, 0);
	assert_int_equal(rd(&r, RTC_REG_A, 5 * S - 244000) & RTC_A_UIP, RTC_A_UIP);
	assert_int_equal(rd(&r, RTC_SECONDS, 5 * S - 1), 0x04);
	assert_int_equal(rd(&r, RTC_REG_A, 5 * S + 1983999) & RTC_A_UIP, RTC_A_UIP);
	while (rd(&r, RTC_REG_A, t) & RTC_A_UIP)
		t += 10000;
	assert_true(t >= 5 * S + 1984000 && t < 5 * S + 1994000);
	assert_int_equal(rd(&r, RTC_SECONDS, t), 0x05);
	/* UIP is not writable; the rest of A is. */
	wr(&r, RTC_REG_A, 0xa3, 0);
	assert_int_equal(rd(&r, RTC_REG_A, 0), 0x23);
}

/* B.SET freezes the clock; the time written then runs from the moment SET clears: 2024 is a
 * leap year and 2100 is not. */
static void test_set_time(void **state)
{
	struct vrtc r;

	(void)state;
	setup(&r, VRTC_DEFAULT_START);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_SET, 10 * S);
	assert_int_equal(rd(&r, RTC_SECONDS, 100 * S), 0x10);	/* held at 00:00:10 */
	assert_int_equal(rd(&r, RTC_REG_A, 11 * S - 1000) & RTC_A_UIP, 0);
	wr(&r, RTC_SECONDS, 0x58, 100 * S);
	wr(&r, RTC_MINUTES, 0x59, 100 * S);
	wr(&r, RTC_HOURS, 0x23, 100 * S);
	wr(&r, RTC_DAY_OF_MONTH, 0x29, 100 * S);
	wr(&r, RTC_MONTH, 0x02, 100 * S);
	wr(&r, RTC_YEAR, 0x24, 100 * S);
	wr(&r, RTC_REG_B, RTC_B_24H, 200 * S);
	assert_int_equal(rd(&r, RTC_SECONDS, 201 * S), 0x59);
	assert_int_equal(rd(&r, RTC_SECONDS, 202 * S + 500 * MS), 0x00);
	assert_int_equal(rd(&r, RTC_DAY_OF_MONTH, 202 * S), 0x01);
	assert_int_equal(rd(&r, RTC_MONTH, 202 * S), 0x03);
	assert_int_equal(rd(&r, RTC_DAY_OF_WEEK, 202 * S), 6);	/* 2024-03-01: Friday */
	assert_true(r.epoch_seconds == T_2024_02_29_235958);
	/* A clock register written while running sets the time at once. */
	wr(&r, RTC_MINUTES, 0x30, 300 * S);
	assert_int_equal(rd(&r, RTC_MINUTES, 301 * S), 0x30);
	/* The century turns; 2100-02-28 is followed by March 1. */
	setup(&r, T_2099_12_31_235959);
	assert_int_equal(rd(&r, RTC_CENTURY, 0), 0x20);
	assert_int_equal(rd(&r, RTC_CENTURY, S), 0x21);
	assert_int_equal(rd(&r, RTC_YEAR, S), 0x00);
	assert_int_equal(rd(&r, RTC_MONTH, (1 + 59 * 86400) * S), 0x03);
	assert_int_equal(rd(&r, RTC_DAY_OF_MONTH, (1 + 59 * 86400) * S), 0x01);
}

/* Register C reports what happened since it was last read, and reading clears it. */
/* Found by fuzzing: after 9999-12-31 23:59:59 the century read 100 (0xA0, no BCD value); both
 * two-digit registers now roll over, to 0000. */
static void test_year_9999_rolls_over(void **state)
{
	struct vrtc r;

	(void)state;
	setup(&r, VRTC_DEFAULT_START);
	wr(&r, RTC_REG_B, 0x82, 0);		/* SET, 24 hours, BCD */
	wr(&r, RTC_CENTURY, 0x99, 0);
	wr(&r, RTC_YEAR, 0x99, 0);
	wr(&r, RTC_MONTH, 0x12, 0);
	wr(&r, RTC_DAY_OF_MONTH, 0x31, 0);
	wr(&r, RTC_HOURS, 0x23, 0);
	wr(&r, RTC_MINUTES, 0x59, 0);
	wr(&r, RTC_SECONDS, 0x59, 0);
	wr(&r, RTC_REG_B, 0x02, 0);		/* run */
	assert_int_equal(rd(&r, RTC_CENTURY, 0), 0x99);
	assert_int_equal(rd(&r, RTC_CENTURY, 2 * S), 0x00);
	assert_int_equal(rd(&r, RTC_YEAR, 2 * S), 0x00);
	assert_int_equal(rd(&r, RTC_MONTH, 2 * S), 0x01);
	assert_int_equal(rd(&r, RTC_DAY_OF_MONTH, 2 * S), 0x01);
}

static void test_flags(void **state)
{
	struct vrtc r;

	(void)state;
	setup(&r, VRTC_DEFAULT_START);
	wr(&r, RTC_REG_A, RTC_A_DV_RUN, 0);		/* no periodic rate */
	assert_int_equal(rd(&r, RTC_REG_C, 500 * MS), 0);
	assert_int_equal(rd(&r, RTC_REG_C, 1500 * MS), RTC_C_UF);
	assert_int_equal(rd(&r, RTC_REG_C, 1600 * MS), 0);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_UIE, 1600 * MS);
	assert_int_equal(rd(&r, RTC_REG_C, 2100 * MS), RTC_C_UF | RTC_C_IRQF);
	/* Periodic at 2 Hz (RS 15): PF within each half second, IRQF only with PIE. */
	wr(&r, RTC_REG_A, RTC_A_DV_RUN | 15, 2100 * MS);
	assert_int_equal(rd(&r, RTC_REG_C, 2400 * MS), 0);
	assert_int_equal(rd(&r, RTC_REG_C, 2600 * MS), RTC_C_PF);
	/* Alarm at any hour, minute 0, second 4. */
	wr(&r, RTC_REG_A, RTC_A_DV_RUN, 2600 * MS);
	wr(&r, RTC_SECONDS_ALARM, 0x04, 2600 * MS);
	wr(&r, RTC_MINUTES_ALARM, 0x00, 2600 * MS);
	wr(&r, RTC_HOURS_ALARM, 0xff, 2600 * MS);
	wr(&r, RTC_REG_B, RTC_B_24H | RTC_B_AIE, 2600 * MS);
	assert_int_equal(rd(&r, RTC_REG_C, 3500 * MS), RTC_C_UF);
	assert_int_equal(rd(&r, RTC_REG_C, 4500 * MS), RTC_C_UF | RTC_C_AF | RTC_C_IRQF);
	/* C and D ignore writes. */
	wr(&r, RTC_REG_C, 0xff, 4500 * MS);
	wr(&r, RTC_REG_D, 0x00, 4500 * MS);
	assert_int_equal(rd(&r, RTC_REG_C, 4500 * MS), 0);
	assert_int_equal(rd(&r, RTC_REG_D, 4500 * MS), RTC_D_VRT);
}

/* The index's bit 7 is the NMI mask; the other 128 bytes include the memory sizes. */
static void test_cmos_bytes(void **state)
{
	struct vrtc r;
	unsigned sum = 0;

	(void)state;
	setup(&r, VRTC_DEFAULT_START);
	vrtc_write(&r, 0, 0x80 | RTC_REG_D, 0);
	assert_true(r.nmi_disabled);
	assert_int_equal(vrtc_read(&r, 1, 0), RTC_D_VRT);
	vrtc_write(&r, 0, RTC_REG_D, 0);
	assert_false(r.nmi_disabled);
	assert_int_equal(vrtc_read(&r, 0, 0), 0xff);	/* the index is write only */
	wr(&r, 0x40, 0x5a, 0);
	wr(&r, 0x7f, 0xa5, 0);
	assert_int_equal(rd(&r, 0x40, 0), 0x5a);
	assert_int_equal(rd(&r, 0x7f, 0), 0xa5);
	assert_int_equal(rd(&r, CMOS_BASE_MEM_LO, 0) | rd(&r, CMOS_BASE_MEM_LO + 1, 0) << 8, 640);
	assert_int_equal(rd(&r, CMOS_EXT_MEM_LO, 0) | rd(&r, CMOS_EXT_MEM_LO + 1, 0) << 8, 63 * 1024);
	assert_int_equal(rd(&r, CMOS_EXT_MEM2_LO, 0) | rd(&r, CMOS_EXT_MEM2_LO + 1, 0) << 8,
			 63 * 1024);
	assert_int_equal(rd(&r, CMOS_HIGH_MEM_LO, 0) | rd(&r, CMOS_HIGH_MEM_LO + 1, 0) << 8, 768);
	for (unsigned i = 0x10; i < 0x2e; i++)
		sum += rd(&r, (uint8_t)i, 0);
	assert_int_equal(rd(&r, 0x2e, 0) << 8 | rd(&r, 0x2f, 0), sum);
	/* 8 GiB: the KiB counts saturate, the 64 KiB count stops at 4 GiB. */
	vrtc_init(&r, (struct dev_clock){ fake_clock, NULL }, 0, 8192 * MIB);
	assert_int_equal(rd(&r, CMOS_EXT_MEM_LO, 0) | rd(&r, CMOS_EXT_MEM_LO + 1, 0) << 8, 0xffff);
	assert_int_equal(rd(&r, CMOS_HIGH_MEM_LO, 0) | rd(&r, CMOS_HIGH_MEM_LO + 1, 0) << 8,
			 0xff00);
}

static uint64_t bus_now;

static uint64_t bus_clock(void *ctx)
{
	(void)ctx;
	return bus_now;
}

static void test_bus(void **state)
{
	struct device_bus b;
	struct vrtc r;
	uint64_t v;

	(void)state;
	vrtc_init(&r, (struct dev_clock){ bus_clock, NULL }, VRTC_DEFAULT_START, 64 * MIB);
	bus_init(&b);
	assert_true(vrtc_attach(&r, &b));
	bus_now = 42 * S;
	assert_true(bus_write(&b, BUS_PORT, 0x70, 1, RTC_SECONDS));
	assert_true(bus_read(&b, BUS_PORT, 0x71, 1, &v));
	assert_int_equal(v, 0x42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_power_on_time_bcd),
		cmocka_unit_test(test_binary_and_12_hour),
		cmocka_unit_test(test_update_in_progress),
		cmocka_unit_test(test_set_time),
		cmocka_unit_test(test_year_9999_rolls_over),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_cmos_bytes),
		cmocka_unit_test(test_bus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
