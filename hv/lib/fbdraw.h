/* Drawing PSF glyphs into a linear framebuffer (pure: the framebuffer is any memory). */
#ifndef SABLE_HV_LIB_FBDRAW_H
#define SABLE_HV_LIB_FBDRAW_H

#include "hv/lib/psf.h"
#include "types.h"

struct fb_surface {
	uint8_t *base;
	uint32_t pitch; /* bytes per scan line */
	uint32_t width, height;
	uint32_t bpp; /* 32, 24 or 16 */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

/* Returns 0 if the surface can be drawn on (bpp 16/24/32, pitch holds a line,
 * colour fields inside the pixel), else -EINVAL. */
int fb_check(const struct fb_surface *fb);

/* The pixel value for an 8-bit-per-channel colour. */
uint32_t fb_rgb(const struct fb_surface *fb, uint8_t r, uint8_t g, uint8_t b);

/* Text cells that fit: width / font width by height / font height. */
uint32_t fb_cols(const struct fb_surface *fb, const struct psf_font *f);
uint32_t fb_rows(const struct fb_surface *fb, const struct psf_font *f);

/* Draws ch at text cell (col, row): set glyph bits in fg, others in bg. Cells
 * outside the surface are not drawn. */
void fb_draw_char(const struct fb_surface *fb, const struct psf_font *f, uint32_t col, uint32_t row,
                  unsigned char ch, uint32_t fg, uint32_t bg);

#endif
