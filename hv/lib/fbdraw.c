#include "hv/lib/fbdraw.h"
#include "err.h"

static bool field_fits(uint8_t pos, uint8_t size, uint32_t bpp)
{
	return size <= 8 && (uint32_t)pos + size <= bpp;
}

int fb_check(const struct fb_surface *fb)
{
	if (fb->base == NULL || fb->width == 0 || fb->height == 0)
		return -EINVAL;
	if (fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32)
		return -EINVAL;
	if ((uint64_t)fb->width * (fb->bpp / 8) > fb->pitch)
		return -EINVAL;
	if (fb->bpp != 24 && ((uintptr_t)fb->base % (fb->bpp / 8) || fb->pitch % (fb->bpp / 8)))
		return -EINVAL; /* pixels are stored whole */
	if (!field_fits(fb->red_pos, fb->red_size, fb->bpp) ||
	    !field_fits(fb->green_pos, fb->green_size, fb->bpp) ||
	    !field_fits(fb->blue_pos, fb->blue_size, fb->bpp))
		return -EINVAL;
	return 0;
}

/* An 8-bit channel value scaled to a field of size bits at pos. */
static uint32_t channel(uint8_t v, uint8_t pos, uint8_t size)
{
	return size ? (uint32_t)(v >> (8 - size)) << pos : 0;
}

uint32_t fb_rgb(const struct fb_surface *fb, uint8_t r, uint8_t g, uint8_t b)
{
	return channel(r, fb->red_pos, fb->red_size) | channel(g, fb->green_pos, fb->green_size) |
	       channel(b, fb->blue_pos, fb->blue_size);
}

uint32_t fb_cols(const struct fb_surface *fb, const struct psf_font *f)
{
	return fb->width / f->width;
}

uint32_t fb_rows(const struct fb_surface *fb, const struct psf_font *f)
{
	return fb->height / f->height;
}

static void put_pixel(uint8_t *p, uint32_t bpp, uint32_t v)
{
	if (bpp == 32)
		*(volatile uint32_t *)p = v;
	else if (bpp == 16)
		*(volatile uint16_t *)p = (uint16_t)v;
	else {
		((volatile uint8_t *)p)[0] = (uint8_t)v;
		((volatile uint8_t *)p)[1] = (uint8_t)(v >> 8);
		((volatile uint8_t *)p)[2] = (uint8_t)(v >> 16);
	}
}

void fb_draw_char(const struct fb_surface *fb, const struct psf_font *f, uint32_t col, uint32_t row,
                  unsigned char ch, uint32_t fg, uint32_t bg)
{
	const uint8_t *glyph = psf_glyph(f, ch);
	uint32_t bytes = fb->bpp / 8;

	if (col >= fb_cols(fb, f) || row >= fb_rows(fb, f))
		return;
	for (uint32_t y = 0; y < f->height; y++) {
		const uint8_t *bits = glyph + (size_t)y * f->bytes_per_row;
		uint8_t *line = fb->base + (size_t)(row * f->height + y) * fb->pitch +
		                (size_t)col * f->width * bytes;

		for (uint32_t x = 0; x < f->width; x++) {
			bool on = bits[x / 8] & (0x80 >> (x % 8));

			put_pixel(line + (size_t)x * bytes, fb->bpp, on ? fg : bg);
		}
	}
}
