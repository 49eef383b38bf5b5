/* Umbra's built-in console font: 8x16 glyphs for printable ASCII, one byte a row, MSB left. */
#ifndef UMBRA_ARCH_FONT_H
#define UMBRA_ARCH_FONT_H

#include <stdint.h>

#define FONT_WIDTH	8
#define FONT_HEIGHT	16
#define FONT_GLYPHS	128	/* indexed by ASCII code; only 0x20-0x7e are drawn */

/* Generated at build time from a Debian console font (tools/mkfont.py; build/font8x16.c). */
extern const uint8_t font8x16[FONT_GLYPHS][FONT_HEIGHT];

#endif
