/* PC Screen Font parser (pure): PSF1 and PSF2 console fonts, as kbd and console-setup ship them. */
#ifndef SABLE_HV_LIB_PSF_H
#define SABLE_HV_LIB_PSF_H

#include "types.h"

#define PSF_MAX_WIDTH  32
#define PSF_MAX_HEIGHT 64

struct psf_font {
	const uint8_t *glyphs; /* count glyphs of bytes_per_glyph bytes each */
	uint32_t count;
	uint32_t width, height;
	uint32_t bytes_per_row; /* (width + 7) / 8: rows are padded to whole bytes, MSB leftmost */
	uint32_t bytes_per_glyph;
	uint16_t
		ascii[128]; /* glyph index for each ASCII code (the Unicode table's, or identity) */
};

/*
 * Parses a font image of len bytes. Returns 0, or -EINVAL for a bad magic, a
 * header or glyph table running past len, a glyph size that does not match
 * width x height, no glyphs, or a width or height above PSF_MAX_*. The Unicode
 * table, when present, maps ASCII codes to glyphs; a code it does not name
 * draws the glyph for '?' (or glyph 0). *f points into data.
 */
int psf_parse(const void *data, size_t len, struct psf_font *f);

/* The glyph rows for character c (ASCII; anything else draws as '?'). */
const uint8_t *psf_glyph(const struct psf_font *f, unsigned char c);

#endif
