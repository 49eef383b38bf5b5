/* The framebuffer text console: glyph drawing, the cursor, and wrapping to the top. */
#include "arch/fbcon.h"
#include "arch/font.h"

#define TAB_STOP	8

/* The value of a colour (8 bits a channel) in the framebuffer's pixel layout. */
static uint32_t fb_colour(const struct fb_info *fb, uint8_t r, uint8_t g, uint8_t b)
{
	uint32_t v = 0;

	v |= (uint32_t)(r >> (8 - fb->red_size)) << fb->red_pos;
	v |= (uint32_t)(g >> (8 - fb->green_size)) << fb->green_pos;
	v |= (uint32_t)(b >> (8 - fb->blue_size)) << fb->blue_pos;
	return v;
}

static void put_pixel(struct fbcon *con, unsigned x, unsigned y, uint32_t v)
{
	uint8_t *p = con->base + (uint64_t)y * con->fb.pitch + (uint64_t)x * (con->fb.bpp / 8);

	switch (con->fb.bpp) {
	case 32:
		*(volatile uint32_t *)p = v;
		break;
	case 24:
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		break;
	default:
		*(volatile uint16_t *)p = (uint16_t)v;
		break;
	}
}

static void draw_glyph(struct fbcon *con, unsigned col, unsigned row, unsigned char c)
{
	const uint8_t *g = con->font[c < FONT_GLYPHS && c >= 0x20 && c < 0x7f ? c : '?'];

	for (unsigned y = 0; y < FONT_HEIGHT; y++)
		for (unsigned x = 0; x < FONT_WIDTH; x++)
			put_pixel(con, col * FONT_WIDTH + x, row * FONT_HEIGHT + y,
				  (g[y] & (0x80 >> x)) ? con->fg : con->bg);
}

static void clear_row(struct fbcon *con, unsigned row)
{
	for (unsigned y = 0; y < FONT_HEIGHT; y++)
		for (unsigned x = 0; x < con->cols * FONT_WIDTH; x++)
			put_pixel(con, x, row * FONT_HEIGHT + y, con->bg);
}

/* Moves to the start of the next line, wrapping from the bottom to the top. */
static void new_line(struct fbcon *con)
{
	con->col = 0;
	con->row = (con->row + 1) % con->rows;
	con->line_fresh = false;
}

/* Before the first character of a line: clear it, and the next one as the end marker. */
static void prepare_line(struct fbcon *con)
{
	if (con->line_fresh)
		return;
	clear_row(con, con->row);
	if (con->rows > 1)
		clear_row(con, (con->row + 1) % con->rows);
	con->line_fresh = true;
}

bool fbcon_init(struct fbcon *con, void *base, const struct fb_info *fb,
		const uint8_t (*font)[16])
{
	if ((fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32) || fb->width < FONT_WIDTH ||
	    fb->height < FONT_HEIGHT || fb->red_size > 8 || fb->green_size > 8 ||
	    fb->blue_size > 8 || fb->pitch < fb->width * (fb->bpp / 8))
		return false;
	con->base = base;
	con->fb = *fb;
	con->font = font;
	con->cols = fb->width / FONT_WIDTH;
	con->rows = fb->height / FONT_HEIGHT;
	con->col = con->row = 0;
	con->fg = fb_colour(fb, 0xc0, 0xc0, 0xc0);
	con->bg = fb_colour(fb, 0, 0, 0);
	for (unsigned r = 0; r < con->rows; r++)
		clear_row(con, r);
	con->line_fresh = true;
	return true;
}

void fbcon_write(void *ctx, const char *s, unsigned long len)
{
	struct fbcon *con = ctx;

	for (unsigned long i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n') {
			prepare_line(con);	/* an empty line is cleared too */
			new_line(con);
			continue;
		}
		if (c == '\r') {
			con->col = 0;
			continue;
		}
		prepare_line(con);
		if (c == '\t') {
			do
				draw_glyph(con, con->col++, con->row, ' ');
			while (con->col % TAB_STOP && con->col < con->cols);
		} else {
			draw_glyph(con, con->col++, con->row, c);
		}
		if (con->col >= con->cols)
			new_line(con);
	}
}
