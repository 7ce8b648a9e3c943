/* Unit tests for hv/slice.c: slice deadlines and the preemption-timer value
 * for the time left, walked on a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hv/slice.h"

static void test_deadline(void **state)
{
	assert_int_equal(slice_deadline(1000, 0), SLICE_NONE);
	assert_int_equal(slice_deadline(1000, 250), 1250);
	assert_int_equal(slice_deadline(0, 1), 1);
	/* saturates instead of wrapping into the past or onto SLICE_NONE */
	assert_true(slice_deadline(UINT64_MAX - 5, 100) == UINT64_MAX);
	assert_true(slice_deadline(UINT64_MAX, 1) == UINT64_MAX);
}

static void test_expired(void **state)
{
	assert_false(slice_expired(SLICE_NONE, 0));
	assert_false(slice_expired(SLICE_NONE, UINT64_MAX));
	assert_false(slice_expired(1250, 1249));
	assert_true(slice_expired(1250, 1250));
	assert_true(slice_expired(1250, 99999));
}

static void test_timer_value_rounds_up(void **state)
{
	uint32_t v = 7;

	assert_true(slice_timer_value(1100, 1000, 0, &v));
	assert_int_equal(v, 100);
	assert_true(slice_timer_value(1100, 1000, 5, &v)); /* 100 / 32 = 3.1 */
	assert_int_equal(v, 4);
	assert_true(slice_timer_value(1096, 1000, 5, &v)); /* exactly 3 */
	assert_int_equal(v, 3);
	assert_true(slice_timer_value(1001, 1000, 5, &v)); /* one tick left: never 0 */
	assert_int_equal(v, 1);
}

static void test_timer_value_capped(void **state)
{
	uint32_t v = 0;

	assert_true(slice_timer_value(1ull << 40, 0, 0, &v));
	assert_int_equal(v, UINT32_MAX);
	assert_true(slice_timer_value(1ull << 40, 0, 8, &v)); /* 2^32 steps: one too many */
	assert_int_equal(v, UINT32_MAX);
	assert_true(slice_timer_value(1ull << 39, 0, 8, &v));
	assert_int_equal(v, 1u << 31);
	assert_true(slice_timer_value(UINT64_MAX, 0, 31, &v));
	assert_int_equal(v, UINT32_MAX);
}

static void test_timer_value_expired(void **state)
{
	uint32_t v = 7;

	assert_false(slice_timer_value(1000, 1000, 0, &v));
	assert_int_equal(v, 0);
	v = 7;
	assert_false(slice_timer_value(1000, 5000, 3, &v));
	assert_int_equal(v, 0);
	v = 7;
	assert_false(slice_timer_value(SLICE_NONE, 5000, 3, &v));
	assert_int_equal(v, 0);
}

/* A guest that exits every 37 ticks: at every entry the timer covers exactly
 * the time left (to within one timer step), and the slice ends on time. */
static void test_fake_clock_walk(void **state)
{
	const unsigned shift = 5;
	uint64_t now = 123456, end = slice_deadline(now, 100000);
	unsigned entries = 0;
	uint32_t v;

	while (slice_timer_value(end, now, shift, &v)) {
		uint64_t left = end - now, covered = (uint64_t)v << shift;

		assert_true(covered >= left);
		assert_true(covered < left + (1u << shift));
		assert_false(slice_expired(end, now));
		now += 37;
		entries++;
	}
	assert_true(slice_expired(end, now));
	assert_true(now - end < 37);
	assert_int_equal(entries, (100000 + 36) / 37);
}

/* A model of the VMX-preemption timer (counts only while the guest runs) armed
 * the run loop's way: a guest that exits every 3000 ticks by slow exits (a
 * PAUSE loop's, say) and spends 700 in the hypervisor each time gets its timer's exit
 * within one timer step after the deadline, not late by the hypervisor's time
 * (a value kept across exits: the deadline seen only at a later exit). */
static void test_timer_counts_in_guest_only(void **state)
{
	const unsigned shift = 5;
	uint64_t now = 5000, end = slice_deadline(now, 30000), armed = SLICE_NONE;
	uint32_t timer = 0;
	int exits = 0;

	(void)state;
	for (;;) {
		uint64_t run;

		if (slice_expired(end, now))
			break; /* the run loop's check before the entry */
		if (slice_timer_rewrite(armed, end, false)) {
			slice_timer_value(end, now, shift, &timer);
			armed = end;
		}
		run = (uint64_t)timer << shift; /* guest time until the timer's exit */
		if (run <= 3000) {
			now += run;
			timer = 0;
			break; /* the preemption-timer exit */
		}
		now += 3000; /* another exit first; the timer keeps its rest */
		timer -= 3000 >> shift;
		now += 700; /* the hypervisor handles it */
		exits++;
	}
	assert_true(exits >= 5);
	assert_true(now >= end);
	assert_true(now - end < (1u << shift));
	/* no deadline, none before: nothing to write; a fast re-entry keeps the
	 * timer of the same deadline, not one for a new deadline */
	assert_false(slice_timer_rewrite(SLICE_NONE, SLICE_NONE, false));
	assert_false(slice_timer_rewrite(SLICE_NONE, SLICE_NONE, true));
	assert_true(slice_timer_rewrite(end, SLICE_NONE, false));
	assert_true(slice_timer_rewrite(end, SLICE_NONE, true));
	assert_true(slice_timer_rewrite(end, end, false));
	assert_false(slice_timer_rewrite(end, end, true));
	assert_true(slice_timer_rewrite(end, end + 1, true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_timer_value_rounds_up),
		cmocka_unit_test(test_timer_value_capped),
		cmocka_unit_test(test_timer_value_expired),
		cmocka_unit_test(test_fake_clock_walk),
		cmocka_unit_test(test_timer_counts_in_guest_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
