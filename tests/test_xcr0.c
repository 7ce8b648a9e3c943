/* Unit tests for fpu/xcr0.c: which XSETBV(0, value) a guest may perform. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
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
	if (bit[8] || bit[10] || bit[11] || bit[12] || bit[13] || bit[14] || bit[15] || bit[16])
		return false; /* supervisor state or reserved: never in XCR0 */
	for (unsigned i = 19; i < 64; i++)
		if (bit[i])
			return false; /* reserved */
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

/* A bit that is no user-state component is refused even when "offered". */
static void test_reserved_bits_rejected(void **state)
{
	const char *why = xcr0_check(0x3 | BIT(8), ~0ull);

	assert_non_null(why);
	assert_non_null(strstr(why, "reserved"));
	for (unsigned b = 10; b <= 16; b++)
		assert_false(xcr0_valid(0x3 | BIT(b), ~0ull));
	for (unsigned b = 19; b < 64; b++)
		assert_false(xcr0_valid(0x3 | BIT(b), ~0ull));
	why = xcr0_check(0x7 | BIT(9), 0x7);
	assert_non_null(why);
	assert_non_null(strstr(why, "not supported"));
}

#define OP(x, v)                                                                                   \
	((struct xsetbv_op){.xcr = (x), .value = (v), .cr4_osxsave = true, .allowed = 0xe7})

static enum xsetbv_fault check(struct xsetbv_op op, const char *want)
{
	const char *why = "unset";
	enum xsetbv_fault f = xsetbv_check(&op, &why);

	if (!want)
		assert_null(why);
	else if (!why || !strstr(why, want))
		fail_msg("why \"%s\", want \"%s\"", why ? why : "(null)", want);
	return f;
}

static void test_xsetbv_valid_values(void **state)
{
	assert_int_equal(check(OP(0, 0x1), NULL), XSETBV_OK);
	assert_int_equal(check(OP(0, 0x3), NULL), XSETBV_OK);
	assert_int_equal(check(OP(0, 0x7), NULL), XSETBV_OK);
	assert_int_equal(check(OP(0, 0xe7), NULL), XSETBV_OK);
}

/* #UD comes first: it holds whatever else is wrong. */
static void test_xsetbv_ud_without_osxsave(void **state)
{
	struct xsetbv_op op = OP(0, 0x7);

	op.cr4_osxsave = false;
	assert_int_equal(check(op, "OSXSAVE"), XSETBV_UD);
	op.cpl = 3;
	op.xcr = 1;
	op.value = 0;
	assert_int_equal(check(op, "OSXSAVE"), XSETBV_UD);
}

static void test_xsetbv_gp_cpl(void **state)
{
	for (unsigned cpl = 1; cpl <= 3; cpl++) {
		struct xsetbv_op op = OP(0, 0x7);

		op.cpl = cpl;
		assert_int_equal(check(op, "CPL"), XSETBV_GP);
	}
}

static void test_xsetbv_gp_ecx(void **state)
{
	assert_int_equal(check(OP(1, 0x7), "ECX"), XSETBV_GP);
	assert_int_equal(check(OP(0xffffffffu, 0x7), "ECX"), XSETBV_GP);
	assert_int_equal(check(OP(0x80000000u, 0x1), "ECX"), XSETBV_GP);
}

/* Each XCR0 rule surfaces as #GP(0) with its own reason. */
static void test_xsetbv_gp_xcr0_rules(void **state)
{
	struct xsetbv_op amx = OP(0, 0x7 | XFEATURE_MASK_XTILE_CFG);

	assert_int_equal(check(OP(0, 0x0), "x87"), XSETBV_GP);
	assert_int_equal(check(OP(0, 0x6), "x87"), XSETBV_GP);
	assert_int_equal(check(OP(0, 0x5), "AVX without SSE"), XSETBV_GP);
	assert_int_equal(check(OP(0, 0x27), "not all together"), XSETBV_GP);
	assert_int_equal(check(OP(0, 0x67), "not all together"), XSETBV_GP);
	assert_int_equal(check(OP(0, 0xc7), "not all together"), XSETBV_GP);
	assert_int_equal(check(OP(0, 0xe3), "AVX-512 without AVX"), XSETBV_GP);
	assert_int_equal(check(OP(0, 0x207), "not supported"), XSETBV_GP);
	assert_int_equal(check(OP(0, 0x1f), "not supported"), XSETBV_GP);
	assert_int_equal(check(OP(0, 0x3 | BIT(8)), "reserved"), XSETBV_GP);
	assert_int_equal(check(OP(0, 0x3 | BIT(63)), "reserved"), XSETBV_GP);
	amx.allowed = 0x7 | XFEATURE_MASK_XTILE;
	assert_int_equal(check(amx, "XTILECFG"), XSETBV_GP);
	amx.value = 0x7 | XFEATURE_MASK_XTILE_DATA;
	assert_int_equal(check(amx, "XTILECFG"), XSETBV_GP);
	amx.value = 0x7 | XFEATURE_MASK_XTILE;
	assert_int_equal(check(amx, NULL), XSETBV_OK);
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
	 * x MPX {0,2} x PKRU = 4 * 2 * 2 = 16 (bit 8 is reserved); 0x2ff: 16; 0x1: 1; 0x3: 2;
	 * 0x7: 3; 0xe7: 4; 0x2e7: 8; 0x1f: 6; 0x602ff: 16; 0x6: 0 */
	assert_int_equal(valid, 16 + 16 + 1 + 2 + 3 + 4 + 8 + 6 + 16 + 0);
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

/* IA32_XSS: every bit outside the offered supervisor components faults,
 * user components with their own reason; Skylake-X offers PT (bit 8). */
static void test_xss_check(void **state)
{
	(void)state;
	assert_null(xss_check(0, 0));
	assert_non_null(xss_check(BIT(8), 0));
	assert_null(xss_check(BIT(8), BIT(8)));
	assert_non_null(xss_check(BIT(8) | BIT(11), BIT(8)));
	assert_non_null(strstr(xss_check(XFEATURE_MASK_FP, BIT(8)), "user-state"));
	assert_non_null(strstr(xss_check(XFEATURE_MASK_PKRU, 0), "user-state"));
	assert_non_null(strstr(xss_check(1ull << 63, ~0ull >> 1), "does not offer"));
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(xss_check(1ull << i, BIT(8)) == NULL, i == 8);
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
		cmocka_unit_test(test_reserved_bits_rejected),
		cmocka_unit_test(test_xsetbv_valid_values),
		cmocka_unit_test(test_xsetbv_ud_without_osxsave),
		cmocka_unit_test(test_xsetbv_gp_cpl),
		cmocka_unit_test(test_xsetbv_gp_ecx),
		cmocka_unit_test(test_xsetbv_gp_xcr0_rules),
		cmocka_unit_test(test_common_values),
		cmocka_unit_test(test_exhaustive_low_bits),
		cmocka_unit_test(test_exhaustive_with_amx),
		cmocka_unit_test(test_xss_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
