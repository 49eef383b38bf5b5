/* Host unit tests for the guest's device bus (guest/devices/bus.c), with fake devices that
 * record every access, and with the real PIC and UART attached where the PC has them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "arch/uart16550.h"
#include "guest/devices/bus.h"
#include "guest/devices/vpic.h"
#include "guest/devices/vuart.h"

/* A fake device: remembers the last access and answers reads with a pattern of its offset. */
struct fake {
	unsigned reads, writes;
	uint64_t offset, value;
	unsigned size;
};

static uint64_t fake_read(void *dev, uint64_t offset, unsigned size)
{
	struct fake *f = dev;

	f->reads++;
	f->offset = offset;
	f->size = size;
	return 0x1122334455667700ULL | offset;	/* more bytes than any access: the bus trims */
}

static void fake_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	struct fake *f = dev;

	f->writes++;
	f->offset = offset;
	f->size = size;
	f->value = value;
}

static struct bus_range port_range(uint64_t base, uint64_t len, struct fake *f, bool bytewise)
{
	return (struct bus_range){ BUS_PORT, base, len, "fake", fake_read, fake_write, f, bytewise };
}

static void test_register_rejects_bad_ranges(void **state)
{
	struct device_bus b;
	struct fake f = { 0 };
	struct bus_range r;

	(void)state;
	bus_init(&b);
	r = port_range(0x100, 0x10, &f, false);
	assert_true(bus_register(&b, &r));
	/* Overlaps at either end, inside, and around. */
	r = port_range(0x10f, 1, &f, false);
	assert_false(bus_register(&b, &r));
	r = port_range(0xf0, 0x11, &f, false);
	assert_false(bus_register(&b, &r));
	r = port_range(0x104, 2, &f, false);
	assert_false(bus_register(&b, &r));
	r = port_range(0x80, 0x200, &f, false);
	assert_false(bus_register(&b, &r));
	/* Empty, beyond the 64 KiB port space, wrapping. */
	r = port_range(0x200, 0, &f, false);
	assert_false(bus_register(&b, &r));
	r = port_range(0xfff0, 0x11, &f, false);
	assert_false(bus_register(&b, &r));
	r = (struct bus_range){ BUS_MMIO, ~0ULL - 2, 8, "wrap", fake_read, fake_write, &f, false };
	assert_false(bus_register(&b, &r));
	/* Adjacent is fine, and the same numbers in the other space do not overlap. */
	r = port_range(0x110, 1, &f, false);
	assert_true(bus_register(&b, &r));
	r = (struct bus_range){ BUS_MMIO, 0x100, 0x10, "mmio", fake_read, fake_write, &f, false };
	assert_true(bus_register(&b, &r));
	assert_int_equal(b.count, 3);
}

static void test_register_until_full(void **state)
{
	struct device_bus b;
	struct fake f = { 0 };
	struct bus_range r;

	(void)state;
	bus_init(&b);
	for (unsigned i = 0; i < BUS_MAX_RANGES; i++) {
		r = port_range(0x1000 + 4 * i, 4, &f, false);
		assert_true(bus_register(&b, &r));
	}
	r = port_range(0x8000, 4, &f, false);
	assert_false(bus_register(&b, &r));
	assert_int_equal(b.count, BUS_MAX_RANGES);
}

static void test_dispatch_offsets_and_widths(void **state)
{
	struct device_bus b;
	struct fake f = { 0 };
	struct bus_range r = port_range(0x5f0, 12, &f, false);
	uint64_t v;

	(void)state;
	bus_init(&b);
	assert_true(bus_register(&b, &r));
	assert_true(bus_read(&b, BUS_PORT, 0x5f4, 4, &v));
	assert_int_equal(f.offset, 4);
	assert_int_equal(f.size, 4);
	assert_true(v == 0x55667704);
	assert_true(bus_read(&b, BUS_PORT, 0x5f8, 2, &v));
	assert_true(v == 0x7708);
	assert_true(bus_read(&b, BUS_PORT, 0x5f0, 1, &v));
	assert_true(v == 0x00);
	/* A write reaches the device trimmed to its width. */
	assert_true(bus_write(&b, BUS_PORT, 0x5f1, 2, 0xabcdef));
	assert_int_equal(f.offset, 1);
	assert_true(f.value == 0xcdef);
	assert_int_equal(f.writes, 1);
	assert_int_equal(f.reads, 3);
	/* The MMIO space is separate. */
	assert_false(bus_read(&b, BUS_MMIO, 0x5f0, 4, &v));
	assert_true(v == 0xffffffff);
}

static void test_unclaimed_reads_all_ones(void **state)
{
	struct device_bus b;
	uint64_t v = 0;

	(void)state;
	bus_init(&b);
	assert_false(bus_read(&b, BUS_PORT, 0x80, 1, &v));
	assert_true(v == 0xff);
	assert_false(bus_read(&b, BUS_PORT, 0x80, 2, &v));
	assert_true(v == 0xffff);
	assert_false(bus_read(&b, BUS_PORT, 0x80, 4, &v));
	assert_true(v == 0xffffffff);
	assert_false(bus_read(&b, BUS_MMIO, 0xfee00000, 8, &v));
	assert_true(v == ~0ULL);
	assert_false(bus_write(&b, BUS_PORT, 0x80, 1, 0));
}

/* A wide access to a byte-wide device is split by port, like ISA byte lanes: bytes past the
 * device's end go to whichever device is there, or read as 0xff. */
static void test_bytewise_split(void **state)
{
	struct device_bus b;
	struct fake a = { 0 }, c = { 0 };
	struct bus_range ra = port_range(0x60, 2, &a, true), rc = port_range(0x62, 1, &c, true);
	uint64_t v;

	(void)state;
	bus_init(&b);
	assert_true(bus_register(&b, &ra));
	assert_true(bus_register(&b, &rc));
	assert_true(bus_read(&b, BUS_PORT, 0x61, 4, &v));
	/* 0x61 -> a offset 1, 0x62 -> c offset 0, 0x63 and 0x64 unclaimed. */
	assert_true(v == 0xffff0001ULL);
	assert_int_equal(a.reads, 1);
	assert_int_equal(c.reads, 1);
	assert_int_equal(a.size, 1);
	assert_true(bus_write(&b, BUS_PORT, 0x60, 4, 0x44332211));
	assert_int_equal(a.writes, 2);
	assert_true(a.value == 0x22 && a.offset == 1);
	assert_int_equal(c.writes, 1);
	assert_true(c.value == 0x33);
}

static void test_pc_devices_on_the_bus(void **state)
{
	struct device_bus b;
	struct vpic pic;
	struct vuart uart;
	const struct bus_range *r;
	uint64_t v;

	(void)state;
	bus_init(&b);
	vpic_init(&pic);
	vuart_init(&uart, NULL, NULL);
	assert_true(vpic_attach(&pic, &b));
	assert_true(vuart_attach(&uart, &b, COM1_BASE));
	/* Attaching again collides with what is there. */
	assert_false(vuart_attach(&uart, &b, COM1_BASE + 4));
	r = bus_find(&b, BUS_PORT, 0xa1);
	assert_non_null(r);
	assert_string_equal(r->owner, "pic-slave");
	assert_null(bus_find(&b, BUS_PORT, 0x22));
	assert_string_equal(bus_find(&b, BUS_PORT, COM1_BASE + 7)->owner, "uart-16550");
	assert_null(bus_find(&b, BUS_PORT, COM1_BASE + 8));
	/* The masks read back as written (OCW1), through the bus. */
	assert_true(bus_write(&b, BUS_PORT, 0x21, 1, 0xfb));
	assert_true(bus_write(&b, BUS_PORT, 0xa1, 1, 0x7f));
	assert_true(bus_read(&b, BUS_PORT, 0x21, 1, &v));
	assert_true(v == 0xfb);
	assert_true(pic.chip[1].imr == 0x7f);
	/* The UART's scratch register (offset 7), also as the top byte of a word at offset 6. */
	assert_true(bus_write(&b, BUS_PORT, COM1_BASE + 7, 1, 0x5a));
	assert_true(bus_read(&b, BUS_PORT, COM1_BASE + 6, 2, &v));
	assert_true((v >> 8) == 0x5a);
	assert_true(bus_read(&b, BUS_PORT, COM1_BASE + 7, 2, &v));
	assert_true(v == 0xff5a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_rejects_bad_ranges),
		cmocka_unit_test(test_register_until_full),
		cmocka_unit_test(test_dispatch_offsets_and_widths),
		cmocka_unit_test(test_unclaimed_reads_all_ones),
		cmocka_unit_test(test_bytewise_split),
		cmocka_unit_test(test_pc_devices_on_the_bus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
