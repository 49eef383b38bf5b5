/* Host unit tests for the umbra.cfg parser (boot/efi/uefi_cfg.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "boot/efi/uefi_cfg.h"

static struct umbra_cfg cfg;
static char err[UCFG_ERR_MAX];

static int parse(const char *text)
{
	err[0] = '\0';
	return ucfg_parse(text, strlen(text), &cfg, err, sizeof(err));
}

/* The text must be refused with exactly this message. */
static void refused(const char *text, const char *why)
{
	assert_int_equal(parse(text), -1);
	assert_string_equal(err, why);
}

static void test_empty_file_gives_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_string_equal(cfg.kernel, "\\EFI\\umbra\\umbra.elf");
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(cfg.module_count, 0);
	assert_false(cfg.have_guest);
}

static void test_full_config(void **state)
{
	(void)state;
	assert_int_equal(parse("# Umbra on a stick\r\n"
			       "\n"
			       "   kernel /EFI/umbra/umbra.elf\r\n"
			       "cmdline  debug_exit=on   loglevel=info  \r\n"
			       "guest demo.elf demo  quiet\n"
			       "\tmodule \\data\\blob.bin  blob one\n"
			       "module initrd.img"), 0);
	assert_string_equal(cfg.kernel, "\\EFI\\umbra\\umbra.elf");
	assert_string_equal(cfg.cmdline, "debug_exit=on   loglevel=info");
	assert_int_equal(cfg.module_count, 3);
	assert_true(cfg.have_guest);
	assert_string_equal(cfg.modules[0].path, "\\EFI\\umbra\\demo.elf");
	assert_string_equal(cfg.modules[0].string, "guest demo  quiet");
	assert_string_equal(cfg.modules[1].path, "\\data\\blob.bin");
	assert_string_equal(cfg.modules[1].string, "blob one");
	assert_string_equal(cfg.modules[2].path, "\\EFI\\umbra\\initrd.img");
	assert_string_equal(cfg.modules[2].string, "");
}

static void test_guest_without_arguments(void **state)
{
	(void)state;
	assert_int_equal(parse("guest \\g.elf\n"), 0);
	assert_string_equal(cfg.modules[0].string, "guest");
}

static void test_malformed_lines(void **state)
{
	(void)state;
	refused("cmdline a\nmodul x.bin\n", "umbra.cfg line 2: unknown directive \"modul\" "
		"(expected kernel, cmdline, guest or module)");
	refused("guest\n", "umbra.cfg line 1: guest needs a file path");
	refused("module   \n", "umbra.cfg line 1: module needs a file path");
	refused("kernel\n", "umbra.cfg line 1: kernel needs a file path");
	refused("kernel a.elf debug\n", "umbra.cfg line 1: kernel takes only a path (Umbra's "
		"options go on a cmdline line)");
	refused("guest a.elf\nguest b.elf\n", "umbra.cfg line 2: a second guest line (only one "
		"is allowed)");
	refused("cmdline a\ncmdline b\n", "umbra.cfg line 2: a second cmdline line (only one is "
		"allowed)");
	refused("kernel a\nkernel b\n", "umbra.cfg line 2: a second kernel line (only one is "
		"allowed)");
	refused("cmdline caf\xc3\xa9\n", "umbra.cfg line 1: byte 0xc3 at column 12 is not "
		"printable ASCII");
}

static void test_nul_inside_counts_as_text(void **state)
{
	const char text[] = "cmdline a\0b";

	(void)state;
	assert_int_equal(ucfg_parse(text, sizeof(text) - 1, &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, "umbra.cfg line 1: byte 0x00 at column 10 is not printable ASCII");
}

static void test_limits(void **state)
{
	char text[4096];
	size_t n = 0;

	(void)state;
	for (unsigned i = 0; i < UCFG_MAX_MODULES; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "module m%u.bin\n", i);
	assert_int_equal(parse(text), 0);
	assert_int_equal(cfg.module_count, UCFG_MAX_MODULES);
	snprintf(text + n, sizeof(text) - n, "module one-too-many.bin\n");
	refused(text, "umbra.cfg line 17: more than 16 modules");

	memset(text, 'a', sizeof(text));
	memcpy(text, "module ", 7);
	text[7 + UCFG_PATH_MAX] = '\0';
	refused(text, "umbra.cfg line 1: path is longer than 159 characters");
	memset(text, 'b', sizeof(text));
	text[UCFG_LINE_MAX + 1] = '\0';
	refused(text, "umbra.cfg line 1: longer than 512 characters");
	memcpy(text, "cmdline ", 8);
	text[8 + UCFG_STRING_MAX] = '\0';
	refused(text, "umbra.cfg line 1: command line is longer than 383 characters");
}

static void test_too_large(void **state)
{
	static char big[UCFG_MAX_SIZE + 1];

	(void)state;
	memset(big, '\n', sizeof(big));
	assert_int_equal(ucfg_parse(big, sizeof(big), &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, "umbra.cfg: 65537 bytes is larger than the 65536 allowed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_file_gives_defaults),
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_guest_without_arguments),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_nul_inside_counts_as_text),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_too_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
