/* Unit tests for vmx/exc_reflect.c: reflection of intercepted guest
 * exceptions, the double-fault rules, the delivery-loop bound, #MC and DR6. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/exc_reflect.h"

#define VALID     0x80000000u
#define HARD      (3u << 8)
#define SOFT_EXC  (6u << 8)
#define EXT_INTR  (0u << 8)
#define HAS_ERROR (1u << 11)
#define LIMIT     64

static const struct exc_event none = {0, 0};

static struct exc_event hw(uint8_t vector, bool err, uint32_t code)
{
	return (struct exc_event){VALID | HARD | vector | (err ? HAS_ERROR : 0), code};
}

static void test_reflects_as_reported(void **state)
{
	struct exc_loop loop = {0};
	struct exc_decision d;
	struct exc_event ac = hw(EXC_AC, true, 0);

	ac.info |= 1u << 12; /* NMI unblocking by IRET: not part of an injected event */
	exc_decide(&ac, &none, 0x1000, &loop, LIMIT, &d);
	assert_int_equal(d.action, EXC_REFLECT);
	assert_int_equal(d.event.info, VALID | HARD | HAS_ERROR | EXC_AC);
	assert_int_equal(d.event.error, 0);

	struct exc_event db = hw(EXC_DB, false, 0xdead);
	exc_decide(&db, &none, 0x2000, &loop, LIMIT, &d);
	assert_int_equal(d.action, EXC_REFLECT);
	assert_int_equal(d.event.info, VALID | HARD | EXC_DB);
	assert_int_equal(d.event.error, 0); /* no error code without bit 11 */
}

static void test_machine_check_stops(void **state)
{
	struct exc_loop loop = {0};
	struct exc_decision d;
	struct exc_event mc = hw(EXC_MC, false, 0);

	exc_decide(&mc, &none, 0x1000, &loop, LIMIT, &d);
	assert_int_equal(d.action, EXC_STOP_MCE);
	/* a software INT 18 is not a machine check */
	mc.info = VALID | SOFT_EXC | EXC_MC;
	exc_decide(&mc, &none, 0x1000, &loop, LIMIT, &d);
	assert_int_equal(d.action, EXC_REFLECT);
}

/* #AC during #AC delivery, at one RIP: reflected limit-1 times, then stopped. */
static void test_delivery_loop_is_bounded(void **state)
{
	struct exc_loop loop = {0};
	struct exc_decision d;
	struct exc_event ac = hw(EXC_AC, true, 0);
	struct exc_event vec_ac = hw(EXC_AC, true, 0);

	exc_decide(&ac, &none, 0x10002c, &loop, LIMIT, &d);
	assert_int_equal(d.action, EXC_REFLECT);
	for (int i = 2; i < LIMIT; i++) {
		exc_decide(&ac, &vec_ac, 0x10002c, &loop, LIMIT, &d);
		assert_int_equal(d.action, EXC_REFLECT);
	}
	exc_decide(&ac, &vec_ac, 0x10002c, &loop, LIMIT, &d);
	assert_int_equal(d.action, EXC_STOP_LOOP);
	assert_int_equal(d.count, LIMIT);
}

/* Another RIP, another vector or a reset (guest progress) starts counting again. */
static void test_loop_count_restarts(void **state)
{
	struct exc_loop loop = {0};
	struct exc_decision d;
	struct exc_event db = hw(EXC_DB, false, 0), ac = hw(EXC_AC, true, 0);

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < LIMIT - 1; i++) {
			exc_decide(&db, &db, 0x5000, &loop, LIMIT, &d);
			assert_int_equal(d.action, EXC_REFLECT);
		}
		if (round == 0)
			exc_decide(&db, &none, 0x5004, &loop, LIMIT, &d); /* other RIP */
		else if (round == 1)
			exc_decide(&ac, &none, 0x5000, &loop, LIMIT, &d); /* other vector */
		else
			exc_loop_reset(&loop);
	}
	exc_decide(&db, &none, 0x5000, &loop, LIMIT, &d);
	assert_int_equal(d.action, EXC_REFLECT);
	assert_int_equal(loop.count, 1);
}

/* The same exception at the same RIP again and again, each raised afresh (no
 * vectoring information: a data breakpoint in a loop), is never a loop. */
static void test_fresh_exceptions_are_progress(void **state)
{
	struct exc_loop loop = {0};
	struct exc_decision d;
	struct exc_event db = hw(EXC_DB, false, 0), gp = hw(13, true, 0);

	for (int i = 0; i < 4 * LIMIT; i++) {
		exc_decide(&db, &none, 0x6000, &loop, LIMIT, &d);
		assert_int_equal(d.action, EXC_REFLECT);
		assert_int_equal(loop.count, 1);
	}
	/* nor is an exception while delivering another vector */
	for (int i = 0; i < 4 * LIMIT; i++) {
		exc_decide(&db, &gp, 0x6000, &loop, LIMIT, &d);
		assert_int_equal(d.action, EXC_REFLECT);
	}
}

/* Table 6-5: benign second exceptions are delivered as they are; contributory
 * after contributory or page fault becomes #DF; after #DF a shutdown. */
static void test_double_fault_rules(void **state)
{
	struct exc_loop loop = {0};
	struct exc_decision d;
	struct exc_event gp = hw(13, true, 0x10), pf = hw(EXC_PF, true, 2),
			 df = hw(EXC_DF, true, 0);
	struct exc_event ac = hw(EXC_AC, true, 0), intr = {VALID | EXT_INTR | 0x30, 0};

	exc_decide(&ac, &gp, 0x1, &loop, LIMIT, &d); /* #AC while delivering #GP */
	assert_int_equal(d.action, EXC_REFLECT);
	assert_int_equal(d.event.info, ac.info);
	exc_decide(&gp, &pf, 0x2, &loop, LIMIT, &d);
	assert_int_equal(d.action, EXC_REFLECT);
	assert_int_equal(d.event.info, VALID | HARD | HAS_ERROR | EXC_DF);
	assert_int_equal(d.event.error, 0);
	exc_decide(&gp, &gp, 0x3, &loop, LIMIT, &d);
	assert_int_equal(d.event.info & 0xff, EXC_DF);
	exc_decide(&pf, &gp, 0x4, &loop, LIMIT, &d); /* #PF after contributory: serial */
	assert_int_equal(d.event.info & 0xff, EXC_PF);
	exc_decide(&gp, &df, 0x5, &loop, LIMIT, &d);
	assert_int_equal(d.action, EXC_TRIPLE_FAULT);
	exc_decide(&ac, &df, 0x6, &loop, LIMIT, &d); /* benign after #DF: delivered */
	assert_int_equal(d.action, EXC_REFLECT);
	exc_decide(&gp, &intr, 0x7, &loop, LIMIT, &d); /* during an interrupt: serial */
	assert_int_equal(d.event.info & 0xff, 13);
	assert_int_equal(d.event.error, 0x10);
}

static void test_dr6_after_db(void **state)
{
	/* B0 and BS hit, DR6 at its reset value: both set, RTM stays set */
	assert_int_equal(exc_dr6_after_db(0xffff0ff0, 0x4001), 0xffff4ff1);
	/* sticky: earlier B1 stays, RTM reported clears bit 16 */
	assert_int_equal(exc_dr6_after_db(0xffff0ff2, 0x10008), 0xfffe0ffa);
	/* reserved qualification bits never reach DR6 */
	assert_int_equal(exc_dr6_after_db(0xffff0ff0, 0x1000), 0xffff0ff0);
}

static void test_names(void **state)
{
	assert_string_equal(exc_name(EXC_AC), "#AC");
	assert_string_equal(exc_name(EXC_DB), "#DB");
	assert_string_equal(exc_name(9), "exception");
	assert_string_equal(exc_name(200), "exception");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reflects_as_reported),
		cmocka_unit_test(test_machine_check_stops),
		cmocka_unit_test(test_delivery_loop_is_bounded),
		cmocka_unit_test(test_loop_count_restarts),
		cmocka_unit_test(test_fresh_exceptions_are_progress),
		cmocka_unit_test(test_double_fault_rules),
		cmocka_unit_test(test_dr6_after_db),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
