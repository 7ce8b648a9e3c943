// SPDX-License-Identifier: MIT
/*
 * Sable guest library: test result lines ("TEST <name> PASS|FAIL|SKIP") and
 * the final exit status.
 */
#include "guest.h"

static int nr_pass, nr_fail, nr_skip;

/* The test opened by test_begin(), and the first failed CHECK inside it. */
static const char *cur_test;
static bool cur_failed;
static char cur_reason[160];

void test_pass(const char *name)
{
	printf("TEST %s PASS\n", name);
	nr_pass++;
}

void test_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("TEST %s FAIL ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	serial_putc('\n');
	nr_fail++;
}

void test_skip(const char *name, const char *reason)
{
	printf("TEST %s SKIP (%s)\n", name, reason);
	nr_skip++;
}

void info(const char *fmt, ...)
{
	va_list ap;

	serial_write("INFO ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	serial_putc('\n');
}

void test_begin(const char *name)
{
	if (cur_test)
		test_end();
	cur_test = name;
	cur_failed = false;
	cur_reason[0] = '\0';
}

bool test_end(void)
{
	bool ok = !cur_failed;

	if (!cur_test)
		return true;
	if (ok)
		test_pass(cur_test);
	else
		test_fail(cur_test, "%s", cur_reason);
	cur_test = NULL;
	cur_failed = false;
	return ok;
}

bool check_report(bool ok, const char *expr, const char *file, int line, const char *fmt, ...)
{
	char msg[128];
	va_list ap;

	if (ok)
		return true;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("CHECK FAILED %s:%d (%s): %s\n", file, line, expr, msg);

	if (!cur_test) {
		nr_fail++;
	} else if (!cur_failed) {
		cur_failed = true;
		snprintf(cur_reason, sizeof(cur_reason), "%s", msg[0] ? msg : expr);
	}
	return false;
}

int tests_failed(void)
{
	return nr_fail + (cur_failed ? 1 : 0);
}

void tests_finish(void)
{
	if (cur_test)
		test_end();
	printf("SUMMARY pass=%d fail=%d skip=%d\n", nr_pass, nr_fail, nr_skip);
	exit_qemu(nr_fail ? 1 : 0);
}

uint32_t xsave_offered_or_finish(const char *name)
{
	struct cpuid_regs r;

	cpuid(1, 0, &r);
	if (!(r.ecx & (1u << 26))) {
		test_skip(name, "no XSAVE");
		tests_finish();
	}
	cpuid(0xd, 0, &r);
	return r.eax;
}
