/* Host unit tests for the virtual 8259A pair and the ELCR (guest/devices/vpic.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "guest/devices/bus.h"
#include "guest/devices/vpic.h"

#define CMD	0
#define DATA	1

/* ICW1-4 as a PC operating system programs them: vectors 0x20 and 0x28, slave on IRQ 2,
 * master ICW4 as given; every line unmasked. */
static void setup(struct vpic *p, uint8_t icw1, uint8_t master_icw4)
{
	vpic_init(p);
	vpic_write(p, 0, CMD, icw1);
	vpic_write(p, 0, DATA, 0x20);
	vpic_write(p, 0, DATA, 0x04);
	vpic_write(p, 0, DATA, master_icw4);
	vpic_write(p, 1, CMD, 0x11);
	vpic_write(p, 1, DATA, 0x28);
	vpic_write(p, 1, DATA, 0x02);
	vpic_write(p, 1, DATA, 0x01);
}

static void pulse(struct vpic *p, unsigned irq)
{
	vpic_set_line(p, irq, true);
	vpic_set_line(p, irq, false);
}

/* Fully nested: a lower IRQ waits while a higher one is in service; EOI lets it through. */
static void test_fully_nested(void **state)
{
	struct vpic p;

	(void)state;
	setup(&p, 0x11, 0x01);
	pulse(&p, 3);
	pulse(&p, 1);
	assert_int_equal(vpic_acknowledge(&p), 0x21);
	assert_int_equal(vpic_pending(&p), -1);		/* IRQ 3 is below IRQ 1 */
	pulse(&p, 0);
	assert_int_equal(vpic_acknowledge(&p), 0x20);	/* IRQ 0 is above it */
	vpic_write(&p, 0, CMD, 0x20);			/* ends IRQ 0 */
	vpic_write(&p, 0, CMD, 0x20);			/* ends IRQ 1 */
	assert_int_equal(vpic_acknowledge(&p), 0x23);
	/* The slave through the cascade. */
	pulse(&p, 12);
	assert_int_equal(vpic_acknowledge(&p), 0x2c);
	assert_int_equal(p.chip[0].isr, (1u << 3) | (1u << 2));
	assert_int_equal(p.chip[1].isr, 1u << 4);
}

/* ICW4 AEOI: acknowledging leaves nothing in service, so the next request comes at once. */
static void test_auto_eoi(void **state)
{
	struct vpic p;

	(void)state;
	setup(&p, 0x11, 0x03);
	pulse(&p, 0);
	assert_int_equal(vpic_acknowledge(&p), 0x20);
	assert_int_equal(p.chip[0].isr, 0);
	pulse(&p, 0);
	assert_int_equal(vpic_acknowledge(&p), 0x20);
	/* A fresh ICW1 without ICW4 clears AEOI. */
	vpic_write(&p, 0, CMD, 0x10);
	vpic_write(&p, 0, DATA, 0x20);
	vpic_write(&p, 0, DATA, 0x04);
	assert_false(p.chip[0].auto_eoi);
	assert_int_equal(p.chip[0].init_step, 0);
}

/* OCW3 poll: the next command-port read is 0x80 | level and takes the interrupt; the master
 * reports the slave as level 2. With nothing pending the word is 0. */
static void test_poll(void **state)
{
	struct vpic p;

	(void)state;
	setup(&p, 0x11, 0x01);
	vpic_write(&p, 0, CMD, 0x0c);
	assert_int_equal(vpic_read(&p, 0, CMD), 0x00);
	pulse(&p, 5);
	vpic_write(&p, 0, CMD, 0x0c);
	assert_int_equal(vpic_read(&p, 0, CMD), 0x85);
	assert_int_equal(p.chip[0].isr, 1u << 5);
	assert_int_equal(p.chip[0].irr, 0);
	assert_int_equal(vpic_read(&p, 0, CMD), 0x00);	/* a plain IRR read again */
	vpic_write(&p, 0, CMD, 0x20);
	pulse(&p, 9);
	vpic_write(&p, 0, CMD, 0x0c);
	assert_int_equal(vpic_read(&p, 0, CMD), 0x82);
	vpic_write(&p, 1, CMD, 0x0c);
	assert_int_equal(vpic_read(&p, 1, CMD), 0x81);
	assert_int_equal(p.chip[1].isr, 1u << 1);
}

/* Special mask mode: in-service levels stop blocking the others. */
static void test_special_mask(void **state)
{
	struct vpic p;

	(void)state;
	setup(&p, 0x11, 0x01);
	pulse(&p, 1);
	assert_int_equal(vpic_acknowledge(&p), 0x21);
	vpic_write(&p, 0, DATA, 0x02);			/* the handler masks its own level */
	pulse(&p, 6);
	assert_int_equal(vpic_pending(&p), -1);
	vpic_write(&p, 0, CMD, 0x68);			/* OCW3: set special mask mode */
	assert_int_equal(vpic_pending(&p), 0x26);
	assert_int_equal(vpic_acknowledge(&p), 0x26);
	vpic_write(&p, 0, CMD, 0x66);			/* specific EOI for IRQ 6 */
	vpic_write(&p, 0, CMD, 0x48);			/* OCW3: reset special mask mode */
	pulse(&p, 6);
	assert_int_equal(vpic_pending(&p), -1);		/* IRQ 1 still in service */
	vpic_write(&p, 0, CMD, 0x61);
	assert_int_equal(vpic_pending(&p), 0x26);
}

/* Level triggering (ELCR or LTIM): the request follows the line; it comes back after EOI
 * while the line stays high, and goes away when the line drops before it was taken. */
static void test_level_triggered(void **state)
{
	struct vpic p;

	(void)state;
	setup(&p, 0x11, 0x01);
	p.chip[1].elcr = 1u << 3;			/* IRQ 11 */
	vpic_set_line(&p, 11, true);
	assert_int_equal(vpic_acknowledge(&p), 0x2b);
	vpic_set_line(&p, 11, true);			/* still high */
	assert_int_equal(vpic_pending(&p), -1);		/* in service */
	vpic_write(&p, 1, CMD, 0x20);
	vpic_write(&p, 0, CMD, 0x20);
	assert_int_equal(vpic_pending(&p), 0x2b);	/* again, the line never dropped */
	vpic_set_line(&p, 11, false);
	assert_int_equal(vpic_pending(&p), -1);
	/* An edge input requests once per rising edge however long it stays high. */
	vpic_set_line(&p, 4, true);
	assert_int_equal(vpic_acknowledge(&p), 0x24);
	vpic_write(&p, 0, CMD, 0x20);
	vpic_set_line(&p, 4, true);
	assert_int_equal(vpic_pending(&p), -1);
	/* ICW1 LTIM makes every input of that chip level triggered. */
	setup(&p, 0x19, 0x01);
	vpic_set_line(&p, 4, true);
	assert_int_equal(vpic_pending(&p), 0x24);
	vpic_set_line(&p, 4, false);
	assert_int_equal(vpic_pending(&p), -1);
}

/* The ELCR on the bus: bits for IRQ 0-2, 8 and 13 read 0; the rest read back. */
static void test_elcr(void **state)
{
	struct device_bus b;
	struct vpic p;
	uint64_t v;

	(void)state;
	vpic_init(&p);
	bus_init(&b);
	assert_true(vpic_attach(&p, &b));
	assert_true(bus_write(&b, BUS_PORT, 0x4d0, 1, 0xff));
	assert_true(bus_write(&b, BUS_PORT, 0x4d1, 1, 0xff));
	assert_true(bus_read(&b, BUS_PORT, 0x4d0, 1, &v));
	assert_int_equal(v, 0xf8);
	assert_true(bus_read(&b, BUS_PORT, 0x4d1, 1, &v));
	assert_int_equal(v, 0xde);
	assert_true(bus_write(&b, BUS_PORT, 0x4d0, 2, 0x0820));
	assert_true(bus_read(&b, BUS_PORT, 0x4d0, 2, &v));
	assert_int_equal(v, 0x0820);
	assert_string_equal(bus_find(&b, BUS_PORT, 0x4d1)->owner, "pic-elcr");
	/* The chips through the bus too: the slave's mask. */
	assert_true(bus_write(&b, BUS_PORT, 0xa1, 1, 0x5a));
	assert_int_equal(p.chip[1].imr, 0x5a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fully_nested),
		cmocka_unit_test(test_auto_eoi),
		cmocka_unit_test(test_poll),
		cmocka_unit_test(test_special_mask),
		cmocka_unit_test(test_level_triggered),
		cmocka_unit_test(test_elcr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
