/* Unit tests for mm/pgtable.c against a fake table allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_tables.h"

#include "err.h"
#include "mm/pgtable.h"

#define FAKE_TABLES 64

static struct fake_mem mem;
static struct pgtable pt;

static int setup(void **state)
{
	struct pt_ops ops = {fake_alloc, fake_va, &mem};

	if (fake_mem_init(&mem, FAKE_TABLES) < 0)
		return -1;
	assert_int_equal(pt_init(&pt, &pt_format_x86, &ops), 0);
	return 0;
}

static int teardown(void **state)
{
	free(mem.tables);
	return 0;
}

static void expect_map(uint64_t va, uint64_t pa, uint64_t size)
{
	uint64_t flags = 0, page = 0;

	assert_int_equal(pt_translate(&pt, va, &flags, &page), pa);
	assert_int_equal(page, size);
	assert_true(flags & PTE_P);
}

static void test_4k_mapping_and_translate(void **state)
{
	assert_int_equal(pt_map(&pt, 0x5000, 0x9000, PAGE_SIZE, PTE_P | PTE_W, GiB(1), 0), 0);
	expect_map(0x5000, 0x9000, PAGE_SIZE);
	assert_int_equal(pt_translate(&pt, 0x5123, NULL, NULL), 0x9123);
	assert_int_equal(pt_translate(&pt, 0x6000, NULL, NULL), INVALID_HPA);
	assert_int_equal(pt_translate(&pt, 0x4fff, NULL, NULL), INVALID_HPA);
	assert_int_equal(pt.tables, 4); /* PML4, PDPT, PD, PT */
}

/* The walk sees each level's entry and stops at the leaf or a hole. */
static void test_walk_records_every_level(void **state)
{
	struct pt_walk w;

	assert_int_equal(pt_map(&pt, 0x5000, 0x9000, PAGE_SIZE, PTE_P | PTE_W, GiB(1), 0), 0);
	assert_int_equal(pt_map(&pt, GiB(1), GiB(3), MiB(2), PTE_P, GiB(1), 0), 0);
	pt_walk(&pt, 0x5123, &w);
	assert_int_equal(w.levels, 4);
	assert_int_equal(w.pa, 0x9123);
	assert_int_equal(w.page_size, PAGE_SIZE);
	assert_int_equal(w.entry[3], 0x9000 | PTE_P | PTE_W);
	for (int i = 0; i < 3; i++) /* tables: present, not leaves */
		assert_true((w.entry[i] & PTE_P) && !(w.entry[i] & PTE_PS));
	pt_walk(&pt, GiB(1) + 0x1234, &w);
	assert_int_equal(w.levels, 3); /* a 2 MiB leaf in the PD */
	assert_int_equal(w.pa, GiB(3) + 0x1234);
	assert_int_equal(w.page_size, MiB(2));
	assert_true(w.entry[2] & PTE_PS);
	pt_walk(&pt, 0x6000, &w); /* a hole in the last table */
	assert_int_equal(w.levels, 4);
	assert_int_equal(w.entry[3], 0);
	assert_int_equal(w.pa, INVALID_HPA);
	pt_walk(&pt, GiB(512), &w); /* nothing below the root entry */
	assert_int_equal(w.levels, 1);
	assert_int_equal(w.pa, INVALID_HPA);
	pt_walk(&pt, 1ull << 48, &w);
	assert_int_equal(w.levels, 0);
}

static void test_largest_page_that_fits(void **state)
{
	/* 4 KiB head, 2 MiB pages up to 1 GiB, a 1 GiB page, 2 MiB and 4 KiB tail. */
	uint64_t va = GiB(1) - MiB(2) - PAGE_SIZE;
	uint64_t len = PAGE_SIZE + MiB(2) + GiB(1) + MiB(2) + PAGE_SIZE;

	assert_int_equal(pt_map(&pt, va, va, len, PTE_P, GiB(1), 0), 0);
	expect_map(va, va, PAGE_SIZE);
	expect_map(GiB(1) - MiB(2), GiB(1) - MiB(2), MiB(2));
	expect_map(GiB(1), GiB(1), GiB(1));
	expect_map(GiB(1) + GiB(1) - 1, GiB(2) - 1, GiB(1));
	expect_map(GiB(2), GiB(2), MiB(2));
	expect_map(GiB(2) + MiB(2), GiB(2) + MiB(2), PAGE_SIZE);
	assert_int_equal(pt_translate(&pt, GiB(2) + MiB(2) + PAGE_SIZE, NULL, NULL), INVALID_HPA);
}

static void test_max_page_and_misaligned_pa_limit_size(void **state)
{
	/* max_page 2 MiB: no 1 GiB page even when aligned. */
	assert_int_equal(pt_map(&pt, GiB(1), GiB(1), GiB(1), PTE_P, MiB(2), 0), 0);
	expect_map(GiB(1), GiB(1), MiB(2));
	/* va 2 MiB aligned but pa only 4 KiB aligned: 4 KiB pages. */
	assert_int_equal(pt_map(&pt, GiB(4), GiB(8) + PAGE_SIZE, MiB(2), PTE_P, GiB(1), 0), 0);
	expect_map(GiB(4), GiB(8) + PAGE_SIZE, PAGE_SIZE);
	expect_map(GiB(4) + MiB(2) - PAGE_SIZE, GiB(8) + MiB(2), PAGE_SIZE);
}

static void test_no_1g_when_format_forbids(void **state)
{
	static const struct pt_format no1g = {
		.present_mask = PTE_P, .table_flags = PTE_P, .allow_1g = false};
	pt.fmt = &no1g;
	assert_int_equal(pt_map(&pt, 0, 0, GiB(1), PTE_P, GiB(1), 0), 0);
	expect_map(0, 0, MiB(2));
}

static void test_permissions_kept_in_leaf(void **state)
{
	uint64_t flags;

	assert_int_equal(pt_map(&pt, MiB(4), MiB(4), MiB(2), PTE_P | PTE_NX, GiB(1), 0), 0);
	assert_int_equal(pt_map(&pt, MiB(8), MiB(8), PAGE_SIZE, PTE_P | PTE_W, GiB(1), 0), 0);
	pt_translate(&pt, MiB(4), &flags, NULL);
	assert_true(flags & PTE_NX);
	assert_false(flags & PTE_W);
	assert_true(flags & PTE_PS);
	pt_translate(&pt, MiB(8), &flags, NULL);
	assert_true(flags & PTE_W);
	assert_false(flags & (PTE_NX | PTE_PS));
}

static void test_overlap_rejected(void **state)
{
	assert_int_equal(pt_map(&pt, MiB(2), MiB(4), MiB(2), PTE_P, MiB(2), 0), 0);
	assert_int_equal(pt_map(&pt, MiB(3), 0, PAGE_SIZE, PTE_P, GiB(1), 0), -EEXIST);
	assert_int_equal(pt_map(&pt, 0, 0, MiB(4), PTE_P, MiB(2), 0), -EEXIST);
	/* a large page over an existing 4 KiB page */
	assert_int_equal(pt_map(&pt, MiB(16), 0, PAGE_SIZE, PTE_P, GiB(1), 0), 0);
	assert_int_equal(pt_map(&pt, MiB(16), 0, MiB(2), PTE_P, MiB(2), 0), -EEXIST);
	/* the original mappings are untouched */
	expect_map(MiB(2), MiB(4), MiB(2));
	expect_map(MiB(16), 0, PAGE_SIZE);
}

static void test_skip_mapped_fills_holes_only(void **state)
{
	assert_int_equal(pt_map(&pt, MiB(1), 0xabc000, PAGE_SIZE, PTE_P, GiB(1), 0), 0);
	assert_int_equal(pt_map(&pt, MiB(2), 0x7000000, MiB(2), PTE_P, GiB(1), 0), 0);
	assert_int_equal(pt_map(&pt, 0, 0, MiB(8), PTE_P | PTE_W, GiB(1), PT_MAP_SKIP_MAPPED), 0);
	expect_map(MiB(1), 0xabc000, PAGE_SIZE);
	expect_map(MiB(2), 0x7000000, MiB(2));
	expect_map(MiB(1) + PAGE_SIZE, MiB(1) + PAGE_SIZE, PAGE_SIZE);
	expect_map(0, 0, PAGE_SIZE);
	expect_map(MiB(4), MiB(4), MiB(2));
	expect_map(MiB(6), MiB(6), MiB(2));
}

static void test_bad_arguments(void **state)
{
	assert_int_equal(pt_map(&pt, 0x1001, 0, PAGE_SIZE, PTE_P, GiB(1), 0), -EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0x10, PAGE_SIZE, PTE_P, GiB(1), 0), -EINVAL);
	assert_int_equal(pt_map(&pt, 0, 0, 100, PTE_P, GiB(1), 0), -EINVAL);
	assert_int_equal(pt_map(&pt, ~0ull & PAGE_MASK, 0, 2 * PAGE_SIZE, PTE_P, GiB(1), 0),
	                 -EINVAL);
	assert_int_equal(pt_map(&pt, 1ull << 48, 0, PAGE_SIZE, PTE_P, GiB(1), 0), -EINVAL);
	assert_int_equal(pt_map(&pt, 0, 1ull << 52, PAGE_SIZE, PTE_P, GiB(1), 0), -EINVAL);
	assert_int_equal(pt_translate(&pt, 1ull << 48, NULL, NULL), INVALID_HPA);
	assert_int_equal(pt.tables, 1);
}

static void test_out_of_tables(void **state)
{
	mem.limit = 3; /* root + PDPT + PD: no room for a PT */
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, PTE_P, GiB(1), 0), -ENOMEM);
	/* 2 MiB pages need no PT: still possible */
	assert_int_equal(pt_map(&pt, MiB(2), 0, MiB(2), PTE_P, GiB(1), 0), 0);
	expect_map(MiB(2), 0, MiB(2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_4k_mapping_and_translate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_largest_page_that_fits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_page_and_misaligned_pa_limit_size, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_no_1g_when_format_forbids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions_kept_in_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip_mapped_fills_holes_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_records_every_level, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
