/* Unit tests for fpu/xsave_layout.c: layouts, table checks and repair, on real tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "fpu/xcr0.h"
#include "xsave_table_fixture.h"

static struct xsave_cpuid_table t;
static struct xsave_layout l;

static void expect_valid(const struct xsave_cpuid_table *tab)
{
	const char *why = NULL;
	int comp = 99;

	if (xsave_table_check(tab, &why, &comp))
		fail_msg("table rejected: %s (component %d)", why, comp);
	assert_null(why);
	assert_int_equal(comp, -1);
}

/* Fails with the reason containing `what`, about component comp. */
static void expect_invalid(const struct xsave_cpuid_table *tab, const char *what, int comp)
{
	const char *why = NULL;
	int c = 99;

	assert_int_equal(xsave_table_check(tab, &why, &c), -EINVAL);
	assert_non_null(why);
	if (!strstr(why, what))
		fail_msg("reason '%s', want '%s'", why, what);
	assert_int_equal(c, comp);
}

static void test_skylake_x(void **state)
{
	fixture_table(FIXTURE_SKX, &t);
	expect_valid(&t);
	assert_int_equal(xsave_supported_xcr0(&t), 0x2ff);
	assert_int_equal(xsave_supported_xss(&t), 0x100);
	assert_int_equal(xsave_layout(&t, 0x2ff, 0, &l, NULL), 0);
	assert_int_equal(l.std_size, 2696);
	assert_int_equal(l.compact_size, 2568);
	assert_int_equal(l.std_offset[3], 960);
	assert_int_equal(l.compact_offset[3], 832);
	assert_int_equal(l.compact_offset[9], 2560);
	/* PT (IA32_XSS) only in the compacted form, after Hi16_ZMM, before PKRU */
	assert_int_equal(xsave_layout(&t, 0x2ff, 0x100, &l, NULL), 0);
	assert_int_equal(l.std_size, 2696);
	assert_int_equal(l.std_offset[8], 0);
	assert_int_equal(l.compact_offset[8], 2560);
	assert_int_equal(l.compact_offset[9], 2688);
	assert_int_equal(l.compact_size, 2696);
	assert_int_equal(xsave_layout(&t, 0x7, 0, &l, NULL), 0);
	assert_int_equal(l.std_size, 832);
	assert_int_equal(l.compact_size, 832);
	assert_int_equal(xsave_layout(&t, 0x3, 0, &l, NULL), 0);
	assert_int_equal(l.std_size, 576);
	assert_int_equal(l.compact_size, 576);
}

static void test_sapphire_rapids(void **state)
{
	fixture_table(FIXTURE_SPR, &t);
	expect_valid(&t);
	assert_int_equal(xsave_layout(&t, 0x602e7, 0, &l, NULL), 0);
	assert_int_equal(l.std_size, 11008);
	assert_int_equal(l.std_offset[17], 2752);
	assert_int_equal(l.size[17], 64);
	assert_int_equal(l.std_offset[18], 2816);
	assert_int_equal(l.size[18], 8192);
	assert_int_equal(l.compact_offset[9], 2432);
	assert_int_equal(l.compact_offset[17], 2440);
	/* XTILEDATA is 64-byte aligned: 2504 rounds up to 2560 */
	assert_int_equal(l.compact_offset[18], 2560);
	assert_int_equal(l.compact_size, 10752);
	/* without AMX the standard size ends with PKRU */
	assert_int_equal(xsave_layout(&t, 0x2e7, 0, &l, NULL), 0);
	assert_int_equal(l.std_size, 2696);
	assert_int_equal(l.compact_size, 2440);
	/* supervisor state in the middle moves the later components */
	assert_int_equal(xsave_layout(&t, 0x602e7, 0xdd00, &l, NULL), 0);
	assert_int_equal(l.compact_offset[8], 2432);
	assert_int_equal(l.compact_offset[9], 2560);
	assert_int_equal(l.compact_offset[10], 2568);
	assert_int_equal(l.compact_offset[15], 2568 + 8 + 16 + 24 + 48);
	assert_int_equal(l.compact_offset[17], 2664 + 808);
	assert_int_equal(l.compact_offset[18], ALIGN_UP(2664 + 808 + 64, 64));
	assert_int_equal(l.compact_size, ALIGN_UP(2664 + 808 + 64, 64) + 8192);
	assert_int_equal(l.std_size, 11008);
}

/* Bochs' own table is flagged; the repaired one is what XSAVE really writes. */
static void test_bochs_flagged_and_repaired(void **state)
{
	struct xsave_cpuid_table fixed, again;

	fixture_table(FIXTURE_BOCHS, &t);
	expect_invalid(&t, "size 0", 9);
	assert_true(xsave_table_repair(&t, &fixed) > 0);
	expect_valid(&fixed);
	assert_int_equal(xsave_supported_xcr0(&fixed), 0x2e7);
	assert_int_equal(fixed.comp[9].size, 8);
	assert_int_equal(fixed.comp[9].offset, BOCHS_TIGERLAKE_PKRU_STD_OFFSET);
	assert_int_equal(fixed.sub0.ecx, 2696);
	assert_int_equal(fixed.sub0.ebx, 2696);
	assert_int_equal(fixed.sub1.ebx, 2440);
	assert_int_equal(xsave_layout(&fixed, 0x2e7, 0, &l, NULL), 0);
	assert_int_equal(l.std_offset[9], 2688);
	assert_int_equal(l.compact_offset[9], 2432);
	assert_int_equal(xsave_layout(&fixed, 0xe7, 0, &l, NULL), 0);
	assert_int_equal(l.std_size, 2688);
	/* repairing a consistent table changes nothing */
	assert_int_equal(xsave_table_repair(&fixed, &again), 0);
	assert_memory_equal(&fixed, &again, sizeof(again));
	for (int f = FIXTURE_SKX; f <= FIXTURE_SPR; f++) {
		fixture_table(f, &t);
		assert_int_equal(xsave_table_repair(&t, &again), 0);
		assert_memory_equal(&t, &again, sizeof(again));
	}
}

static void test_check_rules(void **state)
{
	fixture_table(FIXTURE_SPR, &t);
	t.comp[6].offset = 1100; /* into opmask (1088..1151) */
	expect_invalid(&t, "overlaps", 6);

	fixture_table(FIXTURE_SPR, &t);
	t.comp[18].size = 0;
	expect_invalid(&t, "size 0", 18);

	fixture_table(FIXTURE_SPR, &t);
	t.comp[12].size = 0;
	expect_invalid(&t, "size 0", 12);

	fixture_table(FIXTURE_SPR, &t);
	t.sub0.ecx = 11000;
	expect_invalid(&t, "beyond the reported maximum", 18);

	fixture_table(FIXTURE_SPR, &t);
	t.sub0.ecx = 11072;
	expect_invalid(&t, "subleaf 0 ECX", -1);

	fixture_table(FIXTURE_SKX, &t);
	t.comp[2].offset = 160;
	expect_invalid(&t, "legacy region or the XSAVE header", 2);
	t.comp[2].offset = 520;
	expect_invalid(&t, "legacy region or the XSAVE header", 2);

	fixture_table(FIXTURE_SKX, &t);
	t.comp[8].flags = 0;
	expect_invalid(&t, "not marked as supervisor", 8);
	fixture_table(FIXTURE_SKX, &t);
	t.comp[8].offset = 2696;
	expect_invalid(&t, "standard-format offset", 8);
	fixture_table(FIXTURE_SKX, &t);
	t.comp[9].flags = XSAVE_COMP_XSS;
	expect_invalid(&t, "marked as IA32_XSS", 9);
	fixture_table(FIXTURE_SKX, &t);
	t.sub1.ecx |= 0x200;
	expect_invalid(&t, "both XCR0 and IA32_XSS", 9);
	fixture_table(FIXTURE_SKX, &t);
	t.sub0.eax &= ~2u;
	expect_invalid(&t, "x87 and SSE", -1);
	fixture_table(FIXTURE_SKX, &t);
	t.sub0.edx = 0x80000000u;
	expect_invalid(&t, "bit 63", -1);
	fixture_table(FIXTURE_SKX, &t);
	t.comp[7].size = 1u << 30;
	expect_invalid(&t, "plausible", 7);

	/* sizes for the XCR0 in force */
	fixture_table(FIXTURE_SKX, &t);
	t.sub0.ebx = 2688;
	expect_invalid(&t, "subleaf 0 EBX", -1);
	t.xcr0_read = 0; /* unknown: not checked */
	expect_valid(&t);
	fixture_table(FIXTURE_SKX, &t);
	t.sub1.ebx = 2696;
	expect_invalid(&t, "subleaf 1 EBX", -1);
	t.sub1.eax &=
		~(XSAVE_1_EAX_XSAVEC | XSAVE_1_EAX_XSAVES); /* no compacted form: no meaning */
	expect_valid(&t);
}

static void test_layout_dependencies(void **state)
{
	const char *why;

	fixture_table(FIXTURE_SPR, &t);
	assert_int_equal(xsave_layout(&t, 0x5, 0, &l, &why), -EINVAL);
	assert_string_equal(why, "AVX without SSE");
	assert_int_equal(xsave_layout(&t, 0x67, 0, &l, &why), -EINVAL);
	assert_non_null(strstr(why, "AVX-512"));
	assert_int_equal(xsave_layout(&t, 0xe3, 0, &l, &why), -EINVAL);
	assert_string_equal(why, "AVX-512 without AVX");
	assert_int_equal(xsave_layout(&t, 0x202e7, 0, &l, &why), -EINVAL);
	assert_non_null(strstr(why, "XTILECFG"));
	assert_int_equal(xsave_layout(&t, 0x402e7, 0, &l, &why), -EINVAL);
	assert_non_null(strstr(why, "XTILECFG"));
	assert_int_equal(xsave_layout(&t, 0x2, 0, &l, &why), -EINVAL);
	assert_non_null(strstr(why, "x87"));
	assert_int_equal(xsave_layout(&t, 0x1f, 0, &l, &why), -EINVAL); /* no MPX here */
	assert_non_null(strstr(why, "not supported"));
	assert_int_equal(xsave_layout(&t, 0x103, 0, &l, &why), -EINVAL);   /* PT is XSS state */
	assert_int_equal(xsave_layout(&t, 0x3, 0x200, &l, &why), -EINVAL); /* PKRU is XCR0 state */
	assert_non_null(strstr(why, "IA32_XSS"));
	assert_int_equal(xsave_layout(&t, 0x3, 0x2000, &l, &why), -EINVAL); /* HDC: not here */
	assert_int_equal(xsave_layout(&t, 0x3, 0x100, &l, &why), 0);
	assert_null(why);
	/* a mask is any enumerated set: XCOMP_BV = 0x204 is a legal image */
	assert_int_equal(xsave_layout_mask(&t, 0x204, &l), 0);
	assert_int_equal(l.compact_offset[2], 576);
	assert_int_equal(l.compact_offset[9], 832);
	assert_int_equal(l.compact_size, 840);
	assert_int_equal(xsave_layout_mask(&t, BIT(13), &l), -EINVAL);
	assert_int_equal(xsave_layout_mask(&t, BIT(63) | 1, &l), -EINVAL);
}

/* Each ALIGN64 component starts on a 64-byte boundary, the others right after the previous. */
static void test_compacted_alignment(void **state)
{
	fixture_table(FIXTURE_SKX, &t);
	t.comp[9].flags = XSAVE_COMP_ALIGN64;
	t.comp[5].size = 72; /* opmask ends at 1160: overlaps ZMM_Hi256 in the standard form */
	assert_int_equal(xsave_layout_mask(&t, 0x2e7, &l), 0);
	assert_int_equal(l.compact_offset[6], 576 + 256 + 72);
	assert_int_equal(l.compact_offset[7], 576 + 256 + 72 + 512);
	assert_int_equal(l.compact_offset[9], ALIGN_UP(576 + 256 + 72 + 512 + 1024, 64));
	expect_invalid(&t, "overlaps", 6);
	t.comp[5].size = 64;
	t.comp[2].flags = XSAVE_COMP_ALIGN64; /* 576 is aligned already */
	assert_int_equal(xsave_layout_mask(&t, 0x205, &l), 0);
	assert_int_equal(l.compact_offset[2], 576);
	assert_int_equal(l.compact_offset[9], 832);
	assert_int_equal(xsave_layout_mask(&t, 0x201, &l), 0);
	assert_int_equal(l.compact_offset[9], 576);
}

/* Whatever is corrupted, the repaired table passes the check and a second repair is a no-op. */
static void test_repair_random_damage(void **state)
{
	struct xsave_cpuid_table fixed, again;
	const char *why;
	int comp;

	srand(13);
	for (int n = 0; n < 20000; n++) {
		fixture_table(n % 3, &t);
		for (int k = rand() % 4; k >= 0; k--) {
			uint32_t i = 2 + (uint32_t)rand() % 18, v = (uint32_t)rand();

			switch (rand() % 8) {
			case 0:
				t.comp[i].size = v % 3 ? 0 : v % 9000;
				break;
			case 1:
				t.comp[i].offset = v % 12000;
				break;
			case 2:
				t.comp[i].flags = v & 7;
				break;
			case 3:
				t.sub0.ecx = v % 12000;
				break;
			case 4:
				t.sub0.eax ^= 1u << i;
				break;
			case 5:
				t.sub1.ecx ^= 1u << i;
				break;
			case 6:
				t.sub0.ebx = v;
				break;
			default:
				t.sub1.ebx = v % 12000;
				break;
			}
		}
		xsave_table_repair(&t, &fixed);
		if (xsave_table_check(&fixed, &why, &comp))
			fail_msg("round %d: repaired table rejected: %s (component %d)", n, why,
			         comp);
		assert_int_equal(xsave_table_repair(&fixed, &again), 0);
		assert_int_equal(
			xcr0_check(xsave_supported_xcr0(&fixed), xsave_supported_xcr0(&fixed)),
			NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skylake_x),
		cmocka_unit_test(test_sapphire_rapids),
		cmocka_unit_test(test_bochs_flagged_and_repaired),
		cmocka_unit_test(test_check_rules),
		cmocka_unit_test(test_layout_dependencies),
		cmocka_unit_test(test_compacted_alignment),
		cmocka_unit_test(test_repair_random_damage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
