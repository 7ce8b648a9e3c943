/* Unit tests for fpu/xcr0.c: which XSETBV(0, value) a guest may perform. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fpu/xcr0.h"

/* A CPU with everything up to AMX (bit 8, PT, is supervisor state: never in XCR0). */
#define ALL_USER 0x602ffull

/*
 * The architectural rules, spelled out bit by bit (SDM Vol. 1 sec. 13.3 and
 * the XSETBV reference), independently of fpu/xcr0.c.
 */
static bool reference_valid(uint64_t v, uint64_t allowed)
{
	unsigned bit[64];

	for (unsigned i = 0; i < 64; i++) {
		bit[i] = (v >> i) & 1;
		if (bit[i] && !((allowed >> i) & 1))
			return false; /* not enabled for the guest */
	}
	if (!bit[0])
		return false; /* x87 state must be on */
	if (bit[2] && !bit[1])
		return false; /* YMM needs SSE */
	if (bit[5] != bit[6] || bit[6] != bit[7])
		return false; /* opmask, ZMM_Hi256, Hi16_ZMM: together */
	if (bit[5] && !bit[2])
		return false; /* AVX-512 needs AVX */
	if (bit[3] != bit[4])
		return false; /* BNDREGS, BNDCSR: together */
	if (bit[17] != bit[18])
		return false; /* XTILECFG, XTILEDATA: together */
	return true;
}

static void test_x87_required(void **state)
{
	assert_true(xcr0_valid(0x1, ALL_USER));
	assert_false(xcr0_valid(0x0, ALL_USER));
	assert_false(xcr0_valid(0x2, ALL_USER));
	assert_false(xcr0_valid(0x6, ALL_USER));
	assert_false(xcr0_valid(0xe6, ALL_USER));
	assert_false(xcr0_valid(0x2e6, ALL_USER));
}

static void test_bits_outside_allowed_rejected(void **state)
{
	assert_true(xcr0_valid(0x7, 0x7));
	assert_false(xcr0_valid(0x7, 0x3));
	assert_false(xcr0_valid(0x3, 0x1));
	assert_false(xcr0_valid(0x1, 0x0));
	assert_false(xcr0_valid(0xe7, 0x7));
	assert_false(xcr0_valid(0x207, 0xe7));
	assert_false(xcr0_valid(0x1 | XFEATURE_MASK_XTILE, 0x1 | XFEATURE_MASK_XTILE_CFG));
	assert_false(xcr0_valid(0x1 | BIT(63), ALL_USER));
	assert_false(xcr0_valid(0x1 | BIT(8), ALL_USER));
	assert_false(xcr0_valid(0x1 | BIT(10), ALL_USER));
	assert_false(xcr0_valid(0x1 | BIT(19), ALL_USER));
	assert_true(xcr0_valid(0x3, ~0ull));
}

static void test_avx_needs_sse(void **state)
{
	assert_false(xcr0_valid(0x5, ALL_USER));
	assert_true(xcr0_valid(0x7, ALL_USER));
	assert_true(xcr0_valid(0x3, ALL_USER));
}

static void test_avx512_all_or_none_and_needs_avx(void **state)
{
	const uint64_t parts[] = {
		XFEATURE_MASK_OPMASK,
		XFEATURE_MASK_ZMM_HI256,
		XFEATURE_MASK_HI16_ZMM,
		XFEATURE_MASK_OPMASK | XFEATURE_MASK_ZMM_HI256,
		XFEATURE_MASK_OPMASK | XFEATURE_MASK_HI16_ZMM,
		XFEATURE_MASK_ZMM_HI256 | XFEATURE_MASK_HI16_ZMM,
	};

	for (unsigned i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		assert_false(xcr0_valid(0x7 | parts[i], ALL_USER));
	assert_true(xcr0_valid(0x7 | XFEATURE_MASK_AVX512, ALL_USER));
	assert_false(xcr0_valid(0x3 | XFEATURE_MASK_AVX512, ALL_USER));
	assert_false(xcr0_valid(0x1 | XFEATURE_MASK_AVX512, ALL_USER));
}

static void test_mpx_both_or_none(void **state)
{
	assert_false(xcr0_valid(0x3 | XFEATURE_MASK_BNDREGS, ALL_USER));
	assert_false(xcr0_valid(0x3 | XFEATURE_MASK_BNDCSR, ALL_USER));
	assert_true(xcr0_valid(0x3 | XFEATURE_MASK_BNDS, ALL_USER));
	assert_true(xcr0_valid(0x1 | XFEATURE_MASK_BNDS, ALL_USER));
}

static void test_amx_both_or_none(void **state)
{
	assert_false(xcr0_valid(0x7 | XFEATURE_MASK_XTILE_CFG, ALL_USER));
	assert_false(xcr0_valid(0x7 | XFEATURE_MASK_XTILE_DATA, ALL_USER));
	assert_true(xcr0_valid(0x7 | XFEATURE_MASK_XTILE, ALL_USER));
	assert_true(xcr0_valid(0x2e7 | XFEATURE_MASK_XTILE, ALL_USER));
}

static void test_common_values(void **state)
{
	assert_true(xcr0_valid(0x1, 0x1));
	assert_true(xcr0_valid(0x3, 0x3));
	assert_true(xcr0_valid(0x7, 0x7));
	assert_true(xcr0_valid(0xe7, 0xe7));
	assert_true(xcr0_valid(0x2e7, 0x2e7));
	assert_true(xcr0_valid(0x2e7, ALL_USER));
	assert_false(xcr0_valid(0x2e7, 0xe7)); /* PKRU not offered */
	assert_true(xcr0_valid(0x207, 0x2e7)); /* a subset of what is offered */
	assert_true(xcr0_valid(0x1f, ALL_USER));
}

/* Every combination of the low 10 bits against several offered masks. */
static void test_exhaustive_low_bits(void **state)
{
	static const uint64_t allowed[] = {
		0x3ff, 0x2ff, 0x1, 0x3, 0x7, 0xe7, 0x2e7, 0x1f, 0x2ff | 0x60000, 0x6,
	};
	unsigned valid = 0;

	for (unsigned a = 0; a < sizeof(allowed) / sizeof(allowed[0]); a++) {
		for (uint64_t v = 0; v < 1024; v++) {
			bool want = reference_valid(v, allowed[a]);

			if (xcr0_valid(v, allowed[a]) != want)
				fail_msg("xcr0_valid(%#llx, %#llx) = %d, expected %d",
				         (unsigned long long)v, (unsigned long long)allowed[a],
				         !want, want);
			valid += want;
		}
	}
	/* the reference itself: 0x3ff admits x87 x {none, SSE, SSE+AVX, SSE+AVX+AVX-512}
	 * x MPX {0,2} x bit 8 x PKRU = 4 * 2 * 2 * 2 = 32; 0x2ff: 16; 0x1: 1; 0x3: 2;
	 * 0x7: 3; 0xe7: 4; 0x2e7: 8; 0x1f: 6; 0x602ff: 16; 0x6: 0 */
	assert_int_equal(valid, 32 + 16 + 1 + 2 + 3 + 4 + 8 + 6 + 16 + 0);
}

/* AMX bits combined with every low-bit pattern. */
static void test_exhaustive_with_amx(void **state)
{
	for (uint64_t amx = 0; amx < 4; amx++) {
		for (uint64_t v = 0; v < 1024; v++) {
			uint64_t x = v | (amx << 17);
			bool want = reference_valid(x, ALL_USER);

			if (xcr0_valid(x, ALL_USER) != want)
				fail_msg("xcr0_valid(%#llx, ALL_USER) = %d, expected %d",
				         (unsigned long long)x, !want, want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x87_required),
		cmocka_unit_test(test_bits_outside_allowed_rejected),
		cmocka_unit_test(test_avx_needs_sse),
		cmocka_unit_test(test_avx512_all_or_none_and_needs_avx),
		cmocka_unit_test(test_mpx_both_or_none),
		cmocka_unit_test(test_amx_both_or_none),
		cmocka_unit_test(test_common_values),
		cmocka_unit_test(test_exhaustive_low_bits),
		cmocka_unit_test(test_exhaustive_with_amx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
