/* Unit tests for fpu/xsave_convert.c: compacted <-> standard images on each fixture. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "fpu/xcr0.h"
#include "fpu/xsave_convert.h"
#include "xsave_table_fixture.h"

#define BUF 16384

static struct xsave_cpuid_table t;
static uint8_t comp[BUF], std[BUF], back[BUF], want[BUF];

/* Fixture `which`, repaired (Bochs' needs it; the others come back unchanged). */
static void load(int which)
{
	struct xsave_cpuid_table raw;

	fixture_table(which, &raw);
	xsave_table_repair(&raw, &t);
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void wr64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rand();
}

/* A compacted image as XSAVES would leave it: components outside bv zero, except
 * MXCSR, which is saved whenever SSE or AVX is in the mask. */
static void random_compacted(const struct xsave_layout *l, uint64_t bv, uint8_t *img)
{
	uint16_t fcw = XSAVE_FCW_INIT;
	uint32_t mxcsr = XSAVE_MXCSR_INIT;

	memset(img, 0, BUF);
	if (bv & XFEATURE_MASK_FP) {
		fill_random(img, 24);
		fill_random(img + 32, 128);
	} else {
		memcpy(img, &fcw, 2);
	}
	if (l->mask & (XFEATURE_MASK_SSE | XFEATURE_MASK_YMM))
		fill_random(img + 24, 8);
	else
		memcpy(img + 24, &mxcsr, 4);
	if (bv & XFEATURE_MASK_SSE)
		fill_random(img + 160, 256);
	for (uint32_t i = 2; i < XSAVE_NR_COMPONENTS; i++)
		if (bv & BIT(i))
			fill_random(img + l->compact_offset[i], l->size[i]);
	wr64(img + XSAVE_XSTATE_BV_OFFSET, bv);
	wr64(img + XSAVE_XCOMP_BV_OFFSET, l->mask | XCOMP_BV_COMPACTED);
}

/* A random XCR0 the CPU accepts, from the supported bits. */
static uint64_t random_xcr0(void)
{
	uint64_t sup = xsave_supported_xcr0(&t), v;

	do
		v = (((uint64_t)rand() << 32) | (uint64_t)rand()) & sup;
	while (xcr0_check(v | 1, sup));
	return v | 1;
}

/* compacted -> standard -> compacted gives the image back, with the supervisor
 * components in their initial state (the standard form cannot hold them). */
static void round_trip(int which)
{
	struct xsave_layout l;

	load(which);
	srand(1000 + which);
	for (int n = 0; n < 3000; n++) {
		uint64_t xcr0 = random_xcr0(), xss = xsave_supported_xss(&t) & (uint64_t)rand();
		uint64_t bv = (xcr0 | xss) & (((uint64_t)rand() << 32) | (uint64_t)rand());

		assert_int_equal(xsave_layout(&t, xcr0, xss, &l, NULL), 0);
		random_compacted(&l, bv, comp);
		memset(std, 0xa5, sizeof(std));
		assert_int_equal(xsave_to_standard(&t, comp, l.compact_size, std, l.std_size, xcr0),
		                 0);
		assert_int_equal(rd64(std + XSAVE_XSTATE_BV_OFFSET), bv & xcr0);
		assert_int_equal(rd64(std + XSAVE_XCOMP_BV_OFFSET), 0);
		for (uint32_t i = 2; i < XSAVE_NR_COMPONENTS; i++)
			if (bv & xcr0 & BIT(i))
				assert_memory_equal(std + l.std_offset[i],
				                    comp + l.compact_offset[i], l.size[i]);
		memset(back, 0x5a, sizeof(back));
		assert_int_equal(
			xsave_to_compacted(&t, std, l.std_size, back, l.compact_size, xcr0 | xss),
			0);
		memcpy(want, comp, l.compact_size);
		for (uint32_t i = 2; i < XSAVE_NR_COMPONENTS; i++)
			if (xss & BIT(i))
				memset(want + l.compact_offset[i], 0, l.size[i]);
		wr64(want + XSAVE_XSTATE_BV_OFFSET, bv & xcr0);
		assert_memory_equal(back, want, l.compact_size);
	}
}

static void test_round_trip_bochs(void **state)
{
	round_trip(FIXTURE_BOCHS);
}

static void test_round_trip_skylake_x(void **state)
{
	round_trip(FIXTURE_SKX);
}

static void test_round_trip_sapphire_rapids(void **state)
{
	round_trip(FIXTURE_SPR);
}

/* Components land where the standard format puts them; absent ones get their init values. */
static void test_places_and_init_values(void **state)
{
	uint32_t pkru = 0x5ac3a5c0, v;
	uint16_t fcw;
	struct xsave_layout l;

	load(FIXTURE_BOCHS);
	assert_int_equal(xsave_layout(&t, 0x2e7, 0, &l, NULL), 0);
	memset(comp, 0, sizeof(comp));
	memcpy(comp + 2432, &pkru, 4); /* PKRU in the compacted form of 0x2e7 */
	wr64(comp + XSAVE_XSTATE_BV_OFFSET, XFEATURE_MASK_PKRU);
	wr64(comp + XSAVE_XCOMP_BV_OFFSET, 0x2e7 | XCOMP_BV_COMPACTED);
	memset(std, 0xff, sizeof(std));
	assert_int_equal(xsave_to_standard(&t, comp, 2440, std, 2696, 0x2e7), 0);
	memcpy(&v, std + 2688, 4);
	assert_int_equal(v, pkru);
	memcpy(&fcw, std, 2);
	assert_int_equal(fcw, XSAVE_FCW_INIT); /* x87 not in XSTATE_BV */
	memcpy(&v, std + 24, 4);
	assert_int_equal(v, 0); /* MXCSR saved (SSE in XCOMP_BV): taken as is */
	for (uint32_t i = 576; i < 2688; i++)
		assert_int_equal(std[i], 0);

	/* XCOMP_BV without SSE or AVX: no MXCSR saved, so its initial value */
	wr64(comp + XSAVE_XCOMP_BV_OFFSET, 0x201 | XCOMP_BV_COMPACTED);
	memcpy(comp + 576, &pkru, 4);
	assert_int_equal(xsave_to_standard(&t, comp, 584, std, 2696, 0x2e7), 0);
	memcpy(&v, std + 24, 4);
	assert_int_equal(v, XSAVE_MXCSR_INIT);
	memcpy(&v, std + 2688, 4);
	assert_int_equal(v, pkru);

	/* Sapphire Rapids: XTILEDATA from its aligned compacted place to 2816 */
	load(FIXTURE_SPR);
	assert_int_equal(xsave_layout(&t, 0x60003, 0, &l, NULL), 0);
	assert_int_equal(l.compact_offset[17], 576);
	assert_int_equal(l.compact_offset[18], 640);
	memset(comp, 0, sizeof(comp));
	fill_random(comp + 640, 8192);
	wr64(comp + XSAVE_XSTATE_BV_OFFSET, XFEATURE_MASK_XTILE_DATA);
	wr64(comp + XSAVE_XCOMP_BV_OFFSET, 0x60003 | XCOMP_BV_COMPACTED);
	assert_int_equal(xsave_to_standard(&t, comp, l.compact_size, std, 11008, 0x60003), 0);
	assert_memory_equal(std + 2816, comp + 640, 8192);
	/* a standard source converts too (a copy with init values) */
	assert_int_equal(xsave_to_standard(&t, std, 11008, back, 11008, 0x60003), 0);
	assert_memory_equal(back, std, 11008);
}

/* Images XRSTOR would refuse, and buffers that are too small, are rejected untouched. */
static void test_bad_images(void **state)
{
	struct xsave_layout l;

	load(FIXTURE_SPR);
	assert_int_equal(xsave_layout(&t, 0x2e7, 0, &l, NULL), 0);
	random_compacted(&l, 0x2e7, comp);
	memset(std, 0xee, sizeof(std));
	assert_int_equal(xsave_to_standard(&t, comp, l.compact_size, std, l.std_size, 0x2e7), 0);

	wr64(comp + XSAVE_XSTATE_BV_OFFSET, 0x602e7); /* AMX in XSTATE_BV, not in XCOMP_BV */
	assert_int_equal(xsave_to_standard(&t, comp, l.compact_size, back, BUF, 0x2e7), -EINVAL);
	wr64(comp + XSAVE_XSTATE_BV_OFFSET, 0x2e7);
	wr64(comp + XSAVE_XCOMP_BV_OFFSET, 0x22e7 | XCOMP_BV_COMPACTED); /* HDC: not enumerated */
	assert_int_equal(xsave_to_standard(&t, comp, BUF, back, BUF, 0x2e7), -EINVAL);
	wr64(comp + XSAVE_XCOMP_BV_OFFSET, 0x2e7); /* bit 63 clear: standard, XCOMP_BV must be 0 */
	assert_int_equal(xsave_to_standard(&t, comp, BUF, back, BUF, 0x2e7), -EINVAL);
	wr64(comp + XSAVE_XCOMP_BV_OFFSET, 0x2e7 | XCOMP_BV_COMPACTED);
	comp[XSAVE_XSTATE_BV_OFFSET + 40] = 1; /* reserved header byte */
	assert_int_equal(xsave_to_standard(&t, comp, BUF, back, BUF, 0x2e7), -EINVAL);
	comp[XSAVE_XSTATE_BV_OFFSET + 40] = 0;
	assert_int_equal(xsave_to_standard(&t, comp, l.compact_size - 1, back, BUF, 0x2e7),
	                 -EINVAL);
	assert_int_equal(xsave_to_standard(&t, comp, BUF, back, l.std_size - 1, 0x2e7), -EINVAL);
	assert_int_equal(xsave_to_standard(&t, comp, BUF, back, BUF, 0x2e7 | 0x100), -EINVAL);
	assert_int_equal(xsave_to_standard(&t, comp, BUF, back, BUF, 0x2e6), -EINVAL);
	assert_int_equal(xsave_to_standard(&t, comp, 100, back, BUF, 0x2e7), -EINVAL);

	assert_int_equal(xsave_to_compacted(&t, std, l.std_size, back, l.compact_size - 1, 0x2e7),
	                 -EINVAL);
	assert_int_equal(xsave_to_compacted(&t, std, l.std_size - 1, back, BUF, 0x2e7), -EINVAL);
	assert_int_equal(xsave_to_compacted(&t, comp, BUF, back, BUF, 0x2e7),
	                 -EINVAL); /* compacted */
	assert_int_equal(xsave_to_compacted(&t, std, BUF, back, BUF, 0x2e7 | BIT(13)), -EINVAL);
	assert_int_equal(xsave_to_compacted(&t, std, l.std_size, back, l.compact_size, 0x2e7), 0);
	assert_int_equal(rd64(back + XSAVE_XCOMP_BV_OFFSET), 0x2e7 | XCOMP_BV_COMPACTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_bochs),
		cmocka_unit_test(test_round_trip_skylake_x),
		cmocka_unit_test(test_round_trip_sapphire_rapids),
		cmocka_unit_test(test_places_and_init_values),
		cmocka_unit_test(test_bad_images),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
