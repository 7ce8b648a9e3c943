/* Unit tests for hv/lib/fbdraw.c: glyphs drawn into fake framebuffers of 32, 24 and 16 bpp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "hv/lib/fbdraw.h"

#define W     40 /* pixels: 5 cells of 8 */
#define H     32 /* pixels: 2 cells of 16 */
#define GLYPH 'A'

/* An 8x16 PSF1 font whose 'A' is a diagonal (row y is 0x80 >> (y % 8)), the rest blank. */
static uint8_t font_img[4 + 256 * 16];
static struct psf_font font;

static uint8_t row_bits(uint32_t y)
{
	return (uint8_t)(0x80 >> (y % 8));
}

static void make_font(void)
{
	font_img[0] = 0x36;
	font_img[1] = 0x04;
	font_img[3] = 16;
	for (uint32_t y = 0; y < 16; y++)
		font_img[4 + GLYPH * 16 + y] = row_bits(y);
	assert_int_equal(psf_parse(font_img, sizeof(font_img), &font), 0);
}

static uint32_t pixel(const struct fb_surface *fb, uint32_t x, uint32_t y)
{
	const uint8_t *p = fb->base + (size_t)y * fb->pitch + (size_t)x * (fb->bpp / 8);

	if (fb->bpp == 32)
		return *(const uint32_t *)p;
	if (fb->bpp == 16)
		return *(const uint16_t *)p;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

/* Draws 'A' at cell (2, 1) and checks every pixel of the surface: the cell holds
 * the glyph in fg on bg, everything else keeps the fill value. */
static void check_glyph_at(uint32_t bpp, uint32_t pitch_pad)
{
	uint32_t bytes = bpp / 8, pitch = W * bytes + pitch_pad;
	uint8_t *mem = malloc((size_t)pitch * H);
	struct fb_surface fb = {mem, pitch, W, H, bpp, 16, 8, 8, 8, 0, 8};
	uint32_t fg, bg, fill;

	if (bpp == 16)
		fb = (struct fb_surface){mem, pitch, W, H, bpp, 11, 5, 5, 6, 0, 5};
	assert_non_null(mem);
	memset(mem, 0x5a, (size_t)pitch * H);
	fill = pixel(&fb, 0, 0);
	assert_int_equal(fb_check(&fb), 0);
	assert_int_equal(fb_cols(&fb, &font), 5);
	assert_int_equal(fb_rows(&fb, &font), 2);
	fg = fb_rgb(&fb, 0xff, 0xff, 0xff);
	bg = fb_rgb(&fb, 0, 0, 0x80);
	fb_draw_char(&fb, &font, 2, 1, GLYPH, fg, bg);
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			uint32_t want = fill;

			if (x >= 16 && x < 24 && y >= 16)
				want = (row_bits(y - 16) & (0x80 >> (x - 16))) ? fg : bg;
			assert_int_equal(pixel(&fb, x, y), want);
		}
	/* the pitch padding is never written */
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t i = W * bytes; i < pitch; i++)
			assert_int_equal(mem[(size_t)y * pitch + i], 0x5a);
	free(mem);
}

static void test_glyph_32bpp(void **state)
{
	make_font();
	check_glyph_at(32, 0);
	check_glyph_at(32, 24);
}

static void test_glyph_24bpp(void **state)
{
	make_font();
	check_glyph_at(24, 3);
}

static void test_glyph_16bpp(void **state)
{
	make_font();
	check_glyph_at(16, 2);
}

static void test_colours(void **state)
{
	struct fb_surface x8r8g8b8 = {(uint8_t *)4, 4, 1, 1, 32, 16, 8, 8, 8, 0, 8};
	struct fb_surface x8b8g8r8 = {(uint8_t *)4, 4, 1, 1, 32, 0, 8, 8, 8, 16, 8};
	struct fb_surface r5g6b5 = {(uint8_t *)4, 2, 1, 1, 16, 11, 5, 5, 6, 0, 5};

	assert_int_equal(fb_rgb(&x8r8g8b8, 0x12, 0x34, 0x56), 0x123456);
	assert_int_equal(fb_rgb(&x8b8g8r8, 0x12, 0x34, 0x56), 0x563412);
	assert_int_equal(fb_rgb(&r5g6b5, 0xff, 0xff, 0xff), 0xffff);
	assert_int_equal(fb_rgb(&r5g6b5, 0x80, 0, 0), 0x8000);
}

/* A cell past the surface draws nothing; a partial last column or row is never used. */
static void test_outside_cells(void **state)
{
	uint32_t mem[44 * 20];
	struct fb_surface fb = {(uint8_t *)mem, 44 * 4, 44, 20, 32, 16, 8, 8, 8, 0, 8};

	make_font();
	memset(mem, 0x77, sizeof(mem));
	assert_int_equal(fb_cols(&fb, &font), 5);
	assert_int_equal(fb_rows(&fb, &font), 1);
	fb_draw_char(&fb, &font, 5, 0, GLYPH, 1, 2);
	fb_draw_char(&fb, &font, 0, 1, GLYPH, 1, 2);
	fb_draw_char(&fb, &font, 0xffffffffu, 0xffffffffu, GLYPH, 1, 2);
	for (size_t i = 0; i < ARRAY_SIZE(mem); i++)
		assert_int_equal(mem[i], 0x77777777u);
}

static void test_bad_surfaces(void **state)
{
	uint32_t mem[64];
	const struct fb_surface good = {(uint8_t *)mem, 32, 8, 8, 32, 16, 8, 8, 8, 0, 8};
	struct fb_surface fb;

	assert_int_equal(fb_check(&good), 0);
	fb = good, fb.base = NULL;
	assert_int_equal(fb_check(&fb), -EINVAL);
	fb = good, fb.bpp = 8;
	assert_int_equal(fb_check(&fb), -EINVAL);
	fb = good, fb.pitch = 28; /* shorter than a line */
	assert_int_equal(fb_check(&fb), -EINVAL);
	fb = good, fb.pitch = 34; /* not whole pixels */
	assert_int_equal(fb_check(&fb), -EINVAL);
	fb = good, fb.width = 0;
	assert_int_equal(fb_check(&fb), -EINVAL);
	fb = good, fb.red_pos = 28; /* field past the pixel */
	assert_int_equal(fb_check(&fb), -EINVAL);
	fb = good, fb.blue_size = 9;
	assert_int_equal(fb_check(&fb), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glyph_32bpp),   cmocka_unit_test(test_glyph_24bpp),
		cmocka_unit_test(test_glyph_16bpp),   cmocka_unit_test(test_colours),
		cmocka_unit_test(test_outside_cells), cmocka_unit_test(test_bad_surfaces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
