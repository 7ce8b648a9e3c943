/* Unit tests for hv/console_feed.c: the Ctrl-A prefix keys of console input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hv/console_feed.h"

static struct console_feed s;

static int setup(void **state)
{
	s = (struct console_feed){.monitor_enabled = true};
	return 0;
}

static void test_bytes_for_the_log_are_dropped(void **state)
{
	struct feed_out o = console_in_feed(&s, 'x');

	assert_int_equal(o.action, FEED_NONE);
	assert_int_equal(s.target, CONSOLE_TO_LOG);
}

static void test_prefix_then_m_enters_monitor(void **state)
{
	assert_int_equal(console_in_feed(&s, 0x01).action, FEED_NONE);
	assert_true(s.prefix);
	assert_int_equal(console_in_feed(&s, 'm').action, FEED_ENTER_MONITOR);
	assert_false(s.prefix);
	/* the caller switched: later bytes go to the monitor */
	s.target = CONSOLE_TO_MONITOR;
	struct feed_out o = console_in_feed(&s, 'v');
	assert_int_equal(o.action, FEED_BYTE);
	assert_int_equal(o.byte, 'v');
}

static void test_monitor_off_with_log_only(void **state)
{
	s.monitor_enabled = false;
	console_in_feed(&s, 0x01);
	assert_int_equal(console_in_feed(&s, 'm').action, FEED_MONITOR_OFF);
	/* switching VMs still works */
	console_in_feed(&s, 0x01);
	struct feed_out o = console_in_feed(&s, '3');
	assert_int_equal(o.action, FEED_FOCUS_VM);
	assert_int_equal(o.vm_id, 3);
}

static void test_digits_choose_a_vm(void **state)
{
	for (uint8_t d = '0'; d <= '9'; d++) {
		console_in_feed(&s, 0x01);
		struct feed_out o = console_in_feed(&s, d);
		assert_int_equal(o.action, FEED_FOCUS_VM);
		assert_int_equal(o.vm_id, d - '0');
	}
	s.target = CONSOLE_TO_VM;
	s.vm_id = 4;
	struct feed_out o = console_in_feed(&s, 'q');
	assert_int_equal(o.action, FEED_BYTE);
	assert_int_equal(o.vm_id, 4);
}

static void test_prefix_a_sends_one_ctrl_a(void **state)
{
	s.target = CONSOLE_TO_VM;
	console_in_feed(&s, 0x01);
	struct feed_out o = console_in_feed(&s, 'a');
	assert_int_equal(o.action, FEED_BYTE);
	assert_int_equal(o.byte, 0x01);
	/* the next byte is plain again */
	o = console_in_feed(&s, 'a');
	assert_int_equal(o.action, FEED_BYTE);
	assert_int_equal(o.byte, 'a');
	/* to the log: nowhere */
	s.target = CONSOLE_TO_LOG;
	console_in_feed(&s, 0x01);
	assert_int_equal(console_in_feed(&s, 'a').action, FEED_NONE);
}

static void test_h_returns_to_the_log(void **state)
{
	s.target = CONSOLE_TO_MONITOR;
	console_in_feed(&s, 0x01);
	assert_int_equal(console_in_feed(&s, 'h').action, FEED_FOCUS_LOG);
	assert_int_equal(s.target, CONSOLE_TO_LOG);
}

static void test_help_and_bad_keys(void **state)
{
	console_in_feed(&s, 0x01);
	assert_int_equal(console_in_feed(&s, '?').action, FEED_HELP);
	console_in_feed(&s, 0x01);
	struct feed_out o = console_in_feed(&s, 'z');
	assert_int_equal(o.action, FEED_BAD_KEY);
	assert_int_equal(o.byte, 'z');
	/* Ctrl-A Ctrl-A is not a key either; the prefix does not stick */
	console_in_feed(&s, 0x01);
	assert_int_equal(console_in_feed(&s, 0x01).action, FEED_BAD_KEY);
	assert_false(s.prefix);
	assert_int_equal(console_in_feed(&s, 'm').action, FEED_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bytes_for_the_log_are_dropped, setup),
		cmocka_unit_test_setup(test_prefix_then_m_enters_monitor, setup),
		cmocka_unit_test_setup(test_monitor_off_with_log_only, setup),
		cmocka_unit_test_setup(test_digits_choose_a_vm, setup),
		cmocka_unit_test_setup(test_prefix_a_sends_one_ctrl_a, setup),
		cmocka_unit_test_setup(test_h_returns_to_the_log, setup),
		cmocka_unit_test_setup(test_help_and_bad_keys, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
