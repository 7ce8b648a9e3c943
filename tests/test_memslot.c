/* Unit tests for hv/memslot.c: a VM's guest-physical memory map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "hv/memslot.h"

static struct memslots m;

static int setup(void **state)
{
	memset(&m, 0, sizeof(m));
	return 0;
}

static void expect_slot(size_t i, gpa_t gpa, uint64_t size, hpa_t hpa)
{
	assert_true(i < m.n);
	assert_int_equal(m.slot[i].gpa, gpa);
	assert_int_equal(m.slot[i].size, size);
	assert_int_equal(m.slot[i].hpa, hpa);
}

static void test_add_keeps_slots_sorted(void **state)
{
	assert_int_equal(memslot_add(&m, GiB(4), MiB(2), 0x100000), 0);
	assert_int_equal(memslot_add(&m, 0, MiB(1), 0x200000), 0);
	assert_int_equal(memslot_add(&m, GiB(1), PAGE_SIZE, 0x300000), 0);
	assert_int_equal(memslot_add(&m, GiB(8), MiB(4), 0x400000), 0);
	assert_int_equal(memslot_add(&m, MiB(16), MiB(8), 0x500000), 0);
	assert_int_equal(m.n, 5);
	expect_slot(0, 0, MiB(1), 0x200000);
	expect_slot(1, MiB(16), MiB(8), 0x500000);
	expect_slot(2, GiB(1), PAGE_SIZE, 0x300000);
	expect_slot(3, GiB(4), MiB(2), 0x100000);
	expect_slot(4, GiB(8), MiB(4), 0x400000);
}

static void test_overlap_rejected(void **state)
{
	assert_int_equal(memslot_add(&m, MiB(4), MiB(4), GiB(1)), 0);
	/* identical, partial at either end, contained, containing */
	assert_int_equal(memslot_add(&m, MiB(4), MiB(4), GiB(2)), -EEXIST);
	assert_int_equal(memslot_add(&m, MiB(2), MiB(4), GiB(2)), -EEXIST);
	assert_int_equal(memslot_add(&m, MiB(6), MiB(4), GiB(2)), -EEXIST);
	assert_int_equal(memslot_add(&m, MiB(8) - PAGE_SIZE, PAGE_SIZE, GiB(2)), -EEXIST);
	assert_int_equal(memslot_add(&m, MiB(4), PAGE_SIZE, GiB(2)), -EEXIST);
	assert_int_equal(memslot_add(&m, MiB(5), MiB(1), GiB(2)), -EEXIST);
	assert_int_equal(memslot_add(&m, 0, MiB(16), GiB(2)), -EEXIST);
	assert_int_equal(m.n, 1);
	expect_slot(0, MiB(4), MiB(4), GiB(1));
}

static void test_adjacent_allowed(void **state)
{
	assert_int_equal(memslot_add(&m, MiB(4), MiB(4), GiB(1)), 0);
	assert_int_equal(memslot_add(&m, MiB(8), PAGE_SIZE, GiB(3)), 0);
	assert_int_equal(memslot_add(&m, MiB(4) - PAGE_SIZE, PAGE_SIZE, GiB(2)), 0);
	assert_int_equal(m.n, 3);
	expect_slot(0, MiB(4) - PAGE_SIZE, PAGE_SIZE, GiB(2));
	expect_slot(1, MiB(4), MiB(4), GiB(1));
	expect_slot(2, MiB(8), PAGE_SIZE, GiB(3));
}

static void test_bad_arguments(void **state)
{
	assert_int_equal(memslot_add(&m, 0x800, PAGE_SIZE, 0), -EINVAL);
	assert_int_equal(memslot_add(&m, 0, PAGE_SIZE + 1, 0), -EINVAL);
	assert_int_equal(memslot_add(&m, 0, PAGE_SIZE, 0x10), -EINVAL);
	assert_int_equal(memslot_add(&m, 0, 0, 0), -EINVAL);
	assert_int_equal(memslot_add(&m, MiB(1), 0, MiB(1)), -EINVAL);
	assert_int_equal(memslot_add(&m, ~0ull & PAGE_MASK, 2 * PAGE_SIZE, 0), -EINVAL);
	assert_int_equal(memslot_add(&m, 0, 2 * PAGE_SIZE, ~0ull & PAGE_MASK), -EINVAL);
	assert_int_equal(memslot_add(&m, GiB(1), ~0ull & PAGE_MASK, 0), -EINVAL);
	assert_int_equal(m.n, 0);
	assert_int_equal(memslot_translate(&m, 0, 1), INVALID_HPA);
}

static void test_full_table(void **state)
{
	for (unsigned i = 0; i < MAX_MEMSLOTS; i++)
		assert_int_equal(memslot_add(&m, MiB(2) * i, MiB(1), GiB(1) + MiB(1) * i), 0);
	assert_int_equal(m.n, MAX_MEMSLOTS);
	assert_int_equal(memslot_add(&m, GiB(8), PAGE_SIZE, 0), -ENOSPC);
	/* overlap is still reported as such when full */
	assert_int_equal(memslot_add(&m, 0, PAGE_SIZE, 0), -EEXIST);
	assert_int_equal(m.n, MAX_MEMSLOTS);
	expect_slot(MAX_MEMSLOTS - 1, MiB(2) * (MAX_MEMSLOTS - 1), MiB(1),
	            GiB(1) + MiB(1) * (MAX_MEMSLOTS - 1));
	assert_int_equal(memslot_translate(&m, GiB(8), 1), INVALID_HPA);
	assert_int_equal(memslot_translate(&m, MiB(2) * 15 + 7, 1), GiB(1) + MiB(15) + 7);
}

static void test_translate(void **state)
{
	assert_int_equal(memslot_add(&m, MiB(4), MiB(4), GiB(1)), 0);
	assert_int_equal(memslot_add(&m, GiB(2), MiB(2), GiB(3) + MiB(6)), 0);
	/* inside */
	assert_int_equal(memslot_translate(&m, MiB(4), 1), GiB(1));
	assert_int_equal(memslot_translate(&m, MiB(5) + 0x123, 8), GiB(1) + MiB(1) + 0x123);
	assert_int_equal(memslot_translate(&m, MiB(4), MiB(4)), GiB(1));
	assert_int_equal(memslot_translate(&m, GiB(2) + 0x10, 0x100), GiB(3) + MiB(6) + 0x10);
	/* the last byte, and a range ending exactly at the slot end */
	assert_int_equal(memslot_translate(&m, MiB(8) - 1, 1), GiB(1) + MiB(4) - 1);
	assert_int_equal(memslot_translate(&m, MiB(8) - 8, 8), GiB(1) + MiB(4) - 8);
	/* crossing the slot end */
	assert_int_equal(memslot_translate(&m, MiB(8) - 1, 2), INVALID_HPA);
	assert_int_equal(memslot_translate(&m, MiB(8) - 4, 8), INVALID_HPA);
	assert_int_equal(memslot_translate(&m, MiB(4), MiB(4) + 1), INVALID_HPA);
	assert_int_equal(memslot_translate(&m, MiB(6), ~0ull), INVALID_HPA);
	/* outside: just before, just after, between, far away */
	assert_int_equal(memslot_translate(&m, MiB(4) - 1, 1), INVALID_HPA);
	assert_int_equal(memslot_translate(&m, MiB(4) - 1, 2), INVALID_HPA);
	assert_int_equal(memslot_translate(&m, MiB(8), 1), INVALID_HPA);
	assert_int_equal(memslot_translate(&m, GiB(1), 1), INVALID_HPA);
	assert_int_equal(memslot_translate(&m, GiB(2) + MiB(2), 1), INVALID_HPA);
	assert_int_equal(memslot_translate(&m, ~0ull, 1), INVALID_HPA);
	assert_int_equal(memslot_translate(&m, 0, 1), INVALID_HPA);
}

static void test_range_spanning_adjacent_slots(void **state)
{
	/* contiguous in guest and host alike: still two slots */
	assert_int_equal(memslot_add(&m, MiB(4), MiB(4), GiB(1)), 0);
	assert_int_equal(memslot_add(&m, MiB(8), MiB(4), GiB(1) + MiB(4)), 0);
	assert_int_equal(memslot_translate(&m, MiB(8) - 4, 8), INVALID_HPA);
	assert_int_equal(memslot_translate(&m, MiB(4), MiB(8)), INVALID_HPA);
	assert_int_equal(memslot_translate(&m, MiB(8) - 1, 1), GiB(1) + MiB(4) - 1);
	assert_int_equal(memslot_translate(&m, MiB(8), 4), GiB(1) + MiB(4));
	assert_int_equal(memslot_translate(&m, MiB(12) - 4, 4), GiB(1) + MiB(8) - 4);
	assert_int_equal(memslot_translate(&m, MiB(12) - 4, 5), INVALID_HPA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_add_keeps_slots_sorted, setup),
		cmocka_unit_test_setup(test_overlap_rejected, setup),
		cmocka_unit_test_setup(test_adjacent_allowed, setup),
		cmocka_unit_test_setup(test_bad_arguments, setup),
		cmocka_unit_test_setup(test_full_table, setup),
		cmocka_unit_test_setup(test_translate, setup),
		cmocka_unit_test_setup(test_range_spanning_adjacent_slots, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
