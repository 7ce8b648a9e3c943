/* Unit tests for fpu/xsave_selftest.c: the compacted-format self-test and the
 * choice of save format, on the three fixtures and on a misplacing CPU. */
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
#include "fpu/xsave_selftest.h"
#include "xsave_table_fixture.h"

#define BUF 16384
#define USER_MASK                                                                                  \
	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512 |         \
	 XFEATURE_MASK_PKRU | XFEATURE_MASK_XTILE)

static struct xsave_cpuid_table t;
static struct xsave_layout l;
static uint8_t std_img[BUF], comp[BUF], back[BUF];

static void load(int which)
{
	struct xsave_cpuid_table raw;

	fixture_table(which, &raw);
	xsave_table_repair(&raw, &t);
	assert_int_equal(xsave_layout_mask(&t, xsave_supported_xcr0(&t) & USER_MASK, &l), 0);
	assert_int_equal(xsave_selftest_fill(&l, std_img, BUF), 0);
}

/* A correct CPU: the compacted image the conversion builds passes, and so
 * does the standard image of its round trip. */
static void agree(int which)
{
	struct xsave_selftest_result r;

	load(which);
	assert_int_equal(xsave_to_compacted(&t, std_img, BUF, comp, BUF, l.mask), 0);
	xsave_selftest_check_compacted(&l, comp, BUF, &r);
	assert_int_equal(r.rc, 0);
	assert_null(r.why);
	assert_int_equal(xsave_to_standard(&t, comp, BUF, back, BUF, l.mask), 0);
	xsave_selftest_check_standard(&l, back, BUF, &r);
	assert_int_equal(r.rc, 0);
}

static void test_agrees_bochs_table(void **state)
{
	(void)state;
	agree(FIXTURE_BOCHS);
}

static void test_agrees_skylake_x(void **state)
{
	(void)state;
	agree(FIXTURE_SKX);
}

static void test_agrees_sapphire_rapids(void **state)
{
	(void)state;
	agree(FIXTURE_SPR);
}

/* What Bochs 2.7 does with XCOMP_BV 0x207: the compacted region starts at 160,
 * +256 with SSE, so YMM_Hi128 lands at 416 instead of 576. */
static void test_bochs_misplacement_detected(void **state)
{
	struct xsave_selftest_result r;
	uint64_t xcr0 =
		XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM | XFEATURE_MASK_PKRU;

	(void)state;
	load(FIXTURE_BOCHS);
	assert_int_equal(xsave_layout_mask(&t, xcr0, &l), 0);
	assert_int_equal(xsave_selftest_fill(&l, std_img, BUF), 0);
	assert_int_equal(xsave_to_compacted(&t, std_img, BUF, comp, BUF, l.mask), 0);
	memmove(comp + 416, comp + l.compact_offset[2], 96); /* 96: up to the header */
	memset(comp + l.compact_offset[2], 0, l.size[2]);
	xsave_selftest_check_compacted(&l, comp, BUF, &r);
	assert_int_equal(r.rc, -EINVAL);
	assert_int_equal(r.comp, 2);
	assert_int_equal(r.expected, 576);
	assert_int_equal(r.found, 416);
	assert_non_null(r.why);
}

/* Every other kind of disagreement fails too. */
static void test_header_and_legacy_checked(void **state)
{
	struct xsave_selftest_result r;
	uint64_t v;

	(void)state;
	load(FIXTURE_SKX);
	assert_int_equal(xsave_to_compacted(&t, std_img, BUF, comp, BUF, l.mask), 0);
	memcpy(back, comp, BUF);
	v = l.mask; /* bit 63 missing */
	memcpy(back + XSAVE_XCOMP_BV_OFFSET, &v, 8);
	xsave_selftest_check_compacted(&l, back, BUF, &r);
	assert_int_equal(r.rc, -EINVAL);
	assert_int_equal(r.comp, -1);

	memcpy(back, comp, BUF);
	v = l.mask & ~XFEATURE_MASK_YMM;
	memcpy(back + XSAVE_XSTATE_BV_OFFSET, &v, 8);
	xsave_selftest_check_compacted(&l, back, BUF, &r);
	assert_int_equal(r.rc, -EINVAL);

	memcpy(back, comp, BUF);
	back[200] ^= 1; /* an XMM byte */
	xsave_selftest_check_compacted(&l, back, BUF, &r);
	assert_int_equal(r.rc, -EINVAL);
	assert_int_equal(r.comp, 1);

	memcpy(back, comp, BUF);
	back[l.compact_offset[9]] ^= 1; /* PKRU, the last one */
	xsave_selftest_check_compacted(&l, back, BUF, &r);
	assert_int_equal(r.rc, -EINVAL);
	assert_int_equal(r.comp, 9);

	/* the standard check wants XCOMP_BV = 0 */
	xsave_selftest_check_standard(&l, comp, BUF, &r);
	assert_int_equal(r.rc, -EINVAL);
	/* too small a buffer */
	xsave_selftest_check_compacted(&l, comp, 600, &r);
	assert_int_equal(r.rc, -EINVAL);
	assert_int_equal(xsave_selftest_fill(&l, std_img, 600), -EINVAL);
}

static void test_choose_format(void **state)
{
	struct xsave_selftest_result ok = {.rc = 0}, bad = {.rc = -EINVAL};
	const char *why;

	(void)state;
	assert_int_equal(xsave_choose_format(false, 0, NULL, &why), XSAVE_FMT_FXSR);
	assert_int_equal(xsave_choose_format(true, XSAVE_1_EAX_XSAVEOPT, NULL, &why),
	                 XSAVE_FMT_STANDARD);
	assert_int_equal(
		xsave_choose_format(true, XSAVE_1_EAX_XSAVEC | XSAVE_1_EAX_XSAVES, &bad, &why),
		XSAVE_FMT_STANDARD);
	assert_non_null(strstr(why, "wrong"));
	assert_int_equal(
		xsave_choose_format(true, XSAVE_1_EAX_XSAVEC | XSAVE_1_EAX_XSAVES, NULL, &why),
		XSAVE_FMT_STANDARD);
	assert_int_equal(xsave_choose_format(true, XSAVE_1_EAX_XSAVEC, &ok, &why),
	                 XSAVE_FMT_XSAVEC);
	assert_int_equal(
		xsave_choose_format(true, XSAVE_1_EAX_XSAVEC | XSAVE_1_EAX_XSAVES, &ok, &why),
		XSAVE_FMT_XSAVES);
	assert_string_equal(xsave_format_name(XSAVE_FMT_STANDARD), "standard XSAVE/XRSTOR");
}

/* Guests get XSAVES only with the CPU's XSAVES, the VMX control and a passed
 * self-test (the switch then uses XSAVES too): Bochs 2.7 has the first two. */
static void test_offer_xsaves(void **state)
{
	uint32_t both = XSAVE_1_EAX_XSAVEC | XSAVE_1_EAX_XSAVES;
	const char *why;

	(void)state;
	assert_true(xsave_offer_xsaves(both, true, XSAVE_FMT_XSAVES, &why));
	assert_false(xsave_offer_xsaves(both, true, XSAVE_FMT_STANDARD, &why));
	assert_non_null(strstr(why, "self-test"));
	assert_false(xsave_offer_xsaves(both, false, XSAVE_FMT_XSAVES, &why));
	assert_non_null(strstr(why, "control"));
	assert_false(xsave_offer_xsaves(XSAVE_1_EAX_XSAVEC, true, XSAVE_FMT_XSAVEC, &why));
	assert_non_null(strstr(why, "no XSAVES"));
	assert_false(xsave_offer_xsaves(XSAVE_1_EAX_XSAVEC, true, XSAVE_FMT_XSAVES, &why));
	/* what boot does with Bochs' self-test result */
	struct xsave_selftest_result bad = {.rc = -EINVAL};
	assert_false(
		xsave_offer_xsaves(both, true, xsave_choose_format(true, both, &bad, &why), &why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agrees_bochs_table),
		cmocka_unit_test(test_agrees_skylake_x),
		cmocka_unit_test(test_agrees_sapphire_rapids),
		cmocka_unit_test(test_bochs_misplacement_detected),
		cmocka_unit_test(test_header_and_legacy_checked),
		cmocka_unit_test(test_choose_format),
		cmocka_unit_test(test_offer_xsaves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
