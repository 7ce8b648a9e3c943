/* Unit tests for hv/options.c: the hypervisor's boot options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hv/config/options.h"
#include "param.h"

struct warnings {
	int count;
	char last[256];
};

static void collect(void *ctx, const char *msg)
{
	struct warnings *w = ctx;

	w->count++;
	snprintf(w->last, sizeof(w->last), "%s", msg);
}

static struct hv_options parse(const char *line, struct warnings *w, int expect_warnings)
{
	struct hv_options o;

	memset(w, 0, sizeof(*w));
	options_defaults(&o);
	assert_int_equal(options_parse(line, &o, collect, w), expect_warnings);
	assert_int_equal(w->count, expect_warnings);
	return o;
}

static void test_defaults(void **state)
{
	struct warnings w;
	struct hv_options o = parse("", &w, 0);

	assert_int_equal(o.loglevel, LOG_INFO);
	assert_int_equal(o.on_stop, ON_STOP_HALT);
	assert_int_equal(o.max_cpus, MAX_CPUS);
	assert_int_equal(o.selftest, SELFTEST_NONE);
	o = parse(NULL, &w, 0);
	assert_int_equal(o.loglevel, LOG_INFO);
}

static void test_known_options(void **state)
{
	struct warnings w;
	struct hv_options o = parse("loglevel=debug on_stop=poweroff cpus=2 selftest=pf", &w, 0);

	assert_int_equal(o.loglevel, LOG_DEBUG);
	assert_int_equal(o.on_stop, ON_STOP_POWEROFF);
	assert_int_equal(o.max_cpus, 2);
	assert_int_equal(o.selftest, SELFTEST_PF);
	assert_int_equal(parse("selftest=vmread", &w, 0).selftest, SELFTEST_VMREAD);
	assert_int_equal(parse("selftest=vpids", &w, 0).selftest, SELFTEST_VPIDS);
	o = parse("loglevel=0 loglevel=warn", &w, 0);
	assert_int_equal(o.loglevel, LOG_WARN); /* the last one wins */
	o = parse("cpus=0x40 on_stop=halt", &w, 0);
	assert_int_equal(o.max_cpus, 64);
	assert_int_equal(o.on_stop, ON_STOP_HALT);
}

static void test_kernel_path_skipped_only_first(void **state)
{
	struct warnings w;
	struct hv_options o = parse("/boot/sable.elf loglevel=err", &w, 0);

	assert_int_equal(o.loglevel, LOG_ERR);
	o = parse("(hd0)/sable loglevel=err", &w, 0);
	assert_int_equal(o.loglevel, LOG_ERR);
	parse("loglevel=err /boot/sable.elf", &w, 1);
	assert_string_equal(w.last,
	                    "ignoring malformed boot option '/boot/sable.elf' (want key=value)");
}

static void test_sched_slice_us(void **state)
{
	static const struct {
		const char *line;
		int warnings;
		uint32_t want;
	} cases[] = {
		{"", 0, 10000},
		{"sched_slice_us=100", 0, 100},
		{"sched_slice_us=100000", 0, 100000},
		{"sched_slice_us=99", 1, 10000},
		{"sched_slice_us=100001", 1, 10000},
		{"sched_slice_us=18446744073709551617", 1, 10000},
		{"sched_slice_us=ms", 1, 10000},
	};
	struct warnings w;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(parse(cases[i].line, &w, cases[i].warnings).sched_slice_us,
		                 cases[i].want);
	parse("sched_slice_us=99", &w, 1);
	assert_string_equal(w.last, "ignoring sched_slice_us=99: expected microseconds from 100 "
	                            "to 100000 (keeping the default)");
}

static void test_bad_input_warned_and_ignored(void **state)
{
	struct warnings w;
	struct hv_options o;

	o = parse("loglevel=loud", &w, 1);
	assert_int_equal(o.loglevel, LOG_INFO);
	assert_string_equal(w.last,
	                    "ignoring loglevel=loud: expected err, warn, info, debug or 0-3");
	o = parse("cpus=0", &w, 1);
	assert_int_equal(o.max_cpus, MAX_CPUS);
	o = parse("cpus=65", &w, 1);
	assert_string_equal(w.last, "ignoring cpus=65: expected a number from 1 to 64");
	o = parse("cpus=99999999999999999999999", &w, 1);
	assert_int_equal(o.max_cpus, MAX_CPUS);
	o = parse("cpus=-1 on_stop=reboot selftest=boom", &w, 3);
	assert_int_equal(o.on_stop, ON_STOP_HALT);
	assert_int_equal(o.selftest, SELFTEST_NONE);
	parse("frobnicate=1", &w, 1);
	assert_string_equal(w.last, "ignoring unknown boot option 'frobnicate'");
	parse("x loglevel= =3 loglevel", &w, 4);
	o = parse("  bogus\tloglevel=debug\n", &w, 1);
	assert_int_equal(o.loglevel, LOG_DEBUG); /* good options after bad ones still apply */
}

static void test_events_selftest_and_vmx_ack(void **state)
{
	struct warnings w;
	struct hv_options o = parse("", &w, 0);

	assert_true(o.vmx_ack); /* taken when the CPU offers it */
	o = parse("selftest=events vmx_ack=off", &w, 0);
	assert_int_equal(o.selftest, SELFTEST_EVENTS);
	assert_false(o.vmx_ack);
	o = parse("vmx_ack=no vmx_ack=on", &w, 0);
	assert_true(o.vmx_ack);
	o = parse("vmx_ack=maybe", &w, 1);
	assert_true(o.vmx_ack);
	assert_string_equal(w.last, "ignoring vmx_ack=maybe: expected on or off");
	assert_true(o.apicv);
	o = parse("apicv=off", &w, 0);
	assert_false(o.apicv);
	assert_true(o.vmx_ack);
	o = parse("apicv=off apicv=on", &w, 0);
	assert_true(o.apicv);
	o = parse("apicv=sometimes", &w, 1);
	assert_true(o.apicv);
	assert_string_equal(w.last, "ignoring apicv=sometimes: expected on or off");
	parse("selftest=event", &w, 1);
	assert_string_equal(
		w.last,
		"ignoring selftest=event: expected none, ud, pf, vmentry, events, vmread or vpids");
}

static void test_console(void **state)
{
	struct warnings w;

	assert_int_equal(parse("", &w, 0).console, CONSOLE_BOTH);
	assert_int_equal(parse("console=serial", &w, 0).console, CONSOLE_SERIAL);
	assert_int_equal(parse("console=screen", &w, 0).console, CONSOLE_SCREEN);
	assert_int_equal(parse("console=screen console=both", &w, 0).console, CONSOLE_BOTH);
	assert_int_equal(parse("console=vga", &w, 1).console, CONSOLE_BOTH);
	assert_string_equal(w.last,
	                    "ignoring console=vga: expected serial, screen, both or log-only");
	assert_int_equal(parse("console=serial console=", &w, 1).console, CONSOLE_SERIAL);
}

static void test_monitor_and_console_in(void **state)
{
	struct warnings w;
	struct hv_options o;

	o = parse("", &w, 0);
	assert_true(o.monitor);
	assert_string_equal(o.console_in, "");
	o = parse("console=serial console=log-only", &w, 0);
	assert_false(o.monitor);
	assert_int_equal(o.console, CONSOLE_SERIAL); /* the output is left alone */
	o = parse("console_in=echo1", &w, 0);
	assert_string_equal(o.console_in, "echo1");
	assert_true(o.monitor);
	o = parse("console_in=a234567890123456", &w, 1);
	assert_string_equal(o.console_in, "");
	assert_string_equal(w.last, "ignoring console_in=a234567890123456: expected a VM name of 1 "
	                            "to 15 characters");
}

static void test_overlong_tokens(void **state)
{
	char line[1024];
	struct warnings w;

	memset(line, 'k', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	line[40] = '=';
	parse(line, &w, 1);
	assert_non_null(strstr(w.last, "malformed"));
}

/* serial=: an I/O port, MMIO with 8- or 32-bit registers, none, a baud; bad values warned. */
static void test_serial(void **state)
{
	struct warnings w;
	struct hv_options o = parse("", &w, 0);

	assert_false(o.serial_given);
	o = parse("serial=0x2f8", &w, 0);
	assert_true(o.serial_given);
	assert_int_equal(o.serial.space, UART_IO);
	assert_int_equal(o.serial.base, 0x2f8);
	assert_int_equal(o.serial.stride, 1);
	assert_int_equal(o.serial.baud, UART_DEFAULT_BAUD);
	o = parse("serial=mmio:0xfe032000", &w, 0);
	assert_int_equal(o.serial.space, UART_MMIO);
	assert_int_equal(o.serial.base, 0xfe032000);
	assert_int_equal(o.serial.stride, 1);
	assert_int_equal(o.serial.access, 1);
	o = parse("serial=mmio32:0xfe032000,9600", &w, 0);
	assert_int_equal(o.serial.space, UART_MMIO);
	assert_int_equal(o.serial.stride, 4);
	assert_int_equal(o.serial.access, 4);
	assert_int_equal(o.serial.baud, 9600);
	o = parse("serial=1016,57600", &w, 0);
	assert_int_equal(o.serial.base, 0x3f8);
	assert_int_equal(o.serial.baud, 57600);
	o = parse("serial=none", &w, 0);
	assert_true(o.serial_given);
	assert_int_equal(o.serial.space, UART_NONE);

	static const char *const bad[] = {
		"serial=0",
		"serial=0x10000",
		"serial=com2",
		"serial=mmio:",
		"serial=mmio32:0xfe032002",
		"serial=0x2f8,",
		"serial=0x2f8,230400",
		"serial=0x2f8,fast",
		"serial=mmio8:0x1000",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = parse(bad[i], &w, 1);
		assert_false(o.serial_given);
		assert_non_null(strstr(w.last, "expected none, an I/O port, mmio:ADDR"));
	}
}

static void test_gdb(void **state)
{
	struct warnings w;
	struct hv_options o = parse("", &w, 0);

	assert_false(o.gdb_given);
	o = parse("gdb=guest-1", &w, 0);
	assert_true(o.gdb_given);
	assert_string_equal(o.gdb_vm, "guest-1");
	assert_int_equal(o.gdb_vcpu, 0);
	o = parse("gdb=smp.3", &w, 0);
	assert_string_equal(o.gdb_vm, "smp");
	assert_int_equal(o.gdb_vcpu, 3);
	static const char *const bad[] = {"gdb=",
	                                  "gdb=.1",
	                                  "gdb=a.",
	                                  "gdb=a.16",
	                                  "gdb=a.x",
	                                  "gdb=a/b",
	                                  "gdb=sixteen_chars_xy"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&w, 0, sizeof(w));
		options_defaults(&o);
		if (options_parse(bad[i], &o, collect, &w) != 1 || o.gdb_given)
			fail_msg("%s: not refused", bad[i]);
		if (!strstr(w.last, "a VM name") && !strstr(w.last, "malformed"))
			fail_msg("%s: %s", bad[i], w.last);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_sched_slice_us),
		cmocka_unit_test(test_known_options),
		cmocka_unit_test(test_kernel_path_skipped_only_first),
		cmocka_unit_test(test_bad_input_warned_and_ignored),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_monitor_and_console_in),
		cmocka_unit_test(test_overlong_tokens),
		cmocka_unit_test(test_events_selftest_and_vmx_ack),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_gdb),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
