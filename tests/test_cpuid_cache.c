/* Unit tests for hv/vdev/cpuid_cache.c: the per-vCPU cache of CPUID answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/vdev/cpuid_cache.h"

static struct cpuid_regs regs(uint32_t x)
{
	return (struct cpuid_regs){.eax = x, .ebx = x + 1, .ecx = x + 2, .edx = x + 3};
}

static void expect_hit(const struct cpuid_cache *c, uint32_t leaf, uint32_t sub, uint32_t x)
{
	const struct cpuid_regs *r = cpuid_cache_get(c, leaf, sub);

	assert_non_null(r);
	assert_int_equal(r->eax, x);
	assert_int_equal(r->ebx, x + 1);
	assert_int_equal(r->ecx, x + 2);
	assert_int_equal(r->edx, x + 3);
}

static void test_empty_misses(void **state)
{
	struct cpuid_cache c = {0};

	/* a zeroed cache holds nothing, not even leaf 0 subleaf 0 */
	assert_null(cpuid_cache_get(&c, 0, 0));
	assert_null(cpuid_cache_get(&c, 0x80000000u, 0));
}

static void test_put_then_hit(void **state)
{
	struct cpuid_cache c = {0};
	struct cpuid_regs r = regs(0x100);

	cpuid_cache_put(&c, 0, 0, &r);
	expect_hit(&c, 0, 0, 0x100);
}

/* The key is leaf and subleaf: another subleaf or leaf misses, even in the same slot. */
static void test_key_is_exact(void **state)
{
	struct cpuid_cache c = {0};
	struct cpuid_regs r = regs(0x200);

	cpuid_cache_put(&c, 4, 1, &r);
	assert_null(cpuid_cache_get(&c, 4, 0));
	assert_null(cpuid_cache_get(&c, 4, 2));
	assert_null(cpuid_cache_get(&c, 4 + CPUID_CACHE_SLOTS, 1));
	assert_null(cpuid_cache_get(&c, 0x80000004u, 1));
	expect_hit(&c, 4, 1, 0x200);
}

/* A put into an occupied slot replaces its entry; the others stay. */
static void test_collision_replaces(void **state)
{
	struct cpuid_cache c = {0};
	struct cpuid_regs a = regs(0x10), b = regs(0x20), o = regs(0x30);
	uint32_t other = 1;

	assert_int_equal(cpuid_cache_slot(2, 0), cpuid_cache_slot(2 + CPUID_CACHE_SLOTS, 0));
	while (cpuid_cache_slot(other, 0) == cpuid_cache_slot(2, 0))
		other++;
	cpuid_cache_put(&c, other, 0, &o);
	cpuid_cache_put(&c, 2, 0, &a);
	cpuid_cache_put(&c, 2 + CPUID_CACHE_SLOTS, 0, &b);
	assert_null(cpuid_cache_get(&c, 2, 0));
	expect_hit(&c, 2 + CPUID_CACHE_SLOTS, 0, 0x20);
	expect_hit(&c, other, 0, 0x30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_misses),
		cmocka_unit_test(test_put_then_hit),
		cmocka_unit_test(test_key_is_exact),
		cmocka_unit_test(test_collision_replaces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
