/* Unit tests for Umbra's command-line parser (lib/options.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lib/options.h"
#include "lib/printk.h"

static unsigned parse(const char *cmdline, struct umbra_options *o, char *errs)
{
	options_set_defaults(o);
	return options_parse(cmdline, o, errs, OPTIONS_ERR_MAX);
}

static void test_defaults(void **state)
{
	struct umbra_options o;
	char errs[OPTIONS_ERR_MAX];

	(void)state;
	assert_int_equal(parse("", &o, errs), 0);
	assert_int_equal(o.backend, BACKEND_AUTO);
	assert_int_equal(o.loglevel, LOG_INFO);
	assert_false(o.debug_exit);
	assert_int_equal(o.serial_base, 0x3f8);
	assert_int_equal(o.baud, 115200);
	assert_int_equal(o.crash, CRASH_NONE);
	assert_string_equal(errs, "");
}

static void test_every_option(void **state)
{
	struct umbra_options o;
	char errs[OPTIONS_ERR_MAX];

	(void)state;
	assert_int_equal(parse("  backend=svm\tloglevel=debug debug_exit=on serial=com2 baud=9600 crash=pf  ",
			       &o, errs), 0);
	assert_int_equal(o.backend, BACKEND_SVM);
	assert_int_equal(o.loglevel, LOG_DEBUG);
	assert_true(o.debug_exit);
	assert_int_equal(o.serial_base, 0x2f8);
	assert_int_equal(o.baud, 9600);
	assert_int_equal(o.crash, CRASH_PF);

	assert_int_equal(parse("backend=vmx loglevel=0 serial=0x3e8 debug_exit=off crash=panic", &o, errs), 0);
	assert_int_equal(o.backend, BACKEND_VMX);
	assert_int_equal(o.loglevel, LOG_ERR);
	assert_int_equal(o.serial_base, 0x3e8);
	assert_false(o.debug_exit);
	assert_int_equal(o.crash, CRASH_PANIC);

	assert_int_equal(parse("guest_mem=128M", &o, errs), 0);
	assert_int_equal(o.guest_mem, 128ULL << 20);
	assert_int_equal(parse("guest_mem=2G", &o, errs), 0);
	assert_int_equal(o.guest_mem, 2ULL << 30);
	assert_int_equal(parse("guest_mem=8388608", &o, errs), 0);
	assert_int_equal(o.guest_mem, 8ULL << 20);
	assert_int_equal(parse("guest_mem=1M guest_mem=65G guest_mem=4097K guest_mem=M guest_mem=12X", &o, errs), 5);
	assert_int_equal(o.guest_mem, 64ULL << 20);

	assert_int_equal(parse("audit=exit", &o, errs), 0);
	assert_true(o.audit_at_exit);
	assert_int_equal(parse("audit=sometimes", &o, errs), 1);
	assert_false(o.audit_at_exit);

	assert_int_equal(o.mmu, MMU_MODE_SHADOW);
	assert_int_equal(parse("mmu=tdp", &o, errs), 0);
	assert_int_equal(o.mmu, MMU_MODE_TDP);
	assert_int_equal(parse("mmu=ept", &o, errs), 1);
	assert_int_equal(o.mmu, MMU_MODE_SHADOW);
	assert_int_equal(parse("mmu=shadow", &o, errs), 0);
	assert_int_equal(o.mmu, MMU_MODE_SHADOW);

	assert_int_equal(parse("serial=none crash=ud", &o, errs), 0);
	assert_int_equal(o.serial_base, 0);
	assert_int_equal(o.crash, CRASH_UD);
}

static void test_later_option_wins(void **state)
{
	struct umbra_options o;
	char errs[OPTIONS_ERR_MAX];

	(void)state;
	assert_int_equal(parse("backend=svm backend=vmx", &o, errs), 0);
	assert_int_equal(o.backend, BACKEND_VMX);
}

static void test_unknown_and_bad_values(void **state)
{
	struct umbra_options o;
	char errs[OPTIONS_ERR_MAX];

	(void)state;
	assert_int_equal(parse("bogus=1 loglevel=loud backend= baud=7 baud=0 serial=0x10000 serial=0 "
			       "loglevel=4 loglevel=0x debug_exit=maybe", &o, errs), 10);
	assert_non_null(strstr(errs, "unknown option \"bogus\"\n"));
	assert_non_null(strstr(errs, "bad value \"loud\" for loglevel"));
	assert_non_null(strstr(errs, "bad value \"\" for backend"));
	assert_non_null(strstr(errs, "bad value \"7\" for baud"));
	assert_non_null(strstr(errs, "bad value \"maybe\" for debug_exit"));
	/* Bad values leave the defaults in place. */
	assert_int_equal(o.loglevel, LOG_INFO);
	assert_int_equal(o.backend, BACKEND_AUTO);
	assert_int_equal(o.baud, 115200);
	assert_int_equal(o.serial_base, 0x3f8);
	assert_false(o.debug_exit);
}

static void test_flag_without_value_is_a_bad_value(void **state)
{
	struct umbra_options o;
	char errs[OPTIONS_ERR_MAX];

	(void)state;
	assert_int_equal(parse("debug_exit", &o, errs), 1);
	assert_non_null(strstr(errs, "bad value \"\" for debug_exit"));
}

static void test_overflowing_numbers(void **state)
{
	struct umbra_options o;
	char errs[OPTIONS_ERR_MAX];

	(void)state;
	assert_int_equal(parse("baud=99999999999999999999999 serial=0xffffffffffffffffff", &o, errs), 2);
	assert_int_equal(o.baud, 115200);
}

static void test_long_word_and_error_overflow(void **state)
{
	struct umbra_options o;
	char errs[40];
	char line[4096];

	(void)state;
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	options_set_defaults(&o);
	assert_int_equal(options_parse(line, &o, errs, sizeof(errs)), 1);
	assert_true(strlen(errs) < sizeof(errs));

	/* Many problems into a small buffer: counted, buffer stays terminated. */
	options_set_defaults(&o);
	assert_int_equal(options_parse("a b c d e f g h i j k l m n o p", &o, errs, sizeof(errs)), 16);
	assert_true(strlen(errs) < sizeof(errs));
	assert_int_equal(options_parse("", &o, errs, 0), 0);
}

static void test_help_lines(void **state)
{
	unsigned n = 0;

	(void)state;
	while (options_help(n))
		assert_non_null(strchr(options_help(n++), '='));
	assert_int_equal(n, 10);
}

static void test_shadow_mem(void **state)
{
	struct umbra_options o;
	char errs[256];

	(void)state;
	options_set_defaults(&o);
	assert_int_equal(o.shadow_mem, 0);	/* 0: sized from host memory */
	assert_int_equal(options_parse("shadow_mem=256K", &o, errs, sizeof(errs)), 0);
	assert_int_equal(o.shadow_mem, 256ULL << 10);
	assert_int_equal(options_parse("shadow_mem=2G", &o, errs, sizeof(errs)), 0);
	assert_int_equal(o.shadow_mem, 2ULL << 30);
	assert_int_equal(options_parse("shadow_mem=128K shadow_mem=65G shadow_mem=5K", &o, errs,
				       sizeof(errs)), 3);
	assert_non_null(strstr(errs, "bad value \"128K\" for shadow_mem (expected a size from "
				     "256K to 64G"));
	assert_int_equal(o.shadow_mem, 2ULL << 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_shadow_mem),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_later_option_wins),
		cmocka_unit_test(test_unknown_and_bad_values),
		cmocka_unit_test(test_flag_without_value_is_a_bad_value),
		cmocka_unit_test(test_overflowing_numbers),
		cmocka_unit_test(test_long_word_and_error_overflow),
		cmocka_unit_test(test_help_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
