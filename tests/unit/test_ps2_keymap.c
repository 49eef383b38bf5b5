/* Host unit tests for the PS/2 scan code translation (arch/ps2_keymap.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "arch/ps2_keymap.h"

static struct ps2_keymap km;

/* Feeds scan codes; returns what they typed as a string. */
static const char *type(const uint8_t *sc, size_t n)
{
	static char out[64];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		int c = ps2_keymap_feed(&km, sc[i]);

		if (c >= 0)
			out[k++] = (char)c;
	}
	out[k] = '\0';
	return out;
}

#define TYPE(...) type((const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static int setup(void **state)
{
	(void)state;
	memset(&km, 0, sizeof(km));
	return 0;
}

static void test_letters_digits_enter(void **state)
{
	(void)state;
	/* "help 1", Enter, with every key released again */
	assert_string_equal(TYPE(0x23, 0xa3, 0x12, 0x92, 0x26, 0xa6, 0x19, 0x99, 0x39, 0xb9,
				 0x02, 0x82, 0x1c, 0x9c), "help 1\r");
}

static void test_shift_and_caps(void **state)
{
	(void)state;
	assert_string_equal(TYPE(0x2a, 0x23, 0xa3, 0x02, 0x82, 0xaa, 0x23, 0xa3), "H!h");
	assert_string_equal(TYPE(0x3a, 0xba, 0x1e, 0x9e, 0x02, 0x82, 0x3a, 0xba, 0x1e), "A1a");
}

static void test_ctrl_a_c(void **state)
{
	(void)state;
	/* Ctrl-A c: the console mux's escape to the monitor; right Ctrl is 0xe0 0x1d */
	assert_string_equal(TYPE(0x1d, 0x1e, 0x9e, 0x9d, 0x2e, 0xae), "\x01" "c");
	assert_string_equal(TYPE(0xe0, 0x1d, 0x1e, 0xe0, 0x9d, 0x1e), "\x01" "a");
}

static void test_ignored(void **state)
{
	(void)state;
	/* arrows (0xe0 0x48), the fake shift 0xe0 0x2a, F1 (0x3b), releases alone */
	assert_string_equal(TYPE(0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x2a, 0x1e, 0x3b, 0xbb, 0x9e), "a");
	assert_string_equal(TYPE(0x0e, 0x8e), "\x7f");	/* Backspace is DEL */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_letters_digits_enter, setup),
		cmocka_unit_test_setup(test_shift_and_caps, setup),
		cmocka_unit_test_setup(test_ctrl_a_c, setup),
		cmocka_unit_test_setup(test_ignored, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
