/* Unit tests for hv/sched_policy.c: proportional share on a fake clock. A
 * simulated core runs whatever sched_pick chooses for a full slice (or less,
 * as the entity's behaviour says) and charges it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "err.h"
#include "hv/sched_policy.h"

#define SLICE 10000ull

enum behaviour {
	CPU_BOUND, /* runs until the slice ends */
	YIELDER,   /* runs `burst` ticks, then yields (PAUSE loops, YIELD hypercalls) */
	EXITER,    /* runs `burst` ticks, then goes back to the pick (an exit-heavy guest) */
};

struct sim {
	struct sched_runq rq;
	struct sched_entity e[4];
	enum behaviour how[4];
	uint64_t burst[4];
	uint64_t now;
	unsigned n;
	int last[64]; /* the first picks, -1 for idle */
	unsigned npicks;
};

static void sim_init(struct sim *s, unsigned n, const uint32_t *weights)
{
	*s = (struct sim){.n = n};
	sched_runq_init(&s->rq, SLICE);
	for (unsigned i = 0; i < n; i++) {
		s->e[i].weight = weights[i];
		s->how[i] = CPU_BOUND;
		sched_enqueue(&s->rq, &s->e[i]);
	}
}

static int index_of(struct sim *s, struct sched_entity *e)
{
	for (unsigned i = 0; i < s->n; i++)
		if (&s->e[i] == e)
			return (int)i;
	fail_msg("sched_pick returned an entity not on the queue");
	return -1;
}

/* One scheduling decision and what follows it. */
static int sim_step(struct sim *s)
{
	struct sched_entity *e = sched_pick(&s->rq, s->now);
	int i;
	uint64_t ran;

	if (!e) {
		s->now += SLICE; /* idle */
		i = -1;
	} else {
		i = index_of(s, e);
		ran = s->how[i] == CPU_BOUND ? SLICE : s->burst[i];
		s->now += ran;
		sched_charge(&s->rq, e, ran);
		if (s->how[i] == YIELDER)
			sched_yield_slice(&s->rq, e);
	}
	if (s->npicks < 64)
		s->last[s->npicks++] = i;
	return i;
}

static void sim_run(struct sim *s, uint64_t ticks)
{
	uint64_t end = s->now + ticks;

	while (s->now < end)
		sim_step(s);
}

/* n entities of the given weights, entity 0 behaving as `how` in bursts of
 * `burst` ticks, the others CPU-bound, for `slices` slices of time. */
static void sim_mix(struct sim *s, unsigned n, const uint32_t *w, enum behaviour how,
                    uint64_t burst, unsigned slices)
{
	sim_init(s, n, w);
	s->how[0] = how;
	s->burst[0] = burst;
	sim_run(s, slices * SLICE);
}

/* e's share of the ticks charged to all, in per mille. */
static unsigned permille(struct sim *s, unsigned i)
{
	uint64_t total = 0;

	for (unsigned k = 0; k < s->n; k++)
		total += s->e[k].run_ticks;
	return (unsigned)(s->e[i].run_ticks * 1000 / total);
}

static void assert_near(unsigned got, unsigned want, unsigned tol)
{
	if (got + tol < want || got > want + tol)
		fail_msg("share %u per mille, want %u +- %u", got, want, tol);
}

static void test_weights_1_1_2(void **state)
{
	static const uint32_t w[] = {1, 1, 2};
	struct sim s;

	sim_init(&s, 3, w);
	sim_run(&s, 400 * SLICE);
	assert_near(permille(&s, 0), 250, 10);
	assert_near(permille(&s, 1), 250, 10);
	assert_near(permille(&s, 2), 500, 10);
}

static void test_default_weights_equal_share(void **state)
{
	static const uint32_t w[] = {SCHED_WEIGHT_DEFAULT, SCHED_WEIGHT_DEFAULT,
	                             SCHED_WEIGHT_DEFAULT, SCHED_WEIGHT_DEFAULT};
	struct sim s;

	sim_init(&s, 4, w);
	sim_run(&s, 100 * SLICE);
	for (unsigned i = 0; i < 4; i++)
		assert_near(permille(&s, i), 250, 10);
}

static void test_equal_weights_alternate(void **state)
{
	static const uint32_t w[] = {10, 10};
	struct sim s;

	sim_init(&s, 2, w);
	sim_run(&s, 20 * SLICE);
	for (unsigned i = 1; i < 20; i++)
		assert_int_not_equal(s.last[i], s.last[i - 1]);
}

/* A guest that exits (and yields) all the time is charged for the time it
 * ran: it gets its share, not a turn per exit. */
static void test_yielder_gets_no_more_than_its_share(void **state)
{
	static const uint32_t w[] = {10, 10, 10};
	struct sim s;

	sim_mix(&s, 3, w, YIELDER, 50, 300);
	assert_true(permille(&s, 0) <= 334);
	assert_true(permille(&s, 1) >= 333 && permille(&s, 2) >= 333);
}

/* One that comes back to the pick after every short burst (each exit a new
 * decision) still gets its share and no more. */
static void test_exiter_gets_its_share(void **state)
{
	static const uint32_t w[] = {10, 10, 20};
	struct sim s;

	sim_mix(&s, 3, w, EXITER, 37, 400);
	assert_near(permille(&s, 0), 250, 10);
	assert_near(permille(&s, 1), 250, 10);
	assert_near(permille(&s, 2), 500, 10);
}

/* A yield lets another runnable entity go first, even when the yielder still
 * has the least virtual time. */
static void test_yield_passes_the_turn(void **state)
{
	static const uint32_t w[] = {10, 10};
	struct sim s;
	struct sched_entity *first;

	sim_init(&s, 2, w);
	first = sched_pick(&s.rq, 0);
	sched_charge(&s.rq, first, 1);
	sched_yield_slice(&s.rq, first);
	assert_ptr_not_equal(sched_pick(&s.rq, 1), first);
	/* alone, a yielder runs again */
	sched_block(&s.rq, &s.e[first == &s.e[0] ? 1 : 0], 1);
	sched_yield_slice(&s.rq, first);
	assert_ptr_equal(sched_pick(&s.rq, 2), first);
}

static void test_no_starvation_1_vs_100(void **state)
{
	static const uint32_t w[] = {100, 1};
	struct sim s;
	unsigned since = 0, worst = 0;

	sim_init(&s, 2, w);
	for (unsigned i = 0; i < 2000; i++) {
		if (sim_step(&s) == 1) {
			worst = since > worst ? since : worst;
			since = 0;
		} else {
			since++;
		}
	}
	assert_true(s.e[1].run_ticks > 0);
	/* weight 1 runs once per ~100 slices of weight 100 */
	assert_true(worst <= 101);
	assert_near(permille(&s, 1), 10, 2);
}

/* Blocked entities cost nothing: the others share the core as if they were
 * alone, and the idle core charges nobody. */
static void test_blocked_costs_nothing(void **state)
{
	static const uint32_t w[] = {10, 10, 10};
	struct sim s;

	sim_init(&s, 3, w);
	sched_block(&s.rq, &s.e[2], 0);
	sim_run(&s, 100 * SLICE);
	assert_int_equal(s.e[2].run_ticks, 0);
	assert_near(permille(&s, 0), 500, 10);
	sched_block(&s.rq, &s.e[0], s.now);
	sched_block(&s.rq, &s.e[1], s.now);
	assert_null(sched_pick(&s.rq, s.now));
}

/* A woken entity runs promptly (it is not behind the others' whole history)
 * but with at most one slice of credit: it cannot take the core for the time
 * it slept. */
static void test_wake_is_prompt_and_credit_bounded(void **state)
{
	static const uint32_t w[] = {10, 10};
	struct sim s;
	uint64_t woke, ran_before;
	unsigned in_a_row = 0, best_run = 0;

	sim_init(&s, 2, w);
	sched_block(&s.rq, &s.e[1], 0);
	sim_run(&s, 1000 * SLICE);
	woke = s.now;
	sched_wake(&s.rq, &s.e[1], s.now);
	assert_int_equal(s.e[1].blocked_ticks, woke);
	/* the next pick is the sleeper */
	assert_int_equal(sim_step(&s), 1);
	ran_before = s.e[0].run_ticks;
	for (unsigned i = 0; i < 40; i++) {
		if (sim_step(&s) == 1) {
			in_a_row++;
			best_run = in_a_row > best_run ? in_a_row : best_run;
		} else {
			in_a_row = 0;
		}
	}
	/* credit of at most one slice: never more than two slices in a row */
	assert_true(best_run <= 2);
	assert_true(s.e[0].run_ticks - ran_before >= 19 * SLICE);
}

static void test_block_twice_and_wake_twice_are_harmless(void **state)
{
	static const uint32_t w[] = {10};
	struct sim s;

	sim_init(&s, 1, w);
	sched_block(&s.rq, &s.e[0], 100);
	sched_block(&s.rq, &s.e[0], 200);
	sched_wake(&s.rq, &s.e[0], 300);
	sched_wake(&s.rq, &s.e[0], 400);
	assert_int_equal(s.e[0].blocked_ticks, 200);
	assert_true(s.e[0].runnable);
}

/* A newcomer starts at the queue's minimum: no credit for the time before it. */
static void test_enqueue_and_dequeue(void **state)
{
	static const uint32_t w[] = {10, 30};
	struct sim s;
	struct sched_entity late = {.weight = 20};

	sim_init(&s, 2, w);
	assert_int_equal(s.rq.load, 40);
	sim_run(&s, 100 * SLICE);
	sched_enqueue(&s.rq, &late);
	assert_int_equal(late.vtime, s.rq.min_vtime);
	assert_int_equal(s.rq.load, 60);
	assert_int_equal(s.rq.nr, 3);
	sched_yield_slice(&s.rq, &late);
	sched_dequeue(&s.rq, &late);
	assert_null(s.rq.skip);
	assert_int_equal(s.rq.load, 40);
	assert_int_equal(s.rq.nr, 2);
	for (unsigned i = 0; i < 10; i++)
		assert_ptr_not_equal(sched_pick(&s.rq, s.now), &late);
}

static void test_slice_bounds(void **state)
{
	assert_int_equal(sched_slice_us_check(SCHED_SLICE_US_MIN), SCHED_SLICE_US_MIN);
	assert_int_equal(sched_slice_us_check(SCHED_SLICE_US_MAX), SCHED_SLICE_US_MAX);
	assert_int_equal(sched_slice_us_check(5000), 5000);
	assert_int_equal(sched_slice_us_check(SCHED_SLICE_US_MIN - 1), -EINVAL);
	assert_int_equal(sched_slice_us_check(SCHED_SLICE_US_MAX + 1), -EINVAL);
	assert_int_equal(sched_slice_us_check(0), -EINVAL);
	assert_int_equal(sched_slice_us_check(UINT64_MAX), -EINVAL);
}

static void test_place_least_loaded(void **state)
{
	uint32_t load[4] = {20, 10, 10, 30};

	assert_int_equal(sched_place(load, 4), 1);
	assert_int_equal(sched_place(load, 1), 0);
	load[1] = 40;
	assert_int_equal(sched_place(load, 4), 2);
	load[0] = 0;
	assert_int_equal(sched_place(load, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weights_1_1_2),
		cmocka_unit_test(test_default_weights_equal_share),
		cmocka_unit_test(test_equal_weights_alternate),
		cmocka_unit_test(test_yielder_gets_no_more_than_its_share),
		cmocka_unit_test(test_exiter_gets_its_share),
		cmocka_unit_test(test_yield_passes_the_turn),
		cmocka_unit_test(test_no_starvation_1_vs_100),
		cmocka_unit_test(test_blocked_costs_nothing),
		cmocka_unit_test(test_wake_is_prompt_and_credit_bounded),
		cmocka_unit_test(test_block_twice_and_wake_twice_are_harmless),
		cmocka_unit_test(test_enqueue_and_dequeue),
		cmocka_unit_test(test_slice_bounds),
		cmocka_unit_test(test_place_least_loaded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
