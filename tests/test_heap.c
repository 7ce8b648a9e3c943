/* Unit tests for the object heap (mm/heap.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "mm/heap.h"

#define ARENA_SIZE (64 * 1024)

/* An arena buffer from the host allocator, so ASan catches accesses past it. */
static uint8_t *arena_new(size_t size)
{
	uint8_t *p = aligned_alloc(4096, size);

	assert_non_null(p);
	memset(p, 0xcc, size);
	return p;
}

static struct heap one_arena(uint8_t **buf, size_t size)
{
	struct heap h;

	*buf = arena_new(size);
	heap_init(&h);
	assert_int_equal(heap_add_arena(&h, *buf, size), 0);
	return h;
}

static bool inside(const void *p, size_t n, const uint8_t *buf, size_t size)
{
	return (const uint8_t *)p >= buf && (const uint8_t *)p + n <= buf + size;
}

/* Snapshot of the observable heap state. */
struct heap_view {
	size_t free_bytes, used_blocks, largest;
};

static struct heap_view view(const struct heap *h)
{
	return (struct heap_view){h->free_bytes, h->used_blocks, heap_largest_free(h)};
}

static void expect_view(const struct heap *h, struct heap_view v)
{
	assert_int_equal(h->free_bytes, v.free_bytes);
	assert_int_equal(h->used_blocks, v.used_blocks);
	assert_int_equal(heap_largest_free(h), v.largest);
}

static void test_init_and_arena(void **state)
{
	uint8_t *buf;
	struct heap h = one_arena(&buf, ARENA_SIZE);

	assert_int_equal(h.narenas, 1);
	assert_int_equal(h.used_blocks, 0);
	assert_true(h.free_bytes > ARENA_SIZE - 128 && h.free_bytes < ARENA_SIZE);
	assert_int_equal(heap_largest_free(&h), h.free_bytes);
	free(buf);
}

static void test_add_arena_errors(void **state)
{
	uint8_t *buf = arena_new(ARENA_SIZE);
	struct heap h;
	struct heap_view v;

	heap_init(&h);
	assert_int_equal(heap_add_arena(&h, NULL, ARENA_SIZE), -EINVAL);
	assert_int_equal(heap_add_arena(&h, buf, 16), -EINVAL); /* too small */
	assert_int_equal(heap_add_arena(&h, (void *)(UINTPTR_MAX - 64), 4096), -EINVAL); /* wraps */
	assert_int_equal(h.narenas, 0);
	assert_int_equal(heap_add_arena(&h, buf + 4096, 8192), 0);
	v = view(&h);
	assert_int_equal(heap_add_arena(&h, buf + 4096, 8192), -EINVAL); /* same */
	assert_int_equal(heap_add_arena(&h, buf, 4096 + 16), -EINVAL);   /* tail overlaps */
	assert_int_equal(heap_add_arena(&h, buf + 8192, 8192), -EINVAL); /* head overlaps */
	assert_int_equal(heap_add_arena(&h, buf, ARENA_SIZE), -EINVAL);  /* contains it */
	assert_int_equal(heap_add_arena(&h, buf + 5000, 100), -EINVAL);  /* inside it */
	assert_int_equal(h.narenas, 1);
	expect_view(&h, v);
	/* Touching is not overlapping. */
	assert_int_equal(heap_add_arena(&h, buf, 4096), 0);
	assert_int_equal(heap_add_arena(&h, buf + 12288, 4096), 0);
	for (size_t i = 3; i < HEAP_MAX_ARENAS; i++)
		assert_int_equal(heap_add_arena(&h, buf + 16384 + i * 4096, 4096), 0);
	assert_int_equal(heap_add_arena(&h, buf + 16384, 4096), -ENOSPC);
	assert_int_equal(h.narenas, HEAP_MAX_ARENAS);
	free(buf);
}

static void test_alloc_free_many_sizes(void **state)
{
	uint8_t *buf;
	struct heap h = one_arena(&buf, ARENA_SIZE);
	struct heap_view empty = view(&h);
	uint8_t *p[64];

	for (size_t i = 0; i < 64; i++) {
		size_t n = 1 + i * 13;

		p[i] = heap_alloc(&h, n, 0);
		assert_non_null(p[i]);
		assert_true(IS_ALIGNED((uintptr_t)p[i], 16));
		assert_true(inside(p[i], n, buf, ARENA_SIZE));
		memset(p[i], (int)i, n);
		for (size_t j = 0; j < i; j++)
			assert_true(p[j] + 1 + j * 13 <= p[i] || p[i] + n <= p[j]);
	}
	assert_int_equal(h.used_blocks, 64);
	assert_true(h.free_bytes < empty.free_bytes - 64 * 13 * 63 / 2);
	for (size_t i = 0; i < 64; i++) {
		for (size_t k = 0; k < 1 + i * 13; k++)
			assert_int_equal(p[i][k], (uint8_t)i);
	}
	for (size_t i = 0; i < 64; i += 2)
		assert_int_equal(heap_free(&h, p[i]), 0);
	for (size_t i = 1; i < 64; i += 2)
		assert_int_equal(heap_free(&h, p[64 - i]), 0);
	expect_view(&h, empty);
	free(buf);
}

static void test_alignment(void **state)
{
	uint8_t *buf;
	struct heap h = one_arena(&buf, 256 * 1024);
	struct heap_view empty = view(&h);
	void *p[2 * 9];
	size_t n = 0;

	for (size_t align = 16; align <= 4096; align <<= 1) {
		/* A small odd block first, so the next start is rarely aligned already. */
		p[n] = heap_alloc(&h, 40, 0);
		assert_non_null(p[n++]);
		p[n] = heap_alloc(&h, 100, align);
		assert_non_null(p[n]);
		assert_true(IS_ALIGNED((uintptr_t)p[n], align));
		memset(p[n++], 0x5a, 100);
	}
	/* Small powers of two are valid and give at least 16-byte alignment. */
	for (size_t align = 1; align < 16; align <<= 1) {
		void *q = heap_alloc(&h, 8, align);

		assert_true(IS_ALIGNED((uintptr_t)q, 16));
		assert_int_equal(heap_free(&h, q), 0);
	}
	assert_null(heap_alloc(&h, 8, 8192));
	assert_null(heap_alloc(&h, 8, 48));
	assert_null(heap_alloc(&h, 8, 3));
	for (size_t i = 0; i < n; i++)
		assert_int_equal(heap_free(&h, p[i]), 0);
	expect_view(&h, empty);
	free(buf);
}

/* The leading fragment split off for alignment stays usable. */
static void test_alignment_leading_fragment(void **state)
{
	uint8_t *buf;
	struct heap h = one_arena(&buf, 64 * 1024);
	struct heap_view empty = view(&h);
	uint8_t *a, *small;

	a = heap_alloc(&h, 64, 4096);
	assert_non_null(a);
	assert_true(a > buf + 1024);
	assert_int_equal(h.used_blocks, 1);
	small = heap_alloc(&h, 256, 0);
	assert_true(small < a); /* first fit lands in the fragment before it */
	assert_int_equal(heap_free(&h, a), 0);
	assert_int_equal(heap_free(&h, small), 0);
	expect_view(&h, empty);
	free(buf);
}

static void test_coalescing(void **state)
{
	uint8_t *buf;
	struct heap h = one_arena(&buf, ARENA_SIZE);
	struct heap_view empty = view(&h);
	uint8_t *a = heap_alloc(&h, 256, 0);
	uint8_t *b = heap_alloc(&h, 256, 0);
	uint8_t *c = heap_alloc(&h, 256, 0);
	uint8_t *d = heap_alloc(&h, 256, 0);
	uint8_t *ab;

	assert_true(a < b && b < c && c < d);
	/* Freeing a then b: one block, so a 512-byte request fits at a. */
	assert_int_equal(heap_free(&h, b), 0);
	assert_int_equal(heap_free(&h, a), 0);
	ab = heap_alloc(&h, 512, 0);
	assert_ptr_equal(ab, a);
	assert_int_equal(heap_free(&h, ab), 0);
	/* c merges with the free block before it. */
	assert_int_equal(heap_free(&h, c), 0);
	assert_ptr_equal(heap_alloc(&h, 3 * 256 + 32, 0), a);
	assert_int_equal(heap_free(&h, a), 0);
	assert_true(heap_largest_free(&h) < empty.largest - 256);
	/* d merges with both neighbours: back to one block. */
	assert_int_equal(heap_free(&h, d), 0);
	expect_view(&h, empty);
	free(buf);
}

static void test_free_null_and_bad_pointers(void **state)
{
	uint8_t *buf;
	struct heap h = one_arena(&buf, ARENA_SIZE);
	uint8_t *a = heap_alloc(&h, 128, 0);
	uint8_t *b = heap_alloc(&h, 1024, 0);
	uint8_t *c = heap_alloc(&h, 128, 0);
	int local;
	struct heap_view v = view(&h);

	assert_int_equal(heap_free(&h, NULL), 0);
	assert_int_equal(heap_free(&h, &local), -EINVAL);           /* not in an arena */
	assert_int_equal(heap_free(&h, buf + ARENA_SIZE), -EINVAL); /* just past it */
	assert_int_equal(heap_free(&h, buf), -EINVAL);              /* arena start: a header */
	assert_int_equal(heap_free(&h, b + 1), -EINVAL);            /* unaligned */
	assert_int_equal(heap_free(&h, b + 16), -EINVAL);           /* interior */
	assert_int_equal(heap_free(&h, b + 512), -EINVAL);
	assert_int_equal(heap_free(&h, b - 16), -EINVAL); /* inside b's header */
	/* A forged copy of c's header inside b's payload is still not a block start. */
	memcpy(b + 512 - 64, c - 64, 64);
	assert_int_equal(heap_free(&h, b + 512), -EINVAL);
	/* Interior of the free tail block. */
	assert_int_equal(heap_free(&h, c + 4096), -EINVAL);
	expect_view(&h, v);
	assert_int_equal(heap_free(&h, a), 0);
	assert_int_equal(heap_free(&h, b), 0);
	assert_int_equal(heap_free(&h, c), 0);
	assert_int_equal(h.used_blocks, 0);
	free(buf);
}

static void test_double_free(void **state)
{
	uint8_t *buf;
	struct heap h = one_arena(&buf, ARENA_SIZE);
	struct heap_view empty = view(&h);
	uint8_t *a = heap_alloc(&h, 64, 0);
	uint8_t *b = heap_alloc(&h, 64, 0);
	uint8_t *c = heap_alloc(&h, 64, 0);
	struct heap_view v;

	assert_int_equal(heap_free(&h, b), 0);
	v = view(&h);
	assert_int_equal(heap_free(&h, b), -EINVAL); /* b is still a free block */
	expect_view(&h, v);
	assert_int_equal(heap_free(&h, a), 0); /* b merges into a */
	v = view(&h);
	assert_int_equal(heap_free(&h, b), -EINVAL); /* b's header is gone */
	assert_int_equal(heap_free(&h, a), -EINVAL);
	expect_view(&h, v);
	assert_int_equal(heap_free(&h, c), 0);
	assert_int_equal(heap_free(&h, c), -EINVAL);
	expect_view(&h, empty);
	free(buf);
}

static void test_exhaustion(void **state)
{
	uint8_t *buf;
	struct heap h = one_arena(&buf, 16 * 1024);
	struct heap_view empty = view(&h);
	void *p[1024];
	size_t n = 0, largest;

	while ((p[n] = heap_alloc(&h, 100, 0)) != NULL)
		n++;
	assert_true(n > 16 * 1024 / 160);
	assert_true(heap_largest_free(&h) < 100);
	assert_int_equal(heap_free(&h, p[n / 2]), 0);
	p[n / 2] = heap_alloc(&h, 100, 0);
	assert_non_null(p[n / 2]);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(heap_free(&h, p[i]), 0);
	expect_view(&h, empty);
	/* The largest free size is obtainable, 16 more is not. */
	largest = heap_largest_free(&h);
	assert_null(heap_alloc(&h, largest + 1, 0));
	p[0] = heap_alloc(&h, largest, 0);
	assert_non_null(p[0]);
	assert_true(inside(p[0], largest, buf, 16 * 1024));
	assert_int_equal(heap_largest_free(&h), 0);
	assert_null(heap_alloc(&h, 1, 0));
	assert_int_equal(heap_free(&h, p[0]), 0);
	expect_view(&h, empty);
	free(buf);
}

static void test_absurd_sizes(void **state)
{
	uint8_t *buf;
	struct heap h = one_arena(&buf, ARENA_SIZE);
	struct heap_view empty = view(&h);
	struct heap hz;

	assert_null(heap_alloc(&h, 0, 0));
	assert_null(heap_alloc(&h, SIZE_MAX, 0));
	assert_null(heap_alloc(&h, SIZE_MAX - 15, 0));
	assert_null(heap_alloc(&h, SIZE_MAX / 2, 4096));
	assert_null(heap_alloc(&h, ARENA_SIZE, 0));
	expect_view(&h, empty);
	heap_init(&hz);
	assert_null(heap_alloc(&hz, 16, 0));
	assert_int_equal(heap_largest_free(&hz), 0);
	free(buf);
}

static void test_multiple_arenas(void **state)
{
	uint8_t *buf = arena_new(3 * 4096);
	struct heap h;
	size_t big, small;
	void *a, *b;

	/* Two touching arenas: blocks must never merge across them. */
	heap_init(&h);
	assert_int_equal(heap_add_arena(&h, buf + 4096, 8192), 0);
	big = heap_largest_free(&h);
	assert_int_equal(heap_add_arena(&h, buf, 4096), 0);
	small = h.free_bytes - big;
	assert_int_equal(heap_largest_free(&h), big);
	a = heap_alloc(&h, small, 0);
	assert_true(inside(a, small, buf, 4096)); /* lowest address first */
	b = heap_alloc(&h, big, 0);
	assert_true(inside(b, big, buf + 4096, 8192));
	assert_null(heap_alloc(&h, 16, 0));
	assert_int_equal(heap_free(&h, a), 0);
	assert_int_equal(heap_free(&h, b), 0);
	assert_int_equal(heap_largest_free(&h), big);
	assert_int_equal(h.free_bytes, big + small);
	assert_null(heap_alloc(&h, big + 16, 0));
	free(buf);
}

/* ---- random stress -------------------------------------------------------- */

struct live {
	uint8_t *p;
	size_t n;
	uint8_t seed;
};

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fill(const struct live *l)
{
	for (size_t i = 0; i < l->n; i++)
		l->p[i] = (uint8_t)(l->seed + i * 7);
}

static void verify(const struct live *l)
{
	for (size_t i = 0; i < l->n; i++)
		assert_int_equal(l->p[i], (uint8_t)(l->seed + i * 7));
}

static void stress_alloc(struct heap *h, struct live *lv, size_t *nlive, uint64_t *rng,
                         const uint8_t *buf, size_t size)
{
	size_t n = 1 + xorshift(rng) % (xorshift(rng) % 4 ? 200 : 3000);
	size_t align = xorshift(rng) % 4 ? 0 : (size_t)16 << (xorshift(rng) % 9);
	struct live l = {heap_alloc(h, n, align), n, (uint8_t)xorshift(rng)};

	if (!l.p) {
		assert_true(heap_largest_free(h) < ALIGN_UP(n, 16) + (align > 16 ? 2 * align : 0));
		return;
	}
	assert_true(inside(l.p, n, buf, size));
	assert_true(IS_ALIGNED((uintptr_t)l.p, align ? align : 16));
	for (size_t i = 0; i < *nlive; i++)
		assert_true(lv[i].p + lv[i].n <= l.p || l.p + n <= lv[i].p);
	fill(&l);
	lv[(*nlive)++] = l;
}

static void test_random_stress(void **state)
{
	enum { SIZE = 256 * 1024, MAXLIVE = 512 };
	static struct live lv[MAXLIVE];
	uint8_t *buf;
	struct heap h = one_arena(&buf, SIZE);
	struct heap_view empty = view(&h);
	uint64_t rng = 0x2545f4914f6cdd1dull;
	size_t nlive = 0, peak = 0;

	for (int step = 0; step < 20000; step++) {
		if (nlive < MAXLIVE && xorshift(&rng) % 100 < 55) {
			stress_alloc(&h, lv, &nlive, &rng, buf, SIZE);
		} else if (nlive) {
			size_t k = xorshift(&rng) % nlive;

			verify(&lv[k]);
			assert_int_equal(heap_free(&h, lv[k].p), 0);
			lv[k] = lv[--nlive];
		}
		assert_int_equal(h.used_blocks, nlive);
		peak = MAX(peak, nlive);
	}
	assert_true(peak > 100);
	while (nlive) {
		verify(&lv[--nlive]);
		assert_int_equal(heap_free(&h, lv[nlive].p), 0);
	}
	expect_view(&h, empty);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_arena),
		cmocka_unit_test(test_add_arena_errors),
		cmocka_unit_test(test_alloc_free_many_sizes),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_alignment_leading_fragment),
		cmocka_unit_test(test_coalescing),
		cmocka_unit_test(test_free_null_and_bad_pointers),
		cmocka_unit_test(test_double_free),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_absurd_sizes),
		cmocka_unit_test(test_multiple_arenas),
		cmocka_unit_test(test_random_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
