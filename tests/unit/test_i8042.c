/* Host unit tests for the virtual 8042 keyboard controller (guest/devices/i8042.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "guest/devices/bus.h"
#include "guest/devices/i8042.h"

#define DATA	0
#define CMD	4

static unsigned resets;
static char reset_why[80];

static void fake_reset(void *ctx, const char *why)
{
	(void)ctx;
	resets++;
	strncpy(reset_why, why, sizeof(reset_why) - 1);
}

static void setup(struct i8042 *k)
{
	resets = 0;
	reset_why[0] = '\0';
	i8042_init(k, fake_reset, NULL);
}

/* A command that answers: OBF rises, the byte reads at 0x60, OBF falls. */
static uint8_t ask(struct i8042 *k, uint8_t cmd)
{
	i8042_write(k, CMD, cmd);
	assert_true(i8042_read(k, CMD) & I8042_STATUS_OBF);
	return i8042_read(k, DATA);
}

static void test_status_and_self_tests(void **state)
{
	struct i8042 k;
	uint8_t st;

	(void)state;
	setup(&k);
	st = i8042_read(&k, CMD);
	assert_int_equal(st & (I8042_STATUS_OBF | I8042_STATUS_IBF), 0);
	assert_true(st & I8042_STATUS_SYS);
	k.command_byte &= ~I8042_CMD_SYS;
	assert_int_equal(ask(&k, 0xaa), 0x55);
	assert_true(i8042_read(&k, CMD) & I8042_STATUS_SYS);	/* self-test passed */
	assert_true(i8042_read(&k, CMD) & I8042_STATUS_A2);	/* last write was a command */
	assert_false(i8042_read(&k, CMD) & I8042_STATUS_OBF);
	assert_int_equal(ask(&k, 0xab), 0x00);
	assert_int_equal(ask(&k, 0xa9), 0x00);
	/* Nothing new: 0x60 repeats the last byte and OBF stays clear. */
	assert_int_equal(i8042_read(&k, DATA), 0x00);
	assert_false(i8042_read(&k, CMD) & I8042_STATUS_OBF);
	assert_int_equal(resets, 0);
}

static void test_command_byte_and_ports(void **state)
{
	struct i8042 k;

	(void)state;
	setup(&k);
	assert_int_equal(ask(&k, 0x20), 0x45);
	i8042_write(&k, CMD, 0x60);
	i8042_write(&k, DATA, 0x47);
	assert_false(i8042_read(&k, CMD) & I8042_STATUS_A2);	/* last write was data */
	assert_int_equal(ask(&k, 0x20), 0x47);
	i8042_write(&k, CMD, 0xad);
	i8042_write(&k, CMD, 0xa7);
	assert_int_equal(ask(&k, 0x20), 0x47 | I8042_CMD_KBD_OFF | I8042_CMD_AUX_OFF);
	i8042_write(&k, CMD, 0xae);
	i8042_write(&k, CMD, 0xa8);
	assert_int_equal(ask(&k, 0x20), 0x47);
	/* A byte for the keyboard after a completed command goes nowhere. */
	i8042_write(&k, DATA, 0xf2);
	assert_false(i8042_read(&k, CMD) & I8042_STATUS_OBF);
	assert_int_equal(ask(&k, 0x20), 0x47);
}

static void test_output_buffers_and_irqs(void **state)
{
	struct i8042 k;

	(void)state;
	setup(&k);
	i8042_write(&k, CMD, 0x60);
	i8042_write(&k, DATA, I8042_CMD_KBD_INT | I8042_CMD_AUX_INT);
	i8042_write(&k, CMD, 0xd2);
	i8042_write(&k, DATA, 0x1c);
	assert_true(i8042_kbd_irq(&k));
	assert_false(i8042_aux_irq(&k));
	assert_int_equal(i8042_read(&k, CMD) & I8042_STATUS_AUXB, 0);
	assert_int_equal(i8042_read(&k, DATA), 0x1c);
	assert_false(i8042_kbd_irq(&k));
	i8042_write(&k, CMD, 0xd3);
	i8042_write(&k, DATA, 0x5a);
	assert_true(i8042_aux_irq(&k));
	assert_true(i8042_read(&k, CMD) & I8042_STATUS_AUXB);
	assert_int_equal(i8042_read(&k, DATA), 0x5a);
	/* The command byte's enables gate the lines. */
	i8042_write(&k, CMD, 0x60);
	i8042_write(&k, DATA, 0);
	i8042_write(&k, CMD, 0xd2);
	i8042_write(&k, DATA, 0x1c);
	assert_false(i8042_kbd_irq(&k));
}

/* Output port: A20 and reset read back (bit 4 shows a full buffer); writing bit 0 clear and
 * the 0xFE pulse reset the machine, pulses of other lines do not. */
static void test_output_port_and_reset(void **state)
{
	struct i8042 k;

	(void)state;
	setup(&k);
	assert_int_equal(ask(&k, 0xd0) & 0x03, 0x03);
	i8042_write(&k, CMD, 0xd2);				/* a keyboard byte waits... */
	i8042_write(&k, DATA, 0x11);
	i8042_write(&k, CMD, 0xd0);				/* ...so bit 4 is set */
	assert_int_equal(i8042_read(&k, DATA) & 0x10, 0x10);
	i8042_write(&k, CMD, 0xd1);
	i8042_write(&k, DATA, 0x01);				/* A20 off, no reset */
	assert_int_equal(ask(&k, 0xd0) & 0x03, 0x01);
	assert_int_equal(resets, 0);
	i8042_write(&k, CMD, 0xff);				/* pulse nothing */
	i8042_write(&k, CMD, 0xfd);				/* pulse bit 1 only */
	assert_int_equal(resets, 0);
	i8042_write(&k, CMD, 0xfe);
	assert_int_equal(resets, 1);
	assert_string_equal(reset_why, "the guest reset the machine (i8042 pulse)");
	i8042_write(&k, CMD, 0xd1);
	i8042_write(&k, DATA, 0x02);
	assert_int_equal(resets, 2);
	assert_string_equal(reset_why, "the guest reset the machine (i8042 output port)");
}

static void test_bus(void **state)
{
	struct device_bus b;
	struct i8042 k;
	uint64_t v;

	(void)state;
	setup(&k);
	bus_init(&b);
	assert_true(i8042_attach(&k, &b));
	assert_true(bus_write(&b, BUS_PORT, 0x64, 1, 0xaa));
	assert_true(bus_read(&b, BUS_PORT, 0x64, 1, &v));
	assert_true(v & I8042_STATUS_OBF);
	assert_true(bus_read(&b, BUS_PORT, 0x60, 1, &v));
	assert_int_equal(v, 0x55);
	assert_null(bus_find(&b, BUS_PORT, 0x61));	/* port B is someone else's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_and_self_tests),
		cmocka_unit_test(test_command_byte_and_ports),
		cmocka_unit_test(test_output_buffers_and_irqs),
		cmocka_unit_test(test_output_port_and_reset),
		cmocka_unit_test(test_bus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
