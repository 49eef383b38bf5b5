/* Host unit tests for the virtual 8254 (guest/devices/vpit.c) and port 0x61 (port61.c), with
 * time moved by the test: each case names the input clock (1.193182 MHz) it looks at. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/pit.h"
#include "guest/devices/bus.h"
#include "guest/devices/port61.h"
#include "guest/devices/vpit.h"

#define CTRL	3

static uint64_t fake_now;

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

/* The first nanosecond at which the PIT's input clock has ticked clk times. */
static uint64_t at(uint64_t clk)
{
	return (clk * 1000000000ULL + PIT_HZ - 1) / PIT_HZ;
}

static void setup(struct vpit *p)
{
	fake_now = 0;
	vpit_init(p, (struct dev_clock){ fake_clock, NULL });
}

/* Control word then an LSB/MSB count, at clock clk. */
static void program(struct vpit *p, unsigned ch, uint8_t mode_bits, uint16_t count, uint64_t clk)
{
	vpit_write(p, CTRL, (uint8_t)(ch << 6 | 0x30 | mode_bits), at(clk));
	vpit_write(p, ch, count & 0xff, at(clk));
	vpit_write(p, ch, count >> 8, at(clk));
}

static uint16_t read_word(struct vpit *p, unsigned ch, uint64_t clk)
{
	uint8_t lo = vpit_read(p, ch, at(clk));

	return (uint16_t)(lo | vpit_read(p, ch, at(clk)) << 8);
}

/* Mode 2 at 100 Hz: one interrupt per period, the count runs N..1, late takes coalesce. */
static void test_mode2_periodic(void **state)
{
	struct vpit p;
	const uint16_t n = 11932;

	(void)state;
	setup(&p);
	program(&p, 0, 2 << 1, n, 0);		/* loaded at clock 1 */
	assert_false(vpit_take_irq(&p, at(1 + n - 1)));
	assert_int_equal(read_word(&p, 0, 1), n);
	assert_int_equal(read_word(&p, 0, 1 + 100), n - 100);
	assert_int_equal(read_word(&p, 0, 1 + n - 1), 1);
	assert_true(vpit_out(&p, 0, at(1 + 5)));
	assert_false(vpit_out(&p, 0, at(1 + n - 1)));	/* low at count 1 */
	assert_true(vpit_next_irq(&p) == at(1 + n) || vpit_next_irq(&p) == at(1 + n) + 1);
	assert_true(vpit_take_irq(&p, at(1 + n)));
	assert_false(vpit_take_irq(&p, at(1 + n + 10)));
	assert_int_equal(read_word(&p, 0, 1 + n), n);	/* reloaded */
	/* Ten periods later: one interrupt, nine coalesced. */
	assert_true(vpit_take_irq(&p, at(1 + 11 * n)));
	assert_int_equal(p.irqs, 2);
	assert_int_equal(p.irqs_coalesced, 9);
	assert_true(vpit_next_irq(&p) >= at(1 + 12 * n));
	assert_true(vpit_next_irq(&p) <= at(1 + 12 * n) + 1);
}

/* Mode 3: OUT high for the first half, low for the second; the count falls by two. */
static void test_mode3_square_wave(void **state)
{
	struct vpit p;

	(void)state;
	setup(&p);
	program(&p, 0, 3 << 1, 100, 0);
	assert_true(vpit_out(&p, 0, at(1)));
	assert_true(vpit_out(&p, 0, at(1 + 49)));
	assert_false(vpit_out(&p, 0, at(1 + 50)));
	assert_false(vpit_out(&p, 0, at(1 + 99)));
	assert_true(vpit_out(&p, 0, at(1 + 100)));
	assert_int_equal(read_word(&p, 0, 1 + 10), 80);
	assert_int_equal(read_word(&p, 0, 1 + 60), 80);
	assert_true(vpit_take_irq(&p, at(1 + 100)));
	assert_false(vpit_take_irq(&p, at(1 + 150)));
	/* Modes 6 and 7 are modes 2 and 3. */
	program(&p, 0, 7 << 1, 100, 1000);
	assert_false(vpit_out(&p, 0, at(1001 + 50)));
}

/* Mode 0: OUT low from the control word, high count + 1 clocks after the count is written;
 * one interrupt only; the count wraps on past zero. */
static void test_mode0_terminal_count(void **state)
{
	struct vpit p;

	(void)state;
	setup(&p);
	program(&p, 0, 0, 1000, 0);
	assert_false(vpit_out(&p, 0, at(1000)));
	assert_false(vpit_take_irq(&p, at(1000)));
	assert_true(vpit_out(&p, 0, at(1001)));
	assert_true(vpit_take_irq(&p, at(1001)));
	assert_int_equal(vpit_next_irq(&p), VPIT_NEVER);
	assert_false(vpit_take_irq(&p, at(100000)));
	assert_int_equal(read_word(&p, 0, 1001), 0);
	assert_int_equal(read_word(&p, 0, 1002), 0xffff);
	/* Writing the LSB of a new count stops it and drops OUT; the MSB starts it again. */
	vpit_write(&p, 0, 0x10, at(2000));
	assert_false(vpit_out(&p, 0, at(2000)));
	vpit_write(&p, 0, 0x00, at(2000));
	assert_false(vpit_out(&p, 0, at(2000 + 16)));
	assert_true(vpit_out(&p, 0, at(2000 + 17)));
}

/* Mode 4: OUT high, one clock low at terminal count; the interrupt is the edge after it. */
static void test_mode4_strobe(void **state)
{
	struct vpit p;

	(void)state;
	setup(&p);
	program(&p, 0, 4 << 1, 50, 0);
	assert_true(vpit_out(&p, 0, at(50)));
	assert_false(vpit_out(&p, 0, at(51)));
	assert_true(vpit_out(&p, 0, at(52)));
	assert_false(vpit_take_irq(&p, at(51)));
	assert_true(vpit_take_irq(&p, at(52)));
	assert_false(vpit_take_irq(&p, at(10000)));
}

/* The latch command freezes the count until both bytes are read; a second latch is ignored. */
static void test_counter_latch(void **state)
{
	struct vpit p;

	(void)state;
	setup(&p);
	program(&p, 0, 2 << 1, 0, 0);		/* 0 is 65536 */
	vpit_write(&p, CTRL, 0x00, at(1 + 0x1234));	/* latch counter 0 */
	vpit_write(&p, CTRL, 0x00, at(1 + 0x2000));	/* ignored: still latched */
	assert_int_equal(vpit_read(&p, 0, at(5000)), (uint8_t)(0x10000 - 0x1234));
	assert_int_equal(vpit_read(&p, 0, at(9000)), (0x10000 - 0x1234) >> 8);
	/* Released: the live count again. */
	assert_int_equal(read_word(&p, 0, 1 + 0x100), 0x10000 - 0x100);
}

/* Read-back: status (OUT, null count, access, mode, BCD) then the count, for the selected
 * counters only. */
static void test_read_back(void **state)
{
	struct vpit p;

	(void)state;
	setup(&p);
	vpit_write(&p, CTRL, 0x80 | 0x30 | 0, at(0));	/* counter 2, word, mode 0 */
	vpit_write(&p, CTRL, 0xc0 | 0x20 | 0x08, at(0));	/* status of counter 2 */
	assert_int_equal(vpit_read(&p, 2, at(0)), 0x40 | 0x30);	/* null count, OUT low */
	vpit_write(&p, 2, 100, at(0));
	vpit_write(&p, 2, 0, at(0));
	vpit_set_gate(&p, 2, true, at(0));
	vpit_write(&p, CTRL, 0xc0 | 0x08, at(11));	/* status and count of counter 2 */
	assert_int_equal(vpit_read(&p, 2, at(500)), 0x30);	/* loaded, OUT still low */
	assert_int_equal(read_word(&p, 2, 500), 90);
	vpit_write(&p, CTRL, 0xc0 | 0x20 | 0x08, at(101));
	assert_int_equal(vpit_read(&p, 2, at(101)), 0x80 | 0x30);	/* OUT high */
	/* Counter 0 was not selected: nothing latched there. */
	program(&p, 0, 2 << 1 | 1, 0x0100, 0);	/* BCD 100 */
	vpit_write(&p, CTRL, 0xc0 | 0x10 | 0x02, at(1 + 1));	/* count of counter 0 only */
	assert_int_equal(read_word(&p, 0, 50), 0x0099);
}

static void test_lsb_msb_and_bcd(void **state)
{
	struct vpit p;

	(void)state;
	setup(&p);
	vpit_write(&p, CTRL, 0x10 | 2 << 1, at(0));	/* counter 0, LSB only, mode 2 */
	vpit_write(&p, 0, 200, at(0));
	assert_int_equal(vpit_read(&p, 0, at(1 + 50)), 150);
	assert_int_equal(vpit_read(&p, 0, at(1 + 51)), 149);
	vpit_write(&p, CTRL, 0x20 | 2 << 1, at(0));	/* MSB only: count 0x0200 */
	vpit_write(&p, 0, 0x02, at(0));
	assert_int_equal(vpit_read(&p, 0, at(1 + 0x100)), 0x01);
	/* BCD 0 is 10000: a period of 10000 clocks, reading in decimal digits. */
	program(&p, 0, 2 << 1 | 1, 0, 0);
	assert_int_equal(read_word(&p, 0, 1 + 1), 0x9999);
	assert_true(vpit_take_irq(&p, at(1 + 10000)));
}

/* A BCD count with a digit above 9 (found by fuzzing: 0xA599 decoded to 10599) is taken
 * modulo 10^4, so the counter stays within 1..10000 and reads back as decimal digits. */
static void test_bcd_count_not_decimal(void **state)
{
	struct vpit p;

	(void)state;
	setup(&p);
	program(&p, 0, 2 << 1 | 1, 0xa599, 0);	/* 10599: counts as 599 */
	assert_int_equal(p.ch[0].count, 599);
	assert_int_equal(read_word(&p, 0, 1 + 99), 0x0500);
	assert_true(vpit_take_irq(&p, at(1 + 599)));
	program(&p, 0, 2 << 1 | 1, 0xa000, 0);	/* 10000: the full BCD period */
	assert_int_equal(p.ch[0].count, 10000);
}

/* Modes 1 and 5 wait for a gate trigger the PC never gives: the counter stays put. */
static void test_unsupported_mode(void **state)
{
	struct vpit p;

	(void)state;
	setup(&p);
	program(&p, 0, 1 << 1, 100, 0);
	assert_true(p.modes_reported & (1u << 1));
	assert_int_equal(read_word(&p, 0, 500), 100);
	assert_false(vpit_take_irq(&p, at(500)));
	assert_int_equal(vpit_next_irq(&p), VPIT_NEVER);
}

/* Port 0x61: gate 2 and OUT2 the way Linux calibrates the TSC (gate high, mode 0, poll bit 5),
 * the gate pausing mode 0, and the refresh toggle every 18 clocks. */
static void test_port61_channel2(void **state)
{
	struct vpit p;
	struct port61 s;

	(void)state;
	setup(&p);
	port61_init(&s, &p, p.clock);
	assert_int_equal(port61_read(&s, at(0)) & 0x20, 0);
	port61_write(&s, 0x01, at(0));			/* gate high, speaker off */
	vpit_write(&p, CTRL, 0xb0, at(0));
	vpit_write(&p, 2, 1000 & 0xff, at(0));
	vpit_write(&p, 2, 1000 >> 8, at(0));
	assert_int_equal(port61_read(&s, at(1000)) & 0x2f, 0x01);
	assert_int_equal(port61_read(&s, at(1001)) & 0x2f, 0x21);
	/* The gate pauses mode 0: 400 clocks counted, then 600 more after a pause of 5000. */
	vpit_write(&p, CTRL, 0xb0, at(2000));
	vpit_write(&p, 2, 1000 & 0xff, at(2000));
	vpit_write(&p, 2, 1000 >> 8, at(2000));
	port61_write(&s, 0x00, at(2001 + 400));
	assert_int_equal(read_word(&p, 2, 7000), 600);
	port61_write(&s, 0x03, at(7401));
	assert_int_equal(port61_read(&s, at(7401 + 599)) & 0x20, 0);
	assert_int_equal(port61_read(&s, at(7401 + 600)) & 0x23, 0x23);
	/* Bits 2-3 read back, 6-7 never set; bit 4 toggles every 18 clocks. */
	port61_write(&s, 0xff, at(8000));
	assert_int_equal(port61_read(&s, at(18 * 1000)) & 0xcf, 0x0f);
	assert_int_equal(port61_read(&s, at(18 * 1000)) & 0x10, 0);
	assert_int_equal(port61_read(&s, at(18 * 1001)) & 0x10, 0x10);
	assert_int_equal(port61_read(&s, at(18 * 1002)) & 0x10, 0);
}

/* On the bus: 0x40-0x43 and 0x61, reached by the port numbers, with the device's clock. */
static void test_bus(void **state)
{
	struct device_bus b;
	struct vpit p;
	struct port61 s;
	uint64_t v;

	(void)state;
	setup(&p);
	port61_init(&s, &p, p.clock);
	bus_init(&b);
	assert_true(vpit_attach(&p, &b));
	assert_true(port61_attach(&s, &b));
	assert_true(bus_write(&b, BUS_PORT, 0x43, 1, 0x34));
	assert_true(bus_write(&b, BUS_PORT, 0x40, 1, 0x00));
	assert_true(bus_write(&b, BUS_PORT, 0x40, 1, 0x10));
	fake_now = at(1 + 0x100);
	assert_true(bus_read(&b, BUS_PORT, 0x40, 1, &v));
	assert_int_equal(v, 0x00);
	assert_true(bus_read(&b, BUS_PORT, 0x40, 1, &v));
	assert_int_equal(v, 0x0f);
	assert_true(bus_read(&b, BUS_PORT, 0x43, 1, &v));
	assert_int_equal(v, 0xff);
	assert_true(bus_write(&b, BUS_PORT, 0x61, 1, 0x01));
	assert_true(p.ch[2].gate);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode2_periodic),
		cmocka_unit_test(test_mode3_square_wave),
		cmocka_unit_test(test_mode0_terminal_count),
		cmocka_unit_test(test_mode4_strobe),
		cmocka_unit_test(test_counter_latch),
		cmocka_unit_test(test_read_back),
		cmocka_unit_test(test_lsb_msb_and_bcd),
		cmocka_unit_test(test_bcd_count_not_decimal),
		cmocka_unit_test(test_unsupported_mode),
		cmocka_unit_test(test_port61_channel2),
		cmocka_unit_test(test_bus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
