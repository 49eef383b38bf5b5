/* Host unit tests for port 0x92 (guest/devices/port92.c) and the POST port 0x80
 * (post_port.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "guest/devices/bus.h"
#include "guest/devices/port92.h"
#include "guest/devices/post_port.h"

static unsigned resets;

static void fake_reset(void *ctx, const char *why)
{
	(void)ctx;
	(void)why;
	resets++;
}

/* A20 reads back; bit 0 resets and reads 0; the other bits are kept. */
static void test_fast_a20_and_reset(void **state)
{
	struct port92 s;

	(void)state;
	resets = 0;
	port92_init(&s, fake_reset, NULL);
	assert_int_equal(port92_read(&s), PORT92_A20);
	port92_write(&s, 0x00);
	assert_int_equal(port92_read(&s), 0x00);
	port92_write(&s, 0xc2);
	assert_int_equal(port92_read(&s), 0xc2);
	assert_int_equal(resets, 0);
	port92_write(&s, 0x03);
	assert_int_equal(resets, 1);
	assert_int_equal(port92_read(&s), PORT92_A20);
}

/* On the bus: 0x92 answers; 0x80 is claimed (no "not emulated" report), reads all-ones and
 * swallows writes. */
static void test_bus(void **state)
{
	struct device_bus b;
	struct port92 s;
	uint64_t v;

	(void)state;
	port92_init(&s, fake_reset, NULL);
	bus_init(&b);
	assert_true(port92_attach(&s, &b));
	assert_true(post_port_attach(&b));
	assert_true(bus_read(&b, BUS_PORT, 0x92, 1, &v));
	assert_int_equal(v, PORT92_A20);
	assert_true(bus_write(&b, BUS_PORT, 0x80, 1, 0x42));
	assert_true(bus_read(&b, BUS_PORT, 0x80, 1, &v));
	assert_int_equal(v, 0xff);
	assert_string_equal(bus_find(&b, BUS_PORT, 0x80)->owner, "post");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_a20_and_reset),
		cmocka_unit_test(test_bus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
