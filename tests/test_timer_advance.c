/* Unit tests for hv/timer_advance.c: guest timers fired ahead of their
 * deadline by a learnt, capped latency. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hv/timer_advance.h"

/* The scheduler's loop as the advance sees it: an entry ends at
 * timer_advance_end, the path to the delivering entry takes `path` ticks,
 * then the entry waits until the deadline. Returns how late the guest's
 * interrupt came (the wait brings it to the deadline, never before). */
static uint64_t one_timer(struct timer_advance *a, uint64_t deadline, uint64_t path)
{
	uint64_t exit_at = timer_advance_end(a, deadline), arrival = exit_at + path;

	timer_advance_update(a, deadline, arrival);
	return arrival > deadline ? arrival - deadline : 0;
}

static void test_starts_at_deadline(void **state)
{
	struct timer_advance a;

	(void)state;
	timer_advance_init(&a, 10000);
	assert_int_equal(timer_advance_end(&a, 50000), 50000);
	assert_true(timer_advance_due(&a, 50000, 50000));
	assert_false(timer_advance_due(&a, 50000, 49999));
	assert_int_equal(timer_advance_end(&a, UINT64_MAX), UINT64_MAX);
	assert_false(timer_advance_due(&a, UINT64_MAX, UINT64_MAX - 1));
}

/* A constant path is learnt: after a few timers the interrupt comes within a
 * few ticks of the deadline, and the advance settles near the path. */
static void test_learns_a_constant_path(void **state)
{
	struct timer_advance a;
	uint64_t late = 0, d = 100000;

	(void)state;
	timer_advance_init(&a, 10000);
	assert_int_equal(one_timer(&a, d, 1200), 1200); /* the first is late by all of it */
	for (int i = 0; i < 40; i++)
		late = one_timer(&a, d += 30000, 1200);
	assert_true(late <= 4);
	assert_true(a.ticks >= 1190 && a.ticks <= 1210);
	assert_true(timer_advance_due(&a, d, d - 1100));
	assert_int_equal(timer_advance_end(&a, d), d - a.ticks);
}

/* When the path gets shorter the advance comes down again (the waits). */
static void test_follows_a_shorter_path(void **state)
{
	struct timer_advance a;
	uint64_t d = 100000;

	(void)state;
	timer_advance_init(&a, 10000);
	for (int i = 0; i < 40; i++)
		one_timer(&a, d += 30000, 3000);
	for (int i = 0; i < 40; i++)
		one_timer(&a, d += 30000, 500);
	assert_true(a.ticks >= 490 && a.ticks <= 510);
}

/* However late a guest's timers come (a vCPU descheduled for long, or a
 * hostile guest), the advance, and so any wait, stays within the cap. */
static void test_capped(void **state)
{
	struct timer_advance a;

	(void)state;
	timer_advance_init(&a, 5000);
	for (int i = 0; i < 10; i++)
		timer_advance_update(&a, 1000, 1000 + 10000000);
	assert_int_equal(a.ticks, 5000);
	timer_advance_update(&a, UINT64_MAX - 10, UINT64_MAX);
	assert_int_equal(a.ticks, 5000);
	timer_advance_init(&a, 0); /* a cap of 0: never ahead */
	timer_advance_update(&a, 1000, 9000);
	assert_int_equal(a.ticks, 0);
	assert_int_equal(timer_advance_end(&a, 5), 5);
	/* a deadline closer to 0 than the advance still gives a deadline */
	timer_advance_init(&a, 5000);
	timer_advance_update(&a, 0, 20000);
	assert_int_equal(timer_advance_end(&a, 100), 1);
	/* early arrivals never take it below 0 */
	timer_advance_update(&a, 1000000, 0);
	timer_advance_update(&a, 1000000, 0);
	assert_int_equal(a.ticks, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starts_at_deadline),
		cmocka_unit_test(test_learns_a_constant_path),
		cmocka_unit_test(test_follows_a_shorter_path),
		cmocka_unit_test(test_capped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
