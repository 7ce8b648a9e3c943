/* Unit tests for hv/park.c: parking the vCPUs of paused VMs in a run queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/park.h"
#include "hv/vcpu.h"
#include "hv/vm.h"

#define SLICE 1000ull

static struct sched_runq rq;
static struct vm vm_a, vm_b;
static struct vcpu va0, va1, vb0;

static int setup(void **state)
{
	memset(&vm_a, 0, sizeof(vm_a));
	memset(&vm_b, 0, sizeof(vm_b));
	memset(&va0, 0, sizeof(va0));
	memset(&va1, 0, sizeof(va1));
	memset(&vb0, 0, sizeof(vb0));
	sched_runq_init(&rq, SLICE);
	va0.vm = va1.vm = &vm_a;
	vb0.vm = &vm_b;
	va0.se.weight = va1.se.weight = vb0.se.weight = 10;
	sched_enqueue(&rq, &va0.se);
	sched_enqueue(&rq, &va1.se);
	sched_enqueue(&rq, &vb0.se);
	return 0;
}

/* Picks until the queue offers nothing new: which vCPUs can still run. */
static bool pickable(struct vcpu *v)
{
	for (int i = 0; i < 3; i++) {
		struct sched_entity *e = sched_pick(&rq, 0);
		if (!e)
			return false;
		if (e == &v->se)
			return true;
		sched_charge(&rq, e, SLICE * 10); /* pushes it behind the others */
	}
	return false;
}

static void test_nothing_paused_changes_nothing(void **state)
{
	assert_int_equal(park_pass(&rq, NULL, 0), 0);
	assert_true(va0.se.runnable && va1.se.runnable && vb0.se.runnable);
}

static void test_paused_vm_parks_only_its_vcpus(void **state)
{
	vm_a.pause_count = 1;
	assert_int_equal(park_pass(&rq, NULL, 5), 2);
	assert_true(va0.parked && va1.parked);
	assert_false(vb0.parked);
	assert_false(pickable(&va0));
	assert_false(pickable(&va1));
	assert_true(pickable(&vb0));
	/* a second pass keeps them parked and blocks nothing twice */
	assert_int_equal(park_pass(&rq, NULL, 6), 2);
	assert_false(va0.se.runnable);
}

static void test_resume_makes_runnable_again(void **state)
{
	vm_a.pause_count = 1;
	park_pass(&rq, NULL, 5);
	vm_a.pause_count = 0;
	assert_int_equal(park_pass(&rq, NULL, 50), 0);
	assert_false(va0.parked || va1.parked);
	assert_true(va0.se.runnable && va1.se.runnable);
	assert_int_equal(va0.se.blocked_ticks, 45);
}

/* A vCPU halted when its VM was paused stays halted after the resume: only
 * an interrupt wakes it (the scheduler's poll). */
static void test_blocked_vcpu_stays_blocked(void **state)
{
	sched_block(&rq, &va1.se, 0);
	va1.state = VCPU_BLOCKED;
	vm_a.pause_count = 2;
	assert_int_equal(park_pass(&rq, NULL, 1), 2);
	assert_true(va1.parked);
	vm_a.pause_count = 0;
	park_pass(&rq, NULL, 2);
	assert_false(va1.parked);
	assert_false(va1.se.runnable);
	assert_true(va0.se.runnable);
}

/* An AP waiting for its SIPI parks and stays waiting after the resume. */
static void test_wait_sipi_vcpu_parks(void **state)
{
	sched_block(&rq, &va1.se, 0);
	va1.state = VCPU_WAIT_SIPI;
	vm_a.pause_count = 1;
	park_pass(&rq, NULL, 1);
	assert_true(va1.parked);
	assert_int_equal(va1.state, VCPU_WAIT_SIPI);
	vm_a.pause_count = 0;
	park_pass(&rq, NULL, 2);
	assert_false(va1.parked);
	assert_false(va1.se.runnable);
	assert_int_equal(va1.state, VCPU_WAIT_SIPI);
}

/* The vCPU whose exit handler paused its own VM parks only at a later pass. */
static void test_running_vcpu_parks_later(void **state)
{
	vm_a.pause_count = 1;
	assert_int_equal(park_pass(&rq, &va0, 1), 1);
	assert_false(va0.parked);
	assert_true(va1.parked);
	assert_int_equal(park_pass(&rq, NULL, 2), 2);
	assert_true(va0.parked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_nothing_paused_changes_nothing, setup),
		cmocka_unit_test_setup(test_paused_vm_parks_only_its_vcpus, setup),
		cmocka_unit_test_setup(test_resume_makes_runnable_again, setup),
		cmocka_unit_test_setup(test_blocked_vcpu_stays_blocked, setup),
		cmocka_unit_test_setup(test_running_vcpu_parks_later, setup),
		cmocka_unit_test_setup(test_wait_sipi_vcpu_parks, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
