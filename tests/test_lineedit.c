/* Unit tests for hv/lib/lineedit.c: the monitor's line editor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/lib/lineedit.h"

static struct lineedit e;
static char echo_all[4096];
static size_t echo_total;

static int setup(void **state)
{
	memset(&e, 0, sizeof(e));
	lineedit_reset(&e);
	echo_total = 0;
	echo_all[0] = 0;
	return 0;
}

/* Types s; returns the result of its last key; the echo accumulates. */
static enum lineedit_result type(const char *s)
{
	enum lineedit_result r = LINEEDIT_MORE;

	for (; *s; s++) {
		char echo[LINEEDIT_ECHO];
		size_t n = 99;

		r = lineedit_key(&e, (uint8_t)*s, echo, &n);
		assert_true(n <= LINEEDIT_ECHO);
		assert_true(echo_total + n < sizeof(echo_all));
		memcpy(echo_all + echo_total, echo, n);
		echo_total += n;
		echo_all[echo_total] = 0;
	}
	return r;
}

static void test_printable_insert_and_enter(void **state)
{
	assert_int_equal(type("vms"), LINEEDIT_MORE);
	assert_string_equal(e.buf, "vms");
	assert_int_equal(type("\r"), LINEEDIT_LINE);
	assert_string_equal(e.buf, "vms");
	assert_string_equal(echo_all, "vms\n");
	/* the next key starts a new line */
	assert_int_equal(type("x"), LINEEDIT_MORE);
	assert_string_equal(e.buf, "x");
}

static void test_cr_lf_is_one_enter(void **state)
{
	assert_int_equal(type("a\r"), LINEEDIT_LINE);
	assert_int_equal(type("\n"), LINEEDIT_MORE);
	assert_int_equal(type("b\n"), LINEEDIT_LINE);
	assert_string_equal(e.buf, "b");
	/* an empty line is a line */
	assert_int_equal(type("\n"), LINEEDIT_LINE);
	assert_string_equal(e.buf, "");
}

static void test_backspace_and_del(void **state)
{
	type("helpx\b");
	assert_string_equal(e.buf, "help");
	type("s\x7f");
	assert_string_equal(e.buf, "help");
	assert_string_equal(echo_all, "helpx\b \bs\b \b");
	/* nothing to erase: no echo */
	setup(NULL);
	type("\b\x7f");
	assert_int_equal(echo_total, 0);
}

static void test_ctrl_u_and_ctrl_c(void **state)
{
	assert_int_equal(type("garbage\x15"), LINEEDIT_REDRAW);
	assert_string_equal(e.buf, "");
	assert_int_equal(type("more\x03"), LINEEDIT_CANCEL);
	assert_string_equal(e.buf, "");
	assert_true(strstr(echo_all, "^C\n") != NULL);
	assert_int_equal(type("ok\r"), LINEEDIT_LINE);
	assert_string_equal(e.buf, "ok");
}

static void test_control_and_escape_sequences_ignored(void **state)
{
	type("a\x1b[A\x1b[1;5Cb\t\x02\xff"
	     "c");
	assert_string_equal(e.buf, "abc");
	assert_string_equal(echo_all, "abc");
}

static void test_overlong_line_refused(void **state)
{
	char line[LINEEDIT_MAX + 6];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	type(line);
	assert_int_equal(e.len, LINEEDIT_MAX);
	assert_int_equal(echo_total, LINEEDIT_MAX); /* the rest is not shown */
	assert_int_equal(type("\r"), LINEEDIT_TOO_LONG);
	assert_int_equal(e.len, 0);
	/* erasing the refused characters makes it fit again */
	type(line);
	type("\b\b\b\b\b");
	assert_int_equal(e.len, LINEEDIT_MAX);
	assert_int_equal(type("\r"), LINEEDIT_LINE);
	assert_int_equal(strlen(e.buf), LINEEDIT_MAX);
	/* and one more erases a shown one */
	type(line);
	type("\b\b\b\b\b\b");
	assert_int_equal(e.len, LINEEDIT_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_printable_insert_and_enter, setup),
		cmocka_unit_test_setup(test_cr_lf_is_one_enter, setup),
		cmocka_unit_test_setup(test_backspace_and_del, setup),
		cmocka_unit_test_setup(test_ctrl_u_and_ctrl_c, setup),
		cmocka_unit_test_setup(test_control_and_escape_sequences_ignored, setup),
		cmocka_unit_test_setup(test_overlong_line_refused, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
