/* A text console on a linear framebuffer: the built-in 8x16 font, white on black. */
#ifndef UMBRA_ARCH_FBCON_H
#define UMBRA_ARCH_FBCON_H

#include <stdbool.h>
#include <stdint.h>

/* A direct-colour framebuffer (Multiboot2 spec 3.6.12, type 1): where and how pixels lie. */
struct fb_info {
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp;				/* 16, 24 or 32 are drawn */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

/*
 * The console. Text fills the screen top to bottom; at the bottom it goes on at the top again,
 * clearing the line it is about to write and the one after it, which stays blank to show where
 * the newest text ends. It never scrolls: a scroll rewrites the whole framebuffer per line,
 * which is slow on uncached video memory.
 */
struct fbcon {
	uint8_t *base;
	struct fb_info fb;
	const uint8_t (*font)[16];
	unsigned cols, rows, col, row;
	uint32_t fg, bg;			/* pixel values, in the framebuffer's layout */
	bool line_fresh;			/* the cursor's line has been cleared */
};

/*
 * Sets up con on the framebuffer fb mapped at base, drawing with font (FONT_GLYPHS glyphs)
 * and clears the screen. Returns false (con unusable) for a depth other than 16, 24 or 32
 * bits, or a screen smaller than one character.
 */
bool fbcon_init(struct fbcon *con, void *base, const struct fb_info *fb,
		const uint8_t (*font)[16]);

/* Writes len bytes: printable ASCII, '\n' (new line), '\r', '\t' (to a multiple of 8);
 * other bytes draw as '?'. A log_sink (lib/printk.h): ctx is the struct fbcon. */
void fbcon_write(void *ctx, const char *s, unsigned long len);

#endif
