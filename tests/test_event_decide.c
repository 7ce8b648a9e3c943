/* Unit tests for vmx/event_decide.c: which event an entry injects, which windows open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmx/event_decide.h"
#include "vmx/vmcs_fields.h"

#define IW  CPU_BASED_INTR_WINDOW_EXITING
#define NW  CPU_BASED_NMI_WINDOW_EXITING
#define STI INTERRUPTIBILITY_STI
#define MSS INTERRUPTIBILITY_MOV_SS
#define NMB INTERRUPTIBILITY_NMI

static struct event_decision decide(bool nmi, int vector, bool busy, uint32_t block, bool rif,
                                    bool nmi_window)
{
	struct event_state s = {nmi, vector, busy, block, rif, nmi_window};
	struct event_decision d;

	event_decide(&s, &d);
	return d;
}

static void test_interrupts(void **unused)
{
	struct event_decision d = decide(false, 0x30, false, 0, true, true);

	assert_int_equal(d.inject, EVENT_INTR);
	assert_int_equal(d.windows, 0);
	/* IF = 0, STI or MOV SS blocking: the window instead */
	d = decide(false, 0x30, false, 0, false, true);
	assert_int_equal(d.inject, EVENT_NONE);
	assert_int_equal(d.windows, IW);
	d = decide(false, 0x30, false, STI, true, true);
	assert_int_equal(d.inject, EVENT_NONE);
	assert_int_equal(d.windows, IW);
	d = decide(false, 0x30, false, MSS, true, true);
	assert_int_equal(d.windows, IW);
	/* NMI blocking does not hold an interrupt back */
	d = decide(false, 0x30, false, NMB, true, true);
	assert_int_equal(d.inject, EVENT_INTR);
	/* nothing pending: no window */
	d = decide(false, -1, false, STI, false, true);
	assert_int_equal(d.inject, EVENT_NONE);
	assert_int_equal(d.windows, 0);
}

static void test_nmis(void **unused)
{
	/* the NMI first, the interrupt waits for its window */
	struct event_decision d = decide(true, 0x30, false, 0, true, true);

	assert_int_equal(d.inject, EVENT_NMI);
	assert_int_equal(d.windows, IW);
	d = decide(true, -1, false, 0, false, true); /* IF does not hold an NMI */
	assert_int_equal(d.inject, EVENT_NMI);
	assert_int_equal(d.windows, 0);
	/* NMI, STI or MOV SS blocking: the NMI window; an interrupt may still go */
	d = decide(true, 0x30, false, NMB, true, true);
	assert_int_equal(d.inject, EVENT_INTR);
	assert_int_equal(d.windows, NW);
	d = decide(true, -1, false, STI, true, true);
	assert_int_equal(d.inject, EVENT_NONE);
	assert_int_equal(d.windows, NW);
	d = decide(true, 0x30, false, MSS, true, true);
	assert_int_equal(d.inject, EVENT_NONE);
	assert_int_equal(d.windows, NW | IW);
	/* without virtual NMIs the interrupt window stands in */
	d = decide(true, -1, false, NMB, true, false);
	assert_int_equal(d.inject, EVENT_NONE);
	assert_int_equal(d.windows, IW);
}

static void test_entry_busy(void **unused)
{
	struct event_decision d = decide(true, 0x30, true, 0, true, true);

	assert_int_equal(d.inject, EVENT_NONE);
	assert_int_equal(d.windows, NW | IW);
	d = decide(false, 0x30, true, 0, true, true);
	assert_int_equal(d.inject, EVENT_NONE);
	assert_int_equal(d.windows, IW);
	d = decide(false, -1, true, 0, true, true);
	assert_int_equal(d.windows, 0);
}

static void test_tpr_threshold(void **unused)
{
	assert_int_equal(event_tpr_threshold(0, 5), 0); /* nothing requested */
	assert_int_equal(event_tpr_threshold(4, 5), 4); /* masked: exit when TPR < 0x40 */
	assert_int_equal(event_tpr_threshold(5, 5), 5);
	assert_int_equal(event_tpr_threshold(6, 5), 0); /* not masked by the TPR */
	assert_int_equal(event_tpr_threshold(3, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interrupts),
		cmocka_unit_test(test_nmis),
		cmocka_unit_test(test_entry_busy),
		cmocka_unit_test(test_tpr_threshold),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
