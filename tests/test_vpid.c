/* Unit tests for vmx/vpid.c: the VPID bitmap allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "vmx/vpid.h"

static struct vpid_pool pool;

/* Every VPID 1..65535 once, lowest first, never 0; then -ENOSPC, not a wrap to 0 or 1. */
static void test_full_range(void **state)
{
	vpid_pool_init(&pool, VPID_MAX);
	for (uint32_t want = 1; want <= VPID_MAX; want++)
		assert_int_equal(vpid_alloc(&pool), want);
	assert_int_equal(pool.nfree, 0);
	assert_int_equal(vpid_alloc(&pool), -ENOSPC);
	assert_int_equal(vpid_alloc(&pool), -ENOSPC);
	/* A freed one is handed out again, and only it. */
	assert_int_equal(vpid_free(&pool, 40000), 0);
	assert_int_equal(vpid_alloc(&pool), 40000);
	assert_int_equal(vpid_alloc(&pool), -ENOSPC);
	assert_int_equal(vpid_free(&pool, VPID_MAX), 0);
	assert_int_equal(vpid_alloc(&pool), VPID_MAX);
}

static void test_lowest_free_first(void **state)
{
	vpid_pool_init(&pool, 200);
	for (int i = 1; i <= 130; i++)
		assert_int_equal(vpid_alloc(&pool), i);
	assert_int_equal(vpid_free(&pool, 64), 0);
	assert_int_equal(vpid_free(&pool, 3), 0);
	assert_int_equal(vpid_free(&pool, 129), 0);
	assert_int_equal(vpid_alloc(&pool), 3);
	assert_int_equal(vpid_alloc(&pool), 64);
	assert_int_equal(vpid_alloc(&pool), 129);
	assert_int_equal(vpid_alloc(&pool), 131);
	assert_int_equal(pool.nfree, 200 - 131);
}

static void test_small_pool_limit(void **state)
{
	/* last inside a bitmap word: nothing above it is handed out. */
	vpid_pool_init(&pool, 3);
	assert_int_equal(vpid_alloc(&pool), 1);
	assert_int_equal(vpid_alloc(&pool), 2);
	assert_int_equal(vpid_alloc(&pool), 3);
	assert_int_equal(vpid_alloc(&pool), -ENOSPC);
	vpid_pool_init(&pool, 0);
	assert_int_equal(vpid_alloc(&pool), -ENOSPC);
	vpid_pool_init(&pool, 100000); /* clamped to the field width */
	assert_int_equal(pool.last, VPID_MAX);
	assert_int_equal(pool.nfree, VPID_MAX);
}

static void test_bad_frees(void **state)
{
	vpid_pool_init(&pool, 10);
	assert_int_equal(vpid_free(&pool, 0), -EINVAL);  /* the host's */
	assert_int_equal(vpid_free(&pool, 5), -EINVAL);  /* never taken */
	assert_int_equal(vpid_free(&pool, 11), -EINVAL); /* beyond the pool */
	assert_int_equal(vpid_free(&pool, 70000), -EINVAL);
	assert_int_equal(vpid_alloc(&pool), 1);
	assert_int_equal(vpid_free(&pool, 1), 0);
	assert_int_equal(vpid_free(&pool, 1), -EINVAL); /* double free */
	assert_int_equal(pool.nfree, 10);
	assert_int_equal(vpid_alloc(&pool), 1);
}

/* Random alloc/free against a model: no duplicates, counts agree. */
static void test_random_against_model(void **state)
{
	static bool taken[VPID_MAX + 1];
	uint32_t seed = 12345, held = 0;

	memset(taken, 0, sizeof(taken));
	vpid_pool_init(&pool, 1000);
	for (int i = 0; i < 200000; i++) {
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 3) {
			int v = vpid_alloc(&pool);

			if (held == 1000) {
				assert_int_equal(v, -ENOSPC);
				continue;
			}
			assert_true(v >= 1 && v <= 1000);
			assert_false(taken[v]);
			taken[v] = true;
			held++;
		} else {
			uint32_t v = 1 + (seed >> 8) % 1000;

			assert_int_equal(vpid_free(&pool, v), taken[v] ? 0 : -EINVAL);
			held -= taken[v];
			taken[v] = false;
		}
		assert_int_equal(pool.nfree, 1000 - held);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_range),
		cmocka_unit_test(test_lowest_free_first),
		cmocka_unit_test(test_small_pool_limit),
		cmocka_unit_test(test_bad_frees),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
