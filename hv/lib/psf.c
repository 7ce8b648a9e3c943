/* PC Screen Font parser: the PSF1 and PSF2 layouts as documented with kbd
 * (font-formats, "The PSF font format"). */
#include "hv/lib/psf.h"
#include "err.h"
#include "le.h"

#define PSF1_MAGIC0     0x36
#define PSF1_MAGIC1     0x04
#define PSF1_HDR        4
#define PSF1_MODE512    0x01
#define PSF1_MODEHASTAB 0x02
#define PSF1_MODESEQ    0x04
#define PSF1_SEPARATOR  0xffff
#define PSF1_STARTSEQ   0xfffe

#define PSF2_MAGIC     0x864ab572u
#define PSF2_HDR       32
#define PSF2_HAS_TABLE 0x01
#define PSF2_SEPARATOR 0xff
#define PSF2_STARTSEQ  0xfe

#define NO_GLYPH 0xffff

static void map_glyph(struct psf_font *f, uint32_t cp, uint32_t glyph)
{
	if (cp < ARRAY_SIZE(f->ascii) && f->ascii[cp] == NO_GLYPH)
		f->ascii[cp] = (uint16_t)glyph;
}

/* PSF1 table: per glyph, u16 code points, then optional sequences after
 * 0xfffe, ended by 0xffff. Only single code points before any sequence count. */
static void psf1_table(struct psf_font *f, const uint8_t *p, const uint8_t *end)
{
	uint32_t glyph = 0;
	bool in_seq = false;

	for (; end - p >= 2 && glyph < f->count; p += 2) {
		uint16_t v = le16(p);

		if (v == PSF1_SEPARATOR) {
			glyph++;
			in_seq = false;
		} else if (v == PSF1_STARTSEQ)
			in_seq = true;
		else if (!in_seq)
			map_glyph(f, v, glyph);
	}
}

/* PSF2 table: per glyph, UTF-8 code points, sequences after 0xfe, ended by
 * 0xff. Only one-byte (ASCII) code points matter here; longer ones are skipped. */
static void psf2_table(struct psf_font *f, const uint8_t *p, const uint8_t *end)
{
	uint32_t glyph = 0;
	bool in_seq = false;

	for (; p < end && glyph < f->count; p++) {
		if (*p == PSF2_SEPARATOR) {
			glyph++;
			in_seq = false;
		} else if (*p == PSF2_STARTSEQ)
			in_seq = true;
		else if (!in_seq && *p < 0x80)
			map_glyph(f, *p, glyph);
	}
}

/* Checks the geometry and that hdr + count glyphs fit in len. */
static int set_geometry(struct psf_font *f, const uint8_t *base, size_t len, size_t hdr,
                        uint32_t count, uint32_t charsize, uint32_t width, uint32_t height)
{
	if (count == 0 || width == 0 || height == 0 || width > PSF_MAX_WIDTH ||
	    height > PSF_MAX_HEIGHT)
		return -EINVAL;
	f->width = width;
	f->height = height;
	f->bytes_per_row = (width + 7) / 8;
	f->bytes_per_glyph = f->bytes_per_row * height;
	if (charsize != f->bytes_per_glyph || hdr > len ||
	    (uint64_t)count * charsize > (uint64_t)(len - hdr))
		return -EINVAL;
	f->count = count;
	f->glyphs = base + hdr;
	return 0;
}

static void finish_map(struct psf_font *f, bool had_table)
{
	uint16_t fallback;

	for (uint32_t c = 0; c < ARRAY_SIZE(f->ascii); c++)
		if (!had_table && c < f->count)
			f->ascii[c] = (uint16_t)c;
	fallback = f->ascii['?'] != NO_GLYPH ? f->ascii['?'] : 0;
	for (uint32_t c = 0; c < ARRAY_SIZE(f->ascii); c++)
		if (f->ascii[c] == NO_GLYPH)
			f->ascii[c] = fallback;
}

static int parse_psf1(const uint8_t *p, size_t len, struct psf_font *f)
{
	uint8_t mode = p[2];
	uint32_t count = (mode & PSF1_MODE512) ? 512 : 256;
	bool table = (mode & (PSF1_MODEHASTAB | PSF1_MODESEQ)) != 0;

	if (set_geometry(f, p, len, PSF1_HDR, count, p[3], 8, p[3]) < 0)
		return -EINVAL;
	if (table)
		psf1_table(f, f->glyphs + (size_t)count * f->bytes_per_glyph, p + len);
	finish_map(f, table);
	return 0;
}

static int parse_psf2(const uint8_t *p, size_t len, struct psf_font *f)
{
	uint32_t hdr, flags, count, charsize, height, width;
	bool table;

	if (len < PSF2_HDR)
		return -EINVAL;
	hdr = le32(p + 8);
	flags = le32(p + 12);
	count = le32(p + 16);
	charsize = le32(p + 20);
	height = le32(p + 24);
	width = le32(p + 28);
	if (hdr < PSF2_HDR || count > 0x10000 ||
	    set_geometry(f, p, len, hdr, count, charsize, width, height) < 0)
		return -EINVAL;
	table = (flags & PSF2_HAS_TABLE) != 0;
	if (table)
		psf2_table(f, f->glyphs + (size_t)count * f->bytes_per_glyph, p + len);
	finish_map(f, table);
	return 0;
}

int psf_parse(const void *data, size_t len, struct psf_font *f)
{
	const uint8_t *p = data;

	*f = (struct psf_font){0};
	for (size_t c = 0; c < ARRAY_SIZE(f->ascii); c++)
		f->ascii[c] = NO_GLYPH;
	if (p == NULL || len < PSF1_HDR)
		return -EINVAL;
	if (p[0] == PSF1_MAGIC0 && p[1] == PSF1_MAGIC1)
		return parse_psf1(p, len, f);
	if (len >= 4 && le32(p) == PSF2_MAGIC)
		return parse_psf2(p, len, f);
	return -EINVAL;
}

const uint8_t *psf_glyph(const struct psf_font *f, unsigned char c)
{
	uint32_t g = c < ARRAY_SIZE(f->ascii) ? f->ascii[c] : f->ascii['?'];

	return f->glyphs + (size_t)g * f->bytes_per_glyph;
}
