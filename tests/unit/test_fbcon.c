/* Host unit tests for the framebuffer text console (arch/fbcon.c), drawing into memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "arch/fbcon.h"
#include "arch/font.h"

#define COLS	10
#define ROWS	3
#define W	(COLS * FONT_WIDTH + 3)		/* a partial column, never drawn */
#define H	(ROWS * FONT_HEIGHT + 5)	/* a partial row, never drawn */
#define PITCH	(W * 4 + 24)			/* padding after each line, never touched */
#define CANARY	0xa5

/* A font whose every row says which glyph and row it is; the blank is blank. */
static uint8_t font[FONT_GLYPHS][FONT_HEIGHT];
static uint8_t screen[H * PITCH];
static struct fbcon con;

/* The framebuffer GOP gives OVMF: 32 bpp, blue in byte 0 (BGRX). */
static const struct fb_info fb32 = {
	.pitch = PITCH, .width = W, .height = H, .bpp = 32,
	.red_pos = 16, .red_size = 8, .green_pos = 8, .green_size = 8, .blue_pos = 0, .blue_size = 8,
};

static int setup(void **state)
{
	(void)state;
	for (unsigned c = 0; c < FONT_GLYPHS; c++)
		for (unsigned y = 0; y < FONT_HEIGHT; y++)
			font[c][y] = c == ' ' ? 0 : (uint8_t)(c * 7 + y * 13 + 1);
	memset(screen, CANARY, sizeof(screen));
	assert_true(fbcon_init(&con, screen, &fb32, (const uint8_t (*)[16])font));
	return 0;
}

static uint32_t pixel(unsigned x, unsigned y)
{
	uint32_t v;

	memcpy(&v, screen + y * PITCH + x * 4, 4);
	return v;
}

/* The cell at (col, row) shows glyph c, pixel by pixel, light grey on black. */
static void assert_cell(unsigned col, unsigned row, unsigned char c)
{
	for (unsigned y = 0; y < FONT_HEIGHT; y++)
		for (unsigned x = 0; x < FONT_WIDTH; x++)
			assert_int_equal(pixel(col * FONT_WIDTH + x, row * FONT_HEIGHT + y),
					 (font[c][y] & (0x80 >> x)) ? 0xc0c0c0u : 0);
}

static void write_str(const char *s)
{
	fbcon_write(&con, s, strlen(s));
}

static void test_geometry_and_clear(void **state)
{
	(void)state;
	assert_int_equal(con.cols, COLS);
	assert_int_equal(con.rows, ROWS);
	for (unsigned r = 0; r < ROWS; r++)
		for (unsigned c = 0; c < COLS; c++)
			assert_cell(c, r, ' ');
	/* Outside the character grid nothing is written. */
	for (unsigned y = 0; y < H; y++) {
		for (unsigned b = COLS * FONT_WIDTH * 4; b < PITCH; b++)
			assert_int_equal(screen[y * PITCH + b], CANARY);
	}
	for (unsigned b = ROWS * FONT_HEIGHT * PITCH; b < sizeof(screen); b++)
		assert_int_equal(screen[b], CANARY);
}

static void test_text_and_lines(void **state)
{
	(void)state;
	write_str("ab\nc\r\x01");
	assert_cell(0, 0, 'a');
	assert_cell(1, 0, 'b');
	assert_cell(2, 0, ' ');
	assert_cell(0, 1, '?');		/* \r went back; \x01 drew '?' over 'c' */
	assert_int_equal(con.row, 1);
	assert_int_equal(con.col, 1);
}

static void test_tab_and_wrap_at_the_right(void **state)
{
	(void)state;
	write_str("x\tyz0123");	/* x, 7 blanks to column 8, y, z; then the next line */
	assert_cell(0, 0, 'x');
	assert_cell(7, 0, ' ');
	assert_cell(8, 0, 'y');
	assert_cell(9, 0, 'z');
	assert_cell(0, 1, '0');
	assert_cell(3, 1, '3');
}

/* At the bottom, text goes on at the top; the line after the newest stays blank. */
static void test_wrap_to_the_top(void **state)
{
	(void)state;
	write_str("one\ntwo\nthree\nfour");
	assert_cell(0, 0, 'f');		/* "four" took the place of "one" */
	assert_cell(3, 0, 'r');
	assert_cell(0, 1, ' ');		/* "two" was cleared: the end marker */
	assert_cell(0, 2, 't');		/* "three" stays */
	assert_cell(4, 2, 'e');
	write_str("\nfive");
	assert_cell(0, 1, 'f');
	assert_cell(0, 2, ' ');
}

static void test_rgb565(void **state)
{
	static const struct fb_info fb16 = {
		.pitch = W * 2, .width = W, .height = H, .bpp = 16,
		.red_pos = 11, .red_size = 5, .green_pos = 5, .green_size = 6,
		.blue_pos = 0, .blue_size = 5,
	};
	uint16_t v;

	(void)state;
	font['#'][0] = 0x80;
	assert_true(fbcon_init(&con, screen, &fb16, (const uint8_t (*)[16])font));
	write_str("#");
	memcpy(&v, screen, 2);
	assert_int_equal(v, (0x18 << 11) | (0x30 << 5) | 0x18);	/* 0xc0 in 5:6:5 */
}

static void test_refused_layouts(void **state)
{
	struct fb_info fb = fb32;

	(void)state;
	fb.bpp = 8;
	assert_false(fbcon_init(&con, screen, &fb, (const uint8_t (*)[16])font));
	fb = fb32;
	fb.height = FONT_HEIGHT - 1;
	assert_false(fbcon_init(&con, screen, &fb, (const uint8_t (*)[16])font));
	fb = fb32;
	fb.pitch = W;		/* shorter than a line of pixels */
	assert_false(fbcon_init(&con, screen, &fb, (const uint8_t (*)[16])font));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_geometry_and_clear, setup),
		cmocka_unit_test_setup(test_text_and_lines, setup),
		cmocka_unit_test_setup(test_tab_and_wrap_at_the_right, setup),
		cmocka_unit_test_setup(test_wrap_to_the_top, setup),
		cmocka_unit_test_setup(test_rgb565, setup),
		cmocka_unit_test_setup(test_refused_layouts, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
