/* Unit tests for drivers/tsc_freq.c: the TSC rate from CPUID 0x15/0x16 and the PIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/tsc_freq.h"

/* A Skylake-era client part: 24 MHz crystal x 200/2 = 2.4 GHz. */
static const struct tsc_cpuid crystal = {
	.max_leaf = 0x16, .l15 = {2, 200, 24000000, 0}, .l16 = {2400, 3900, 100, 0}};
/* 0x15 with the ratio but no crystal: 0x16's base frequency. */
static const struct tsc_cpuid no_crystal = {
	.max_leaf = 0x16, .l15 = {2, 176, 0, 0}, .l16 = {2100, 4000, 100, 0}};

static void test_cpuid_hz(void **state)
{
	enum tsc_source src;
	struct tsc_cpuid c = crystal;

	assert_int_equal(tsc_cpuid_hz(&c, &src), 2400000000ull);
	assert_int_equal(src, TSC_SRC_CPUID_15);
	/* a 25 MHz server crystal and a ratio whose product overflows 32 bits */
	c.l15 = (struct cpuid_regs){3, 0x7fffffff, 25000000, 0};
	assert_int_equal(tsc_cpuid_hz(&c, &src), 25000000ull * 0x7fffffff / 3);
	c = no_crystal;
	assert_int_equal(tsc_cpuid_hz(&c, &src), 2100000000ull);
	assert_int_equal(src, TSC_SRC_CPUID_16);
	c.l16.eax = 0xffff0000; /* only bits 15:0 are the base frequency */
	assert_int_equal(tsc_cpuid_hz(&c, &src), 0);
	assert_int_equal(src, TSC_SRC_FALLBACK);
	c = no_crystal;
	c.max_leaf = 0x15; /* leaf 0x16 beyond the maximum: never read */
	assert_int_equal(tsc_cpuid_hz(&c, &src), 0);
	c = crystal;
	c.max_leaf = 0x14;
	assert_int_equal(tsc_cpuid_hz(&c, &src), 0);
	c = crystal;
	c.l15.eax = 0; /* denominator 0: no ratio (and no division by zero) */
	assert_int_equal(tsc_cpuid_hz(&c, &src), 0);
	c = crystal;
	c.l15.ebx = 0;
	assert_int_equal(tsc_cpuid_hz(&c, &src), 0);
}

static void test_choose(void **state)
{
	struct tsc_choice t = tsc_choose(&crystal, 2399000000ull);

	assert_int_equal(t.hz, 2400000000ull); /* within 1%: CPUID's exact value */
	assert_int_equal(t.source, TSC_SRC_CPUID_15);
	assert_false(t.disagree);
	t = tsc_choose(&crystal, 2424000000ull); /* exactly 1% off: still agrees */
	assert_false(t.disagree);
	t = tsc_choose(&crystal, 2500000000ull);
	assert_true(t.disagree);
	assert_int_equal(t.hz, 2500000000ull);
	assert_int_equal(t.source, TSC_SRC_PIT);
	assert_int_equal(t.cpuid_hz, 2400000000ull);
	/* Bochs 2.7 tigerlake (measured): leaf 0x15 says a 38.4 MHz crystal x 126/2 =
	 * 2419.2 MHz, while its TSC counts emulated instructions (ips=10000000) */
	struct tsc_cpuid bochs = {.max_leaf = 0x1b, .l15 = {2, 126, 38400000, 0}};
	t = tsc_choose(&bochs, 9999000ull);
	assert_true(t.disagree);
	assert_int_equal(t.cpuid_hz, 2419200000ull);
	assert_int_equal(t.hz, 9999000ull);
	assert_int_equal(t.source, TSC_SRC_PIT);
	t = tsc_choose(&crystal, 0);
	assert_int_equal(t.hz, 2400000000ull);
	assert_int_equal(t.source, TSC_SRC_CPUID_15);
	assert_false(t.disagree);
	struct tsc_cpuid old = {.max_leaf = 0xd};
	t = tsc_choose(&old, 2604693000ull);
	assert_int_equal(t.hz, 2604693000ull);
	assert_int_equal(t.source, TSC_SRC_PIT);
	t = tsc_choose(&old, 0);
	assert_int_equal(t.hz, TSC_FALLBACK_HZ);
	assert_int_equal(t.source, TSC_SRC_FALLBACK);
}

static void test_describe(void **state)
{
	char buf[256];
	struct tsc_choice t = tsc_choose(&crystal, 2399000000ull);
	struct tsc_cpuid old = {.max_leaf = 0xd}, noratio = crystal;

	tsc_describe(&t, &crystal, buf, sizeof(buf));
	assert_string_equal(buf, "2400000 kHz from CPUID 0x15 (crystal 24000 kHz x 200/2), PIT "
	                         "measured 2399000 kHz");
	t = tsc_choose(&crystal, 2500000000ull);
	tsc_describe(&t, &crystal, buf, sizeof(buf));
	assert_string_equal(buf,
	                    "2500000 kHz measured against the PIT; CPUID 0x15 (crystal 24000 "
	                    "kHz x 200/2) says 2400000 kHz, more than 1% apart: using the PIT");
	t = tsc_choose(&no_crystal, 0);
	tsc_describe(&t, &no_crystal, buf, sizeof(buf));
	assert_string_equal(buf, "2100000 kHz from CPUID 0x16 (base 2100 MHz; 0x15 ratio 176/2, no "
	                         "crystal) (the PIT did not count)");
	t = tsc_choose(&old, 2604693000ull);
	tsc_describe(&t, &old, buf, sizeof(buf));
	assert_string_equal(buf, "2604693 kHz measured against the PIT (CPUID has no leaf 0x15)");
	noratio.l15.ebx = 0;
	t = tsc_choose(&noratio, 0);
	tsc_describe(&t, &noratio, buf, sizeof(buf));
	assert_string_equal(buf, "assuming 1000000 kHz: the PIT did not count and CPUID 0x15 "
	                         "enumerates no TSC ratio");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuid_hz),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
