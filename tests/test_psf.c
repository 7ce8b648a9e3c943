/* Unit tests for hv/lib/psf.c: PSF1 and PSF2 fonts built in memory, and broken ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "hv/lib/psf.h"

#define FONT_MAX 65536

struct font {
	uint8_t b[FONT_MAX];
	size_t len;
};

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Glyph g of a font: every row byte is g, so a test can tell glyphs apart. */
static void fill_glyphs(uint8_t *p, uint32_t count, uint32_t size)
{
	for (uint32_t g = 0; g < count; g++)
		memset(p + (size_t)g * size, (int)(g & 0xff), size);
}

/* PSF1, 8x16, 256 glyphs; with a table, glyph 200 is 'A' and glyph 201 '?',
 * glyph 65 is U+00C0 and a sequence (U+0041 U+0300) names glyph 202. */
static void psf1(struct font *f, bool table)
{
	uint8_t *t;

	f->b[0] = 0x36;
	f->b[1] = 0x04;
	f->b[2] = table ? 0x02 : 0x00;
	f->b[3] = 16;
	fill_glyphs(f->b + 4, 256, 16);
	f->len = 4 + 256 * 16;
	if (!table)
		return;
	t = f->b + f->len;
	for (uint32_t g = 0; g < 256; g++) {
		if (g == 200)
			put16(t, 'A'), t += 2;
		if (g == 201)
			put16(t, '?'), t += 2;
		if (g == 65)
			put16(t, 0xc0), t += 2;
		if (g == 202) {
			put16(t, 0xfffe), t += 2;
			put16(t, 'B'), t += 2;
			put16(t, 0x300), t += 2;
		}
		put16(t, 0xffff), t += 2;
	}
	f->len = (size_t)(t - f->b);
}

/* PSF2, width x height, count glyphs; with a table, glyph 3 is 'x' and glyph 4
 * is both U+00E9 (two UTF-8 bytes) and 'y'. */
static void psf2(struct font *f, uint32_t count, uint32_t width, uint32_t height, bool table)
{
	uint32_t size = (width + 7) / 8 * height;
	uint8_t *t;

	put32(f->b, 0x864ab572u);
	put32(f->b + 4, 0);
	put32(f->b + 8, 32);
	put32(f->b + 12, table ? 1 : 0);
	put32(f->b + 16, count);
	put32(f->b + 20, size);
	put32(f->b + 24, height);
	put32(f->b + 28, width);
	fill_glyphs(f->b + 32, count, size);
	f->len = 32 + (size_t)count * size;
	if (!table)
		return;
	t = f->b + f->len;
	for (uint32_t g = 0; g < count; g++) {
		if (g == 3)
			*t++ = 'x';
		if (g == 4) {
			*t++ = 0xc3;
			*t++ = 0xa9;
			*t++ = 'y';
		}
		*t++ = 0xff;
	}
	f->len = (size_t)(t - f->b);
}

/* Parses from an exact-size heap copy so ASan catches reads past the end. */
static int parse(const struct font *f, size_t len, struct psf_font *out, uint8_t **keep)
{
	uint8_t *blk = malloc(len ? len : 1);
	int r;

	assert_non_null(blk);
	memcpy(blk, f->b, len);
	r = psf_parse(blk, len, out);
	*keep = blk;
	return r;
}

static void test_psf1_identity(void **state)
{
	static struct font f;
	struct psf_font pf;
	uint8_t *blk;

	psf1(&f, false);
	assert_int_equal(parse(&f, f.len, &pf, &blk), 0);
	assert_int_equal(pf.count, 256);
	assert_int_equal(pf.width, 8);
	assert_int_equal(pf.height, 16);
	assert_int_equal(pf.bytes_per_glyph, 16);
	assert_int_equal(pf.ascii['A'], 'A');
	assert_int_equal(psf_glyph(&pf, 'A')[15], 'A');
	assert_int_equal(psf_glyph(&pf, 0xe9)[0], '?'); /* non-ASCII draws '?' */
	free(blk);
}

static void test_psf1_unicode_table(void **state)
{
	static struct font f;
	struct psf_font pf;
	uint8_t *blk;

	psf1(&f, true);
	assert_int_equal(parse(&f, f.len, &pf, &blk), 0);
	assert_int_equal(pf.ascii['A'], 200);
	assert_int_equal(pf.ascii['?'], 201);
	assert_int_equal(pf.ascii['B'], 201); /* only inside a sequence: fallback '?' */
	assert_int_equal(psf_glyph(&pf, 'A')[0], 200);
	free(blk);
}

static void test_psf1_512_glyphs(void **state)
{
	static struct font f;
	struct psf_font pf;
	uint8_t *blk;

	f.b[0] = 0x36, f.b[1] = 0x04, f.b[2] = 0x01, f.b[3] = 8;
	f.len = 4 + 512 * 8;
	assert_int_equal(parse(&f, f.len, &pf, &blk), 0);
	assert_int_equal(pf.count, 512);
	assert_int_equal(pf.height, 8);
	free(blk);
	assert_int_equal(parse(&f, f.len - 1, &pf, &blk), -EINVAL);
	free(blk);
}

static void test_psf2_wide_with_table(void **state)
{
	static struct font f;
	struct psf_font pf;
	uint8_t *blk;

	psf2(&f, 300, 12, 24, true);
	assert_int_equal(parse(&f, f.len, &pf, &blk), 0);
	assert_int_equal(pf.count, 300);
	assert_int_equal(pf.width, 12);
	assert_int_equal(pf.height, 24);
	assert_int_equal(pf.bytes_per_row, 2);
	assert_int_equal(pf.bytes_per_glyph, 48);
	assert_int_equal(pf.ascii['x'], 3);
	assert_int_equal(pf.ascii['y'], 4);
	assert_int_equal(pf.ascii['z'], 0); /* no '?' in the table: glyph 0 */
	assert_int_equal(psf_glyph(&pf, 'y')[47], 4);
	free(blk);
}

static void test_psf2_no_table(void **state)
{
	static struct font f;
	struct psf_font pf;
	uint8_t *blk;

	psf2(&f, 64, 8, 16, false);
	assert_int_equal(parse(&f, f.len, &pf, &blk), 0);
	assert_int_equal(pf.ascii['0'], '0');
	assert_int_equal(pf.ascii['a'], '?'); /* beyond the 64 glyphs: glyph for '?' (63) */
	free(blk);
}

static void test_bad_fonts(void **state)
{
	static struct font f;
	struct psf_font pf;
	uint8_t *blk;

	assert_int_equal(psf_parse(NULL, 100, &pf), -EINVAL);
	psf1(&f, false);
	assert_int_equal(parse(&f, 3, &pf, &blk), -EINVAL); /* header cut */
	free(blk);
	assert_int_equal(parse(&f, f.len - 1, &pf, &blk), -EINVAL); /* glyphs cut */
	free(blk);
	f.b[3] = 0; /* height 0 */
	assert_int_equal(parse(&f, f.len, &pf, &blk), -EINVAL);
	free(blk);
	psf1(&f, false);
	f.b[1] = 0x05; /* bad magic */
	assert_int_equal(parse(&f, f.len, &pf, &blk), -EINVAL);
	free(blk);

	psf2(&f, 16, 8, 16, false);
	assert_int_equal(parse(&f, 31, &pf, &blk), -EINVAL); /* header cut */
	free(blk);
	put32(f.b + 20, 17); /* charsize does not match 8x16 */
	assert_int_equal(parse(&f, f.len, &pf, &blk), -EINVAL);
	free(blk);
	psf2(&f, 16, 8, 16, false);
	put32(f.b + 16, 0); /* no glyphs */
	assert_int_equal(parse(&f, f.len, &pf, &blk), -EINVAL);
	free(blk);
	psf2(&f, 16, 8, 16, false);
	put32(f.b + 8, 0xfffffff0u); /* header size past the end */
	assert_int_equal(parse(&f, f.len, &pf, &blk), -EINVAL);
	free(blk);
	psf2(&f, 16, 8, 16, false);
	put32(f.b + 8, 16); /* header size below the header */
	assert_int_equal(parse(&f, f.len, &pf, &blk), -EINVAL);
	free(blk);
	psf2(&f, 16, 8, 16, false);
	put32(f.b + 16, 0x10000000u); /* glyph count overflowing the image */
	put32(f.b + 20, 16);
	assert_int_equal(parse(&f, f.len, &pf, &blk), -EINVAL);
	free(blk);
	psf2(&f, 4, 33, 2, false); /* wider than PSF_MAX_WIDTH */
	assert_int_equal(parse(&f, f.len, &pf, &blk), -EINVAL);
	free(blk);
	psf2(&f, 4, 8, 65, false); /* taller than PSF_MAX_HEIGHT */
	assert_int_equal(parse(&f, f.len, &pf, &blk), -EINVAL);
	free(blk);
}

/* A table cut in the middle of a glyph's entry is read up to the end only. */
static void test_truncated_table(void **state)
{
	static struct font f;
	struct psf_font pf;
	uint8_t *blk;

	psf1(&f, true);
	assert_int_equal(parse(&f, 4 + 256 * 16 + 2 * 66 + 1, &pf, &blk), 0);
	assert_int_equal(pf.ascii['A'], 0); /* glyph 200's entry is cut off */
	free(blk);
	psf2(&f, 8, 8, 8, true);
	assert_int_equal(parse(&f, 32 + 8 * 8 + 5, &pf, &blk), 0);
	assert_int_equal(pf.ascii['x'], 3);
	free(blk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psf1_identity),   cmocka_unit_test(test_psf1_unicode_table),
		cmocka_unit_test(test_psf1_512_glyphs), cmocka_unit_test(test_psf2_wide_with_table),
		cmocka_unit_test(test_psf2_no_table),   cmocka_unit_test(test_bad_fonts),
		cmocka_unit_test(test_truncated_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
