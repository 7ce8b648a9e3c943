/* Unit tests for vmx/ept.c (over mm/pgtable.c) against a fake table allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_tables.h"

#include "err.h"
#include "vmx/ept.h"

#define FAKE_TABLES 1024 /* 4 KiB leaves over 1 GiB need 515 */
#define MT_MASK     (7ull << EPT_MT_SHIFT)

static struct fake_mem mem;
static struct ept ept;

static int setup(void **state)
{
	if (fake_mem_init(&mem, FAKE_TABLES) < 0)
		return -1;
	memset(&ept, 0, sizeof(ept));
	return mem.tables ? 0 : -1;
}

static int teardown(void **state)
{
	free(mem.tables);
	return 0;
}

static void init(bool allow_2m, bool allow_1g)
{
	struct pt_ops ops = {fake_alloc, fake_va, &mem};

	assert_int_equal(ept_init(&ept, &ops, allow_2m, allow_1g), 0);
	assert_int_equal(mem.used, 1);
	assert_int_equal(ept.pt.root, FAKE_BASE);
}

/* The raw entry for gpa in the table of `level` (4 = PML4 ... 1 = PT). */
static uint64_t entry_at(gpa_t gpa, int level)
{
	hpa_t table = ept.pt.root;

	for (int l = 4;; l--) {
		uint64_t e = fake_va(&mem, table)[(gpa >> (12 + 9 * (l - 1))) & 511];

		if (l == level)
			return e;
		assert_true(e & EPT_RWX);
		table = e & PTE_ADDR_MASK;
	}
}

static void expect_map(gpa_t gpa, hpa_t hpa, uint64_t size, uint64_t prot)
{
	uint64_t got_prot = ~0ull, page = 0;

	assert_int_equal(ept_translate(&ept, gpa, &got_prot, &page), hpa);
	assert_int_equal(page, size);
	assert_int_equal(got_prot, prot);
}

static void expect_unmapped(gpa_t gpa)
{
	assert_int_equal(ept_translate(&ept, gpa, NULL, NULL), INVALID_HPA);
}

/* A leaf mapping gpa: level 3 (1 GiB), 2 (2 MiB) or 1 (4 KiB). */
static void expect_leaf(gpa_t gpa, int level, uint64_t prot)
{
	uint64_t e = entry_at(gpa, level);

	assert_int_equal(e & EPT_RWX, prot);
	assert_int_equal(e & MT_MASK, EPT_MT_WB << EPT_MT_SHIFT);
	assert_int_equal((e & MT_MASK) >> 3, 6);
	assert_false(e & EPT_IGNORE_PAT);
	if (level > 1)
		assert_true(e & PTE_PS);
	else
		assert_false(e & PTE_PS);
	/* walk above the leaf: tables only, R|W|X and nothing else in bits 7:0 */
	for (int l = 4; l > level; l--)
		assert_int_equal(entry_at(gpa, l) & 0xff, EPT_RWX);
}

static void test_1g_leaf_when_allowed(void **state)
{
	init(true, true);
	assert_int_equal(ept.max_page, GiB(1));
	assert_int_equal(ept_map_ram(&ept, GiB(1), GiB(3), GiB(1), EPT_RWX), 0);
	assert_int_equal(mem.used, 2); /* PML4 + PDPT, no PD */
	assert_int_equal(ept.pt.tables, 2);
	expect_map(GiB(1), GiB(3), GiB(1), EPT_RWX);
	expect_map(GiB(1) + 0x12345678, GiB(3) + 0x12345678, GiB(1), EPT_RWX);
	expect_map(GiB(2) - 1, GiB(4) - 1, GiB(1), EPT_RWX);
	expect_leaf(GiB(1), 3, EPT_RWX);
	assert_int_equal(entry_at(GiB(1), 3) & PTE_ADDR_MASK, GiB(3));
	expect_unmapped(GiB(1) - 1);
	expect_unmapped(GiB(2));
}

static void test_2m_leaves_when_only_2m(void **state)
{
	init(true, false);
	assert_int_equal(ept.max_page, MiB(2));
	assert_int_equal(ept_map_ram(&ept, GiB(1), GiB(3), GiB(1), EPT_READ | EPT_WRITE), 0);
	assert_int_equal(mem.used, 3); /* PML4 + PDPT + PD */
	for (uint64_t off = 0; off < GiB(1); off += MiB(2))
		expect_leaf(GiB(1) + off, 2, EPT_READ | EPT_WRITE);
	expect_map(GiB(1), GiB(3), MiB(2), EPT_READ | EPT_WRITE);
	expect_map(GiB(1) + MiB(7) + 0x1234, GiB(3) + MiB(7) + 0x1234, MiB(2),
	           EPT_READ | EPT_WRITE);
	expect_map(GiB(2) - 1, GiB(4) - 1, MiB(2), EPT_READ | EPT_WRITE);
	expect_unmapped(GiB(2));
}

static void test_4k_leaves_when_no_large_pages(void **state)
{
	init(false, false);
	assert_int_equal(ept.max_page, PAGE_SIZE);
	assert_int_equal(ept_map_ram(&ept, GiB(1), GiB(3), GiB(1), EPT_READ | EPT_EXEC), 0);
	assert_int_equal(mem.used, 3 + 512); /* one PT per 2 MiB */
	assert_int_equal(ept.pt.tables, 3 + 512);
	expect_leaf(GiB(1), 1, EPT_READ | EPT_EXEC);
	expect_leaf(GiB(1) + MiB(2), 1, EPT_READ | EPT_EXEC);
	expect_leaf(GiB(2) - PAGE_SIZE, 1, EPT_READ | EPT_EXEC);
	expect_map(GiB(1), GiB(3), PAGE_SIZE, EPT_READ | EPT_EXEC);
	expect_map(GiB(1) + MiB(300) + 0xabc, GiB(3) + MiB(300) + 0xabc, PAGE_SIZE,
	           EPT_READ | EPT_EXEC);
	expect_map(GiB(2) - 1, GiB(4) - 1, PAGE_SIZE, EPT_READ | EPT_EXEC);
	expect_unmapped(GiB(2));
}

static void test_unaligned_edges_use_small_pages(void **state)
{
	/* 4 KiB head, two 2 MiB pages, 4 KiB tail (the range cannot hold 1 GiB) */
	gpa_t gpa = MiB(2) - PAGE_SIZE;
	uint64_t len = PAGE_SIZE + MiB(4) + PAGE_SIZE;

	init(true, true);
	assert_int_equal(ept_map_ram(&ept, gpa, gpa + GiB(1), len, EPT_RWX), 0);
	expect_map(gpa, gpa + GiB(1), PAGE_SIZE, EPT_RWX);
	expect_leaf(gpa, 1, EPT_RWX);
	expect_map(MiB(2), MiB(2) + GiB(1), MiB(2), EPT_RWX);
	expect_leaf(MiB(2), 2, EPT_RWX);
	expect_map(MiB(4) + 0x5432, MiB(4) + GiB(1) + 0x5432, MiB(2), EPT_RWX);
	expect_leaf(MiB(4), 2, EPT_RWX);
	expect_map(MiB(6), MiB(6) + GiB(1), PAGE_SIZE, EPT_RWX);
	expect_leaf(MiB(6), 1, EPT_RWX);
	expect_unmapped(gpa - 1);
	expect_unmapped(MiB(6) + PAGE_SIZE);
}

static void test_1g_range_with_2m_aligned_host_uses_2m(void **state)
{
	/* gpa 1 GiB aligned, hpa only 2 MiB aligned: no 1 GiB leaf */
	init(true, true);
	assert_int_equal(ept_map_ram(&ept, GiB(1), GiB(3) + MiB(2), GiB(1), EPT_READ), 0);
	expect_map(GiB(1), GiB(3) + MiB(2), MiB(2), EPT_READ);
	expect_leaf(GiB(2) - MiB(2), 2, EPT_READ);
}

static void test_prot_reported(void **state)
{
	static const uint64_t prots[] = {
		EPT_READ, EPT_EXEC, EPT_READ | EPT_WRITE, EPT_READ | EPT_EXEC, EPT_RWX,
	};

	init(true, true);
	for (unsigned i = 0; i < ARRAY_SIZE(prots); i++) {
		gpa_t gpa = MiB(2) * (i + 1);

		assert_int_equal(ept_map_ram(&ept, gpa, gpa, PAGE_SIZE, prots[i]), 0);
		assert_int_equal(ept_map_ram(&ept, GiB(i + 1), GiB(i + 1), MiB(2), prots[i]), 0);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(prots); i++) {
		gpa_t gpa = MiB(2) * (i + 1);

		expect_map(gpa + 8, gpa + 8, PAGE_SIZE, prots[i]);
		expect_leaf(gpa, 1, prots[i]);
		expect_map(GiB(i + 1) + MiB(1), GiB(i + 1) + MiB(1), MiB(2), prots[i]);
		expect_leaf(GiB(i + 1), 2, prots[i]);
	}
}

static void test_translate_unmapped(void **state)
{
	uint64_t prot = 0x55, page = 0x66;

	init(true, true);
	expect_unmapped(0);
	assert_int_equal(ept_map_ram(&ept, MiB(8), MiB(8), PAGE_SIZE, EPT_RWX), 0);
	/* same PT, neighbouring entries */
	expect_unmapped(MiB(8) - PAGE_SIZE);
	expect_unmapped(MiB(8) + PAGE_SIZE);
	/* another PML4 slot entirely */
	expect_unmapped(GiB(512));
	assert_int_equal(ept_translate(&ept, MiB(10), &prot, &page), INVALID_HPA);
	assert_int_equal(prot, 0);
	/* beyond the 48-bit guest-physical space */
	expect_unmapped(1ull << 48);
}

static void test_overlap_rejected(void **state)
{
	init(true, true);
	assert_int_equal(ept_map_ram(&ept, MiB(2), GiB(2), MiB(2), EPT_READ), 0);
	assert_int_equal(ept_map_ram(&ept, GiB(1), GiB(5), PAGE_SIZE, EPT_READ), 0);
	/* inside, containing, identical, straddling the end */
	assert_int_equal(ept_map_ram(&ept, MiB(3), 0, PAGE_SIZE, EPT_RWX), -EEXIST);
	assert_int_equal(ept_map_ram(&ept, 0, 0, MiB(8), EPT_RWX), -EEXIST);
	assert_int_equal(ept_map_ram(&ept, MiB(2), GiB(2), MiB(2), EPT_READ), -EEXIST);
	assert_int_equal(ept_map_ram(&ept, MiB(4) - PAGE_SIZE, 0, MiB(2), EPT_RWX), -EEXIST);
	/* a large page over a 4 KiB page, a 4 KiB page over a large one */
	assert_int_equal(ept_map_ram(&ept, GiB(1), 0, GiB(1), EPT_RWX), -EEXIST);
	assert_int_equal(ept_map_ram(&ept, GiB(1), 0, MiB(2), EPT_RWX), -EEXIST);
	/* the originals are untouched */
	expect_map(MiB(2), GiB(2), MiB(2), EPT_READ);
	expect_map(MiB(4) - 1, GiB(2) + MiB(2) - 1, MiB(2), EPT_READ);
	expect_leaf(MiB(2), 2, EPT_READ);
	expect_map(GiB(1), GiB(5), PAGE_SIZE, EPT_READ);
	expect_leaf(GiB(1), 1, EPT_READ);
	/* adjacent is fine */
	assert_int_equal(ept_map_ram(&ept, MiB(4), MiB(4), PAGE_SIZE, EPT_RWX), 0);
	expect_map(MiB(4), MiB(4), PAGE_SIZE, EPT_RWX);
}

static void test_invalid_prot(void **state)
{
	static const uint64_t bad[] = {
		0,
		EPT_WRITE,
		EPT_WRITE | EPT_EXEC,
		EPT_RWX | BIT(3),
		EPT_RWX | EPT_IGNORE_PAT,
		EPT_RWX | PTE_PS,
		EPT_READ | (EPT_MT_WB << EPT_MT_SHIFT),
		EPT_READ | BIT(63),
		BIT(5),
	};

	init(true, true);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(ept_map_ram(&ept, MiB(2), MiB(2), PAGE_SIZE, bad[i]), -EINVAL);
		assert_int_equal(ept_map_ram(&ept, GiB(1), GiB(1), GiB(1), bad[i]), -EINVAL);
	}
	expect_unmapped(MiB(2));
	expect_unmapped(GiB(1));
	assert_int_equal(mem.used, 1);
	/* the same call with a good prot works */
	assert_int_equal(ept_map_ram(&ept, MiB(2), MiB(2), PAGE_SIZE, EPT_READ), 0);
	expect_map(MiB(2), MiB(2), PAGE_SIZE, EPT_READ);
}

static void test_unaligned_arguments(void **state)
{
	init(true, true);
	assert_int_equal(ept_map_ram(&ept, MiB(2) + 0x800, MiB(2), PAGE_SIZE, EPT_RWX), -EINVAL);
	assert_int_equal(ept_map_ram(&ept, MiB(2), MiB(2) + 8, PAGE_SIZE, EPT_RWX), -EINVAL);
	assert_int_equal(ept_map_ram(&ept, MiB(2), MiB(2), PAGE_SIZE + 1, EPT_RWX), -EINVAL);
	assert_int_equal(ept_map_ram(&ept, MiB(2), MiB(2), 100, EPT_RWX), -EINVAL);
	/* wrapping */
	assert_int_equal(ept_map_ram(&ept, ~0ull & PAGE_MASK, 0, 2 * PAGE_SIZE, EPT_RWX), -EINVAL);
	assert_int_equal(ept_map_ram(&ept, 0, ~0ull & PAGE_MASK, 2 * PAGE_SIZE, EPT_RWX), -EINVAL);
	expect_unmapped(MiB(2));
	expect_unmapped(0);
	assert_int_equal(mem.used, 1);
}

static void test_exhaustion(void **state)
{
	struct pt_ops ops = {fake_alloc, fake_va, &mem};

	mem.limit = 0;
	assert_int_equal(ept_init(&ept, &ops, true, true), -ENOMEM);
	mem.limit = 3; /* root + PDPT + PD: no room for a PT */
	init(true, true);
	assert_int_equal(ept_map_ram(&ept, 0, 0, PAGE_SIZE, EPT_RWX), -ENOMEM);
	expect_unmapped(0);
	assert_int_equal(mem.used, 3);
	/* a 2 MiB leaf needs no PT */
	assert_int_equal(ept_map_ram(&ept, MiB(2), MiB(2), MiB(2), EPT_RWX), 0);
	expect_map(MiB(2), MiB(2), MiB(2), EPT_RWX);
	/* with one more table the 4 KiB mapping succeeds */
	mem.limit = 4;
	assert_int_equal(ept_map_ram(&ept, 0, 0, PAGE_SIZE, EPT_RWX), 0);
	expect_map(0, 0, PAGE_SIZE, EPT_RWX);
}

static void test_ept_pointer(void **state)
{
	struct pt_ops ops = {fake_alloc, fake_va, &mem};
	hpa_t root = FAKE_BASE + 5 * PAGE_SIZE;
	uint64_t eptp;

	mem.used = 5; /* put the root somewhere other than table 0 */
	assert_int_equal(ept_init(&ept, &ops, true, true), 0);
	assert_int_equal(ept.pt.root, root);
	eptp = ept_pointer(&ept);
	assert_int_equal(eptp, root | (3 << 3) | 6);
	assert_int_equal(eptp & PAGE_MASK, root);
	assert_int_equal(eptp & 7, EPTP_WB);  /* WB paging structures */
	assert_int_equal((eptp >> 3) & 7, 3); /* 4-level walk */
	assert_int_equal(eptp & 0xfc0, 0);    /* no A/D flags, nothing else */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_1g_leaf_when_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_2m_leaves_when_only_2m, setup, teardown),
		cmocka_unit_test_setup_teardown(test_4k_leaves_when_no_large_pages, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_unaligned_edges_use_small_pages, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_1g_range_with_2m_aligned_host_uses_2m, setup,
	                                        teardown),
		cmocka_unit_test_setup_teardown(test_prot_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_translate_unmapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_prot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unaligned_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ept_pointer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
