/* Unit tests for the physical frame allocator (mm/frame.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "mm/frame.h"

#define PG PAGE_SIZE

/* Checks the structural invariants: sorted, disjoint, non-adjacent, aligned, counted. */
static void check_invariants(const struct frame_alloc *fa)
{
	uint64_t frames = 0;

	assert_true(fa->nfree <= MAX_FREE_RANGES);
	for (size_t i = 0; i < fa->nfree; i++) {
		const struct mem_range *r = &fa->free[i];

		assert_true(IS_ALIGNED(r->base, PG));
		assert_true(IS_ALIGNED(r->end, PG));
		assert_true(r->base < r->end);
		if (i)
			assert_true(fa->free[i - 1].end < r->base);
		frames += (r->end - r->base) / PG;
	}
	assert_int_equal(frames, fa->free_frames);
	assert_true(fa->free_frames <= fa->total_frames);
}

static void expect_ranges(const struct frame_alloc *fa, const struct mem_range *want, size_t n)
{
	check_invariants(fa);
	assert_int_equal(fa->nfree, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(fa->free[i].base, want[i].base);
		assert_int_equal(fa->free[i].end, want[i].end);
	}
}

/* True if the meaningful parts of two allocators are identical. */
static bool fa_same(const struct frame_alloc *a, const struct frame_alloc *b)
{
	return a->nfree == b->nfree && a->total_frames == b->total_frames &&
	       a->free_frames == b->free_frames &&
	       memcmp(a->free, b->free, a->nfree * sizeof(a->free[0])) == 0;
}

static void test_init_empty(void **state)
{
	struct frame_alloc fa;

	memset(&fa, 0xa5, sizeof(fa));
	frame_init(&fa);
	assert_int_equal(fa.nfree, 0);
	assert_int_equal(fa.total_frames, 0);
	assert_int_equal(fa.free_frames, 0);
	assert_int_equal(frame_alloc(&fa, 1, PG, 0), INVALID_HPA);
}

static void test_add_merges_adjacent(void **state)
{
	struct frame_alloc fa;

	frame_init(&fa);
	assert_int_equal(frame_add_free(&fa, MiB(3), MiB(1)), 0);
	assert_int_equal(frame_add_free(&fa, MiB(1), MiB(1)), 0);
	expect_ranges(&fa, (struct mem_range[]){{MiB(1), MiB(2)}, {MiB(3), MiB(4)}}, 2);
	assert_int_equal(frame_add_free(&fa, MiB(2), MiB(1)), 0);
	expect_ranges(&fa, (struct mem_range[]){{MiB(1), MiB(4)}}, 1);
	assert_int_equal(fa.total_frames, 768);
	assert_int_equal(fa.free_frames, 768);
}

static void test_add_merges_overlapping(void **state)
{
	struct frame_alloc fa;

	frame_init(&fa);
	assert_int_equal(frame_add_free(&fa, MiB(1), MiB(2)), 0);
	assert_int_equal(frame_add_free(&fa, MiB(6), MiB(1)), 0);
	assert_int_equal(frame_add_free(&fa, MiB(2), MiB(3)), 0); /* overlaps the first */
	expect_ranges(&fa, (struct mem_range[]){{MiB(1), MiB(5)}, {MiB(6), MiB(7)}}, 2);
	assert_int_equal(fa.total_frames, 1280);
	/* Spans both and the gap: one range, only the gap's frames are new. */
	assert_int_equal(frame_add_free(&fa, 0, MiB(8)), 0);
	expect_ranges(&fa, (struct mem_range[]){{0, MiB(8)}}, 1);
	assert_int_equal(fa.total_frames, 2048);
	/* Re-adding what is free changes nothing. */
	assert_int_equal(frame_add_free(&fa, MiB(2), MiB(1)), 0);
	assert_int_equal(fa.total_frames, 2048);
	assert_int_equal(fa.free_frames, 2048);
}

static void test_add_trims_inward(void **state)
{
	struct frame_alloc fa;

	frame_init(&fa);
	assert_int_equal(frame_add_free(&fa, 0x1001, 0x3000), 0);
	expect_ranges(&fa, (struct mem_range[]){{0x2000, 0x4000}}, 1);
	/* Less than one whole page: nothing. */
	assert_int_equal(frame_add_free(&fa, 0x10800, 0xfff), 0);
	assert_int_equal(frame_add_free(&fa, 0x20000, 0), 0);
	assert_int_equal(fa.nfree, 1);
	assert_int_equal(fa.total_frames, 2);
}

static void test_add_wrap_and_top(void **state)
{
	struct frame_alloc fa;

	frame_init(&fa);
	assert_int_equal(frame_add_free(&fa, UINT64_MAX - PG, 2 * PG), -EINVAL);
	assert_int_equal(frame_add_free(&fa, 1, UINT64_MAX), -EINVAL);
	assert_int_equal(fa.nfree, 0);
	/* Up to the very top: the last page cannot be represented and is dropped. */
	assert_int_equal(frame_add_free(&fa, UINT64_MAX - 3 * PG + 1, 3 * PG - 1), 0);
	expect_ranges(&fa, (struct mem_range[]){{UINT64_MAX - 3 * PG + 1, UINT64_MAX - PG + 1}}, 1);
	assert_int_equal(fa.free_frames, 2);
	assert_int_equal(frame_add_free(&fa, UINT64_MAX - 10, 10), 0);
	assert_int_equal(fa.nfree, 1);
}

static void test_reserve_middle_splits(void **state)
{
	struct frame_alloc fa;

	frame_init(&fa);
	assert_int_equal(frame_add_free(&fa, MiB(1), MiB(3)), 0);
	/* 0x20 bytes inside one page grow to that whole page. */
	assert_int_equal(frame_reserve(&fa, MiB(2) + 0x10, 0x20), 0);
	expect_ranges(&fa, (struct mem_range[]){{MiB(1), MiB(2)}, {MiB(2) + PG, MiB(4)}}, 2);
	assert_int_equal(fa.free_frames, 767);
	assert_int_equal(fa.total_frames, 767);
	/* Unaligned at both ends, straddling two pages. */
	assert_int_equal(frame_reserve(&fa, MiB(3) - 1, 2), 0);
	expect_ranges(&fa,
	              (struct mem_range[]){
			      {MiB(1), MiB(2)}, {MiB(2) + PG, MiB(3) - PG}, {MiB(3) + PG, MiB(4)}},
	              3);
	assert_int_equal(fa.free_frames, 765);
	assert_false(frame_is_free(&fa, MiB(3) - PG, 1));
	assert_false(frame_is_free(&fa, MiB(3), 1));
}

static void test_reserve_edges(void **state)
{
	struct frame_alloc fa;

	frame_init(&fa);
	assert_int_equal(frame_add_free(&fa, MiB(1), MiB(1)), 0);
	assert_int_equal(frame_reserve(&fa, MiB(1), PG), 0);
	assert_int_equal(frame_reserve(&fa, MiB(2) - 1, 1), 0);
	expect_ranges(&fa, (struct mem_range[]){{MiB(1) + PG, MiB(2) - PG}}, 1);
	/* Overlapping the start from below and the end from above. */
	assert_int_equal(frame_reserve(&fa, 0, MiB(1) + 2 * PG), 0);
	assert_int_equal(frame_reserve(&fa, MiB(2) - 2 * PG, MiB(5)), 0);
	expect_ranges(&fa, (struct mem_range[]){{MiB(1) + 2 * PG, MiB(2) - 2 * PG}}, 1);
	assert_int_equal(fa.free_frames, 252);
	assert_int_equal(fa.total_frames, 252);
	/* Outside any range, and empty: no change. */
	assert_int_equal(frame_reserve(&fa, MiB(8), MiB(1)), 0);
	assert_int_equal(frame_reserve(&fa, MiB(1) + 8 * PG, 0), 0);
	assert_int_equal(fa.free_frames, 252);
	assert_int_equal(fa.nfree, 1);
}

static void test_reserve_across_ranges(void **state)
{
	struct frame_alloc fa;

	frame_init(&fa);
	for (int i = 0; i < 4; i++)
		assert_int_equal(frame_add_free(&fa, MiB(2 * i), MiB(1)), 0);
	assert_int_equal(frame_reserve(&fa, MiB(0) + 0x80000, MiB(4)), 0);
	expect_ranges(
		&fa,
		(struct mem_range[]){{0, 0x80000}, {MiB(4) + 0x80000, MiB(5)}, {MiB(6), MiB(7)}},
		3);
	assert_int_equal(fa.free_frames, 128 + 128 + 256);
	assert_int_equal(fa.total_frames, 512);
}

static void test_reserve_everything(void **state)
{
	struct frame_alloc fa;

	frame_init(&fa);
	assert_int_equal(frame_add_free(&fa, 0, MiB(1)), 0);
	assert_int_equal(frame_add_free(&fa, GiB(4), GiB(1)), 0);
	assert_int_equal(frame_add_free(&fa, UINT64_MAX - MiB(1) + 1, MiB(1) - 1), 0);
	assert_int_equal(frame_reserve(&fa, 0, UINT64_MAX), 0);
	assert_int_equal(fa.nfree, 0);
	assert_int_equal(fa.free_frames, 0);
	assert_int_equal(fa.total_frames, 0);
	assert_int_equal(frame_alloc(&fa, 1, PG, 0), INVALID_HPA);
	assert_int_equal(frame_reserve(&fa, 2, UINT64_MAX - 1), -EINVAL);
}

static void test_alloc_aligned(void **state)
{
	struct frame_alloc fa;
	hpa_t a, b;

	frame_init(&fa);
	assert_int_equal(frame_add_free(&fa, PG, MiB(8) - PG), 0);
	a = frame_alloc(&fa, 1, LARGE_PAGE_SIZE, 0);
	assert_int_equal(a, MiB(2));
	expect_ranges(&fa, (struct mem_range[]){{PG, MiB(2)}, {MiB(2) + PG, MiB(8)}}, 2);
	/* 512 frames 2 MiB-aligned: the next aligned slot that fits is 4 MiB. */
	b = frame_alloc(&fa, 512, LARGE_PAGE_SIZE, 0);
	assert_int_equal(b, MiB(4));
	assert_int_equal(fa.free_frames, 2047 - 513);
	/* Page alignment takes the lowest frame. */
	assert_int_equal(frame_alloc(&fa, 3, PG, 0), PG);
	assert_int_equal(frame_alloc(&fa, 1, KiB(64), 0), KiB(64));
	check_invariants(&fa);
	assert_int_equal(fa.total_frames, 2047);
}

static void test_alloc_lowest_first_fit(void **state)
{
	struct frame_alloc fa;

	frame_init(&fa);
	assert_int_equal(frame_add_free(&fa, MiB(1), 2 * PG), 0);
	assert_int_equal(frame_add_free(&fa, MiB(2), 16 * PG), 0);
	assert_int_equal(frame_add_free(&fa, MiB(3), 64 * PG), 0);
	assert_int_equal(frame_alloc(&fa, 4, PG, 0), MiB(2));
	assert_int_equal(frame_alloc(&fa, 1, PG, 0), MiB(1));
	assert_int_equal(frame_alloc(&fa, 13, PG, 0), MiB(3));
	assert_int_equal(frame_alloc(&fa, 12, PG, 0), MiB(2) + 4 * PG);
	check_invariants(&fa);
}

static void test_alloc_limit(void **state)
{
	struct frame_alloc fa;

	frame_init(&fa);
	assert_int_equal(frame_add_free(&fa, GiB(4) - MiB(1), MiB(2)), 0);
	/* 512 frames do not fit below 4 GiB ... */
	assert_int_equal(frame_alloc(&fa, 512, PG, GiB(4)), INVALID_HPA);
	assert_int_equal(fa.free_frames, 512);
	/* ... 256 fit exactly, ending at the limit. */
	assert_int_equal(frame_alloc(&fa, 256, PG, GiB(4)), GiB(4) - MiB(1));
	assert_int_equal(frame_alloc(&fa, 1, PG, GiB(4)), INVALID_HPA);
	/* Without a limit the rest, above 4 GiB, is available. */
	assert_int_equal(frame_alloc(&fa, 1, PG, 0), GiB(4));
	/* A limit below every range. */
	assert_int_equal(frame_alloc(&fa, 1, PG, MiB(1)), INVALID_HPA);
	check_invariants(&fa);
	assert_int_equal(fa.free_frames, 255);
}

static void test_alloc_exhaustion_and_bad_args(void **state)
{
	struct frame_alloc fa;

	frame_init(&fa);
	assert_int_equal(frame_add_free(&fa, MiB(1), 4 * PG), 0);
	assert_int_equal(frame_alloc(&fa, 0, PG, 0), INVALID_HPA);
	assert_int_equal(frame_alloc(&fa, 1, PG / 2, 0), INVALID_HPA);
	assert_int_equal(frame_alloc(&fa, 1, 3 * PG, 0), INVALID_HPA);
	assert_int_equal(frame_alloc(&fa, 1, 0, 0), INVALID_HPA);
	assert_int_equal(frame_alloc(&fa, SIZE_MAX, PG, 0), INVALID_HPA);
	assert_int_equal(frame_alloc(&fa, 5, PG, 0), INVALID_HPA);
	assert_int_equal(frame_alloc(&fa, 1, BIT(63), 0), INVALID_HPA);
	assert_int_equal(fa.free_frames, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(frame_alloc(&fa, 1, PG, 0), MiB(1) + i * PG);
	assert_int_equal(frame_alloc(&fa, 1, PG, 0), INVALID_HPA);
	assert_int_equal(fa.nfree, 0);
	assert_int_equal(fa.free_frames, 0);
	assert_int_equal(fa.total_frames, 4);
}

static void test_free_remerges(void **state)
{
	struct frame_alloc fa;
	hpa_t p[8];
	static const int order[8] = {3, 0, 7, 5, 1, 6, 2, 4};

	frame_init(&fa);
	assert_int_equal(frame_add_free(&fa, MiB(1), 64 * PG), 0);
	for (int i = 0; i < 8; i++)
		p[i] = frame_alloc(&fa, 8, PG, 0);
	assert_int_equal(fa.nfree, 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(frame_free(&fa, p[order[i]], 8), 0);
		check_invariants(&fa);
	}
	expect_ranges(&fa, (struct mem_range[]){{MiB(1), MiB(1) + 64 * PG}}, 1);
	assert_int_equal(fa.free_frames, 64);
	assert_int_equal(fa.total_frames, 64);
}

static void test_double_free_rejected(void **state)
{
	struct frame_alloc fa, snap;
	hpa_t a, b;

	frame_init(&fa);
	assert_int_equal(frame_add_free(&fa, MiB(1), 16 * PG), 0);
	a = frame_alloc(&fa, 4, PG, 0);
	b = frame_alloc(&fa, 4, PG, 0);
	assert_int_equal(frame_free(&fa, a, 4), 0);
	snap = fa;
	assert_int_equal(frame_free(&fa, a, 4), -EINVAL);      /* exact double free */
	assert_int_equal(frame_free(&fa, a + PG, 1), -EINVAL); /* one frame of it */
	assert_int_equal(frame_free(&fa, b, 5), -EINVAL);      /* runs into free frames */
	assert_int_equal(frame_free(&fa, b - PG, 2), -EINVAL); /* starts in free frames */
	assert_int_equal(frame_free(&fa, b + 1, 1), -EINVAL);  /* unaligned */
	assert_int_equal(frame_free(&fa, b, 0), -EINVAL);
	assert_int_equal(frame_free(&fa, UINT64_MAX - PG + 1, 1), -EINVAL); /* last page */
	assert_int_equal(frame_free(&fa, GiB(1), SIZE_MAX), -EINVAL);       /* wraps */
	assert_true(fa_same(&fa, &snap));
	assert_int_equal(frame_free(&fa, b, 4), 0);
	expect_ranges(&fa, (struct mem_range[]){{MiB(1), MiB(1) + 16 * PG}}, 1);
	assert_int_equal(fa.free_frames, 16);
}

static void test_is_free(void **state)
{
	struct frame_alloc fa;

	frame_init(&fa);
	assert_int_equal(frame_add_free(&fa, MiB(1), MiB(1)), 0);
	assert_int_equal(frame_add_free(&fa, MiB(3), MiB(1)), 0);
	assert_true(frame_is_free(&fa, MiB(1), MiB(1)));
	assert_true(frame_is_free(&fa, MiB(1) + 5, 10));
	assert_false(frame_is_free(&fa, MiB(1), MiB(1) + 1));
	assert_false(frame_is_free(&fa, MiB(1) - 1, 2));
	assert_false(frame_is_free(&fa, MiB(2), MiB(1) + 1)); /* the gap */
	assert_false(frame_is_free(&fa, MiB(1), MiB(3)));     /* spans the gap */
	assert_false(frame_is_free(&fa, UINT64_MAX, 2));
	assert_true(frame_is_free(&fa, MiB(9), 0));
}

/* Fills the table with n disjoint two-page ranges 1 MiB apart. */
static void fill_ranges(struct frame_alloc *fa, size_t n)
{
	frame_init(fa);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(frame_add_free(fa, MiB(1) * (i + 1), 4 * PG), 0);
}

static void test_table_full(void **state)
{
	struct frame_alloc fa, snap;

	fill_ranges(&fa, MAX_FREE_RANGES);
	snap = fa;
	assert_int_equal(frame_add_free(&fa, GiB(4), PG), -ENOSPC);
	assert_int_equal(frame_reserve(&fa, MiB(1) + PG, PG), -ENOSPC); /* needs a split */
	assert_int_equal(frame_free(&fa, GiB(8), 1), -ENOSPC);          /* adjacent to nothing */
	assert_true(fa_same(&fa, &snap));
	/* Operations that need no new slot still work. */
	assert_int_equal(frame_add_free(&fa, MiB(1) + 4 * PG, PG), 0); /* extends a range */
	assert_int_equal(frame_reserve(&fa, MiB(2), PG), 0);           /* trims a range */
	assert_int_equal(frame_alloc(&fa, 1, PG, 0), MiB(1));          /* from a range start */
	assert_int_equal(fa.nfree, MAX_FREE_RANGES);
	/* 1 MiB + 8 KiB would split its range: passed over for the next range's start. */
	assert_int_equal(frame_alloc(&fa, 1, 2 * PG, 0), MiB(3));
	assert_int_equal(fa.nfree, MAX_FREE_RANGES);
	assert_true(frame_is_free(&fa, MiB(1) + PG, 4 * PG));
	check_invariants(&fa);
}

static void test_map_reserved_wins(void **state)
{
	struct frame_alloc fa;
	struct frame_map_report rep;
	const struct mem_region map[] = {
		{0, KiB(640), MEM_AVAILABLE},
		{0xf0000, 0x10000, MEM_RESERVED},
		{MiB(1), MiB(127), MEM_AVAILABLE},
		{MiB(8) + 0x123, 0x10, MEM_RESERVED},
		{MiB(100), MiB(1), MEM_ACPI_RECLAIMABLE},
		{MiB(120), MiB(16), MEM_NVS}, /* overlaps the end of RAM */
	};

	assert_int_equal(frame_init_from_map(&fa, map, ARRAY_SIZE(map), &rep), 0);
	expect_ranges(&fa,
	              (struct mem_range[]){{0, KiB(640)},
	                                   {MiB(1), MiB(8)},
	                                   {MiB(8) + PG, MiB(100)},
	                                   {MiB(101), MiB(120)}},
	              4);
	assert_int_equal(fa.total_frames, fa.free_frames);
	assert_int_equal(fa.free_frames, 160 + 1792 + 23551 + 4864);
	assert_int_equal(rep.overlaps, 4);
	assert_int_equal(rep.zero_len, 0);
	assert_int_equal(rep.wraps, 0);
	assert_int_equal(rep.unaligned, 0);
	/* A reserved entry listed before the available one still wins. */
	const struct mem_region map2[] = {
		{MiB(4), PG, MEM_BADRAM},
		{MiB(1), MiB(7), MEM_AVAILABLE},
	};
	assert_int_equal(frame_init_from_map(&fa, map2, 2, &rep), 0);
	assert_false(frame_is_free(&fa, MiB(4), PG));
	assert_int_equal(fa.free_frames, 1791);
	assert_int_equal(rep.overlaps, 2);
}

static void test_map_overlapping_available(void **state)
{
	struct frame_alloc fa;
	struct frame_map_report rep;
	const struct mem_region map[] = {
		{MiB(1), MiB(2), MEM_AVAILABLE}, {MiB(2), MiB(2), MEM_AVAILABLE},
		{MiB(2), MiB(1), MEM_AVAILABLE}, /* inside both */
		{MiB(4), MiB(1), MEM_AVAILABLE}, /* adjacent only: no overlap */
		{MiB(8), MiB(1), MEM_AVAILABLE},
	};

	assert_int_equal(frame_init_from_map(&fa, map, ARRAY_SIZE(map), &rep), 0);
	expect_ranges(&fa, (struct mem_range[]){{MiB(1), MiB(5)}, {MiB(8), MiB(9)}}, 2);
	assert_int_equal(fa.total_frames, 1280);
	assert_int_equal(fa.free_frames, 1280);
	assert_int_equal(rep.overlaps, 3);
}

static void test_map_degenerate_entries(void **state)
{
	struct frame_alloc fa;
	struct frame_map_report rep;
	const struct mem_region map[] = {
		{MiB(1), 0, MEM_AVAILABLE},                  /* zero length */
		{MiB(2), 0, MEM_RESERVED},                   /* zero length */
		{UINT64_MAX - MiB(1), MiB(2), MEM_RESERVED}, /* wraps: skipped */
		{GiB(1), UINT64_MAX, MEM_AVAILABLE},         /* wraps: skipped */
		{MiB(1) + 0x800, 0x800, MEM_AVAILABLE},      /* truncated below a page */
		{0x1800, 0x4000, MEM_AVAILABLE},             /* trimmed to 0x2000..0x5000 */
		{MiB(16), MiB(1) + 0x10, MEM_AVAILABLE},     /* unaligned end */
		{MiB(16) + 0x3100, 0x100, MEM_RESERVED},     /* grown to one page */
	};

	assert_int_equal(frame_init_from_map(&fa, map, ARRAY_SIZE(map), &rep), 0);
	expect_ranges(&fa,
	              (struct mem_range[]){{0x2000, 0x5000},
	                                   {MiB(16), MiB(16) + 0x3000},
	                                   {MiB(16) + 0x4000, MiB(17)}},
	              3);
	assert_int_equal(rep.zero_len, 2);
	assert_int_equal(rep.wraps, 2);
	assert_int_equal(rep.unaligned, 3);
	assert_int_equal(rep.overlaps, 2);
	assert_int_equal(fa.free_frames, 3 + 255);
	/* A NULL report and an empty map are fine; the map replaces earlier state. */
	assert_int_equal(frame_init_from_map(&fa, map, ARRAY_SIZE(map), NULL), 0);
	assert_int_equal(fa.free_frames, 258);
	assert_int_equal(frame_init_from_map(&fa, map, 0, &rep), 0);
	assert_int_equal(fa.nfree, 0);
	assert_int_equal(fa.total_frames, 0);
	assert_int_equal(rep.overlaps + rep.zero_len + rep.wraps + rep.unaligned, 0);
}

static void test_map_error_still_reserves(void **state)
{
	static struct mem_region map[MAX_FREE_RANGES + 2];
	struct frame_alloc fa;

	for (size_t i = 0; i <= MAX_FREE_RANGES; i++)
		map[i] = (struct mem_region){MiB(1) * (i + 1), MiB(1) / 2, MEM_AVAILABLE};
	map[MAX_FREE_RANGES + 1] = (struct mem_region){MiB(1), PG, MEM_RESERVED};
	assert_int_equal(frame_init_from_map(&fa, map, ARRAY_SIZE(map), NULL), -ENOSPC);
	assert_int_equal(fa.nfree, MAX_FREE_RANGES);
	assert_false(frame_is_free(&fa, MiB(1), PG));
	assert_true(frame_is_free(&fa, MiB(1) + PG, MiB(1) / 2 - PG));
	check_invariants(&fa);
}

/* ---- property test against a page-state model --------------------------- */

#define M_BASE  GiB(1)
#define M_PAGES 200 /* at most 100 free ranges: the table never fills */

enum { M_NONE, M_FREE, M_USED, M_RSVD };

struct model {
	uint8_t st[M_PAGES];
	struct {
		size_t page, n;
	} live[M_PAGES];
	size_t nlive;
	uint64_t rng;
};

static uint64_t rnd(struct model *m, uint64_t n)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng % n;
}

static uint64_t pa_of(size_t page)
{
	return M_BASE + page * PG;
}

static bool any_in(const struct model *m, size_t s, size_t e, int st)
{
	for (size_t i = s; i < e; i++) {
		if (m->st[i] == st)
			return true;
	}
	return false;
}

static void set_pages(struct model *m, size_t s, size_t e, int st)
{
	for (size_t i = s; i < e; i++)
		m->st[i] = st;
}

/* A random byte range inside the model space, at least one byte, often with unaligned ends. */
static void rnd_bytes(struct model *m, uint64_t *base, uint64_t *len)
{
	size_t s = rnd(m, M_PAGES);
	size_t n = 1 + rnd(m, MIN(16, M_PAGES - s));
	uint64_t end = pa_of(s + n) - (rnd(m, 3) ? 0 : rnd(m, PG));

	*base = pa_of(s) + (rnd(m, 3) ? 0 : rnd(m, PG));
	*len = end > *base ? end - *base : 1;
}

static void op_add(struct frame_alloc *fa, struct model *m)
{
	uint64_t base, len;
	size_t s, e;

	rnd_bytes(m, &base, &len);
	s = (ALIGN_UP(base, PG) - M_BASE) / PG;
	e = (ALIGN_DOWN(base + len, PG) - M_BASE) / PG;
	if (any_in(m, s, e, M_USED) || any_in(m, s, e, M_RSVD))
		return;
	assert_int_equal(frame_add_free(fa, base, len), 0);
	set_pages(m, s, e, M_FREE);
}

static void op_reserve(struct frame_alloc *fa, struct model *m)
{
	uint64_t base, len;
	size_t s, e;

	rnd_bytes(m, &base, &len);
	s = (ALIGN_DOWN(base, PG) - M_BASE) / PG;
	e = (ALIGN_UP(base + len, PG) - M_BASE) / PG;
	if (any_in(m, s, e, M_USED))
		return;
	assert_int_equal(frame_reserve(fa, base, len), 0);
	set_pages(m, s, e, M_RSVD);
}

/* The model's answer: lowest aligned run of n free pages ending by limit. */
static hpa_t model_fit(const struct model *m, size_t n, uint64_t align, uint64_t limit)
{
	for (size_t p = 0; p + n <= M_PAGES; p++) {
		if (!IS_ALIGNED(pa_of(p), align) || (limit && pa_of(p + n) > limit))
			continue;
		if (!any_in(m, p, p + n, M_NONE) && !any_in(m, p, p + n, M_USED) &&
		    !any_in(m, p, p + n, M_RSVD))
			return pa_of(p);
	}
	return INVALID_HPA;
}

static void op_alloc(struct frame_alloc *fa, struct model *m)
{
	size_t n = 1 + rnd(m, 8);
	uint64_t align = PG << rnd(m, 5);
	uint64_t limit = rnd(m, 2) ? 0 : M_BASE + rnd(m, M_PAGES * PG);
	hpa_t want = model_fit(m, n, align, limit);
	hpa_t got = frame_alloc(fa, n, align, limit);
	size_t s;

	assert_int_equal(got, want);
	if (got == INVALID_HPA)
		return;
	assert_true(got >= M_BASE && (got - M_BASE) / PG + n <= M_PAGES);
	s = (got - M_BASE) / PG;
	for (size_t i = s; i < s + n; i++)
		assert_int_equal(m->st[i], M_FREE); /* never reserved, never handed out twice */
	set_pages(m, s, s + n, M_USED);
	m->live[m->nlive].page = s;
	m->live[m->nlive].n = n;
	m->nlive++;
}

static void op_free(struct frame_alloc *fa, struct model *m)
{
	size_t k;

	if (!m->nlive)
		return;
	k = rnd(m, m->nlive);
	assert_int_equal(frame_free(fa, pa_of(m->live[k].page), m->live[k].n), 0);
	set_pages(m, m->live[k].page, m->live[k].page + m->live[k].n, M_FREE);
	m->live[k] = m->live[--m->nlive];
}

/* Frees a range touching at least one free page: must fail and change nothing. */
static void op_bad_free(struct frame_alloc *fa, struct model *m)
{
	size_t s = rnd(m, M_PAGES);
	size_t n = 1 + rnd(m, MIN(8, M_PAGES - s));
	struct frame_alloc snap = *fa;

	if (!any_in(m, s, s + n, M_FREE))
		return;
	assert_int_equal(frame_free(fa, pa_of(s), n), -EINVAL);
	assert_true(fa_same(fa, &snap));
}

static void check_model(const struct frame_alloc *fa, struct model *m)
{
	uint8_t is_free[M_PAGES] = {0};
	uint64_t nfree = 0, nused = 0;
	size_t probe = rnd(m, M_PAGES);

	check_invariants(fa);
	for (size_t r = 0; r < fa->nfree; r++) {
		assert_true(fa->free[r].base >= M_BASE && fa->free[r].end <= pa_of(M_PAGES));
		for (uint64_t a = fa->free[r].base; a < fa->free[r].end; a += PG)
			is_free[(a - M_BASE) / PG] = 1;
	}
	for (size_t i = 0; i < M_PAGES; i++) {
		assert_int_equal(is_free[i], m->st[i] == M_FREE);
		nfree += m->st[i] == M_FREE;
		nused += m->st[i] == M_USED;
	}
	assert_int_equal(fa->free_frames, nfree);
	assert_int_equal(fa->total_frames, nfree + nused);
	assert_int_equal(frame_is_free(fa, pa_of(probe), PG), m->st[probe] == M_FREE);
}

/* Reservations are permanent, so the space is reset every epoch to keep it in use. */
static void test_random_against_model(void **state)
{
	static struct model m;
	struct frame_alloc fa;
	unsigned allocs = 0, frees = 0;

	m.rng = 0x9e3779b97f4a7c15ull;
	for (int epoch = 0; epoch < 20; epoch++) {
		memset(m.st, M_NONE, sizeof(m.st));
		m.nlive = 0;
		frame_init(&fa);
		for (int step = 0; step < 1000; step++) {
			unsigned op = rnd(&m, 100);
			size_t live = m.nlive;

			if (op < 20)
				op_add(&fa, &m);
			else if (op < 23)
				op_reserve(&fa, &m);
			else if (op < 65)
				op_alloc(&fa, &m);
			else if (op < 95)
				op_free(&fa, &m);
			else
				op_bad_free(&fa, &m);
			allocs += m.nlive > live;
			frees += m.nlive < live;
			check_model(&fa, &m);
		}
	}
	/* The sequence really exercised allocation and freeing. */
	assert_true(allocs > 2000);
	assert_true(frees > 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_empty),
		cmocka_unit_test(test_add_merges_adjacent),
		cmocka_unit_test(test_add_merges_overlapping),
		cmocka_unit_test(test_add_trims_inward),
		cmocka_unit_test(test_add_wrap_and_top),
		cmocka_unit_test(test_reserve_middle_splits),
		cmocka_unit_test(test_reserve_edges),
		cmocka_unit_test(test_reserve_across_ranges),
		cmocka_unit_test(test_reserve_everything),
		cmocka_unit_test(test_alloc_aligned),
		cmocka_unit_test(test_alloc_lowest_first_fit),
		cmocka_unit_test(test_alloc_limit),
		cmocka_unit_test(test_alloc_exhaustion_and_bad_args),
		cmocka_unit_test(test_free_remerges),
		cmocka_unit_test(test_double_free_rejected),
		cmocka_unit_test(test_is_free),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_map_reserved_wins),
		cmocka_unit_test(test_map_overlapping_available),
		cmocka_unit_test(test_map_degenerate_entries),
		cmocka_unit_test(test_map_error_still_reserves),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
