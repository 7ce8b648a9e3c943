/* Unit tests for hv/monitor_cmd.c: the monitor's parser and argument checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "hv/monitor_cmd.h"

static char err[MON_ERR_MAX];
static char line[128];
static struct mon_cmd cmd;

static int parse(const char *s)
{
	strcpy(line, s);
	err[0] = 0;
	memset(&cmd, 0, sizeof(cmd));
	return mon_parse(line, &cmd, err, sizeof(err));
}

static void test_commands_and_arguments(void **state)
{
	assert_int_equal(parse("vms"), 1);
	assert_int_equal(cmd.id, MON_VMS);
	assert_int_equal(cmd.argc, 0);
	assert_int_equal(parse("  mem\tguest1   0x1000 16 "), 1);
	assert_int_equal(cmd.id, MON_MEM);
	assert_int_equal(cmd.argc, 2 + 1);
	assert_string_equal(cmd.argv[0], "guest1");
	assert_string_equal(cmd.argv[1], "0x1000");
	assert_string_equal(cmd.argv[2], "16");
	assert_int_equal(parse("vcpus"), 1);
	assert_int_equal(parse("vcpus a"), 1);
	assert_string_equal(cmd.argv[0], "a");
}

static void test_empty_line(void **state)
{
	assert_int_equal(parse(""), 0);
	assert_int_equal(parse("   \t "), 0);
}

static void test_unknown_and_wrong_counts(void **state)
{
	assert_int_equal(parse("frobnicate now"), -EINVAL);
	assert_string_equal(err, "unknown command 'frobnicate' (try help)");
	assert_int_equal(parse("VMS"), -EINVAL); /* names are exact */
	assert_int_equal(parse("regs"), -EINVAL);
	assert_string_equal(err, "usage: regs vm.vcpu");
	assert_int_equal(parse("ept a"), -EINVAL);
	assert_string_equal(err, "usage: ept vm gpa");
	assert_int_equal(parse("vms extra"), -EINVAL);
	assert_string_equal(err, "usage: vms ");
	assert_int_equal(parse("mem a b c d e f"), -EINVAL);
	assert_string_equal(err, "too many arguments (try help)");
}

static void test_every_command_has_help(void **state)
{
	for (int i = 0; i < MON_NR_CMDS; i++) {
		assert_non_null(mon_cmds[i].name);
		assert_non_null(mon_cmds[i].help);
		assert_true(mon_cmds[i].max_args <= MON_ARGS_MAX);
		assert_true(mon_cmds[i].min_args <= mon_cmds[i].max_args);
		assert_int_equal(parse(mon_cmds[i].name), mon_cmds[i].min_args ? -EINVAL : 1);
	}
}

static void test_numbers(void **state)
{
	uint64_t v = 7;

	assert_int_equal(mon_parse_u64("0", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 0);
	assert_int_equal(mon_parse_u64("4096", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(mon_parse_u64("0x1fF000", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 0x1ff000);
	assert_int_equal(mon_parse_u64("0xffffffffffffffff", &v, err, sizeof(err)), 0);
	assert_true(v == UINT64_MAX);
	v = 7;
	assert_int_equal(mon_parse_u64("0x10000000000000000", &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(mon_parse_u64("18446744073709551616", &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(mon_parse_u64("12a", &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad number '12a' (decimal, or hex with 0x)");
	assert_int_equal(mon_parse_u64("0x", &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(mon_parse_u64("", &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(mon_parse_u64("-1", &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(v, 7);
}

static void test_vcpu_refs(void **state)
{
	char vm[16];
	uint32_t i = 9;

	assert_int_equal(mon_parse_vcpu("guest.1", vm, sizeof(vm), &i, err, sizeof(err)), 0);
	assert_string_equal(vm, "guest");
	assert_int_equal(i, 1);
	assert_int_equal(mon_parse_vcpu("0.0", vm, sizeof(vm), &i, err, sizeof(err)), 0);
	assert_string_equal(vm, "0");
	assert_int_equal(mon_parse_vcpu("guest", vm, sizeof(vm), &i, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "expected vm.vcpu (e.g. 0.0 or name.1), not 'guest'");
	assert_int_equal(mon_parse_vcpu(".1", vm, sizeof(vm), &i, err, sizeof(err)), -EINVAL);
	assert_int_equal(mon_parse_vcpu("g.", vm, sizeof(vm), &i, err, sizeof(err)), -EINVAL);
	assert_int_equal(mon_parse_vcpu("g.x", vm, sizeof(vm), &i, err, sizeof(err)), -EINVAL);
	assert_int_equal(mon_parse_vcpu("g.99999999999", vm, sizeof(vm), &i, err, sizeof(err)),
	                 -EINVAL);
	assert_int_equal(
		mon_parse_vcpu("a-name-too-long-for-a-vm.0", vm, sizeof(vm), &i, err, sizeof(err)),
		-EINVAL);
}

/* gdb vm[.vcpu]: the command's arguments, vCPU 0 by default. */
static void test_gdb_targets(void **state)
{
	char vm[8];
	uint32_t v = 99;

	assert_int_equal(parse("gdb"), -EINVAL);
	assert_string_equal(err, "usage: gdb vm[.vcpu]");
	assert_int_equal(parse("gdb a b"), -EINVAL);
	assert_int_equal(parse("gdb monb"), 1);
	assert_int_equal(cmd.id, MON_GDB);
	assert_int_equal(mon_parse_vm_vcpu(cmd.argv[0], vm, sizeof(vm), &v, err, sizeof(err)), 0);
	assert_string_equal(vm, "monb");
	assert_int_equal(v, 0);
	assert_int_equal(mon_parse_vm_vcpu("g1.3", vm, sizeof(vm), &v, err, sizeof(err)), 0);
	assert_string_equal(vm, "g1");
	assert_int_equal(v, 3);
	assert_int_equal(mon_parse_vm_vcpu("2.0x1", vm, sizeof(vm), &v, err, sizeof(err)), 0);
	assert_string_equal(vm, "2");
	assert_int_equal(v, 1);
	/* a name too long for vm, a missing name or index, a bad index */
	assert_int_equal(mon_parse_vm_vcpu("abcdefgh", vm, sizeof(vm), &v, err, sizeof(err)),
	                 -EINVAL);
	assert_string_equal(err, "expected vm or vm.vcpu, not 'abcdefgh'");
	assert_int_equal(mon_parse_vm_vcpu("", vm, sizeof(vm), &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(mon_parse_vm_vcpu(".1", vm, sizeof(vm), &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(mon_parse_vm_vcpu("a.", vm, sizeof(vm), &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(mon_parse_vm_vcpu("a.x", vm, sizeof(vm), &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad number 'x' (decimal, or hex with 0x)");
	assert_int_equal(mon_parse_vm_vcpu("a.99999999999", vm, sizeof(vm), &v, err, sizeof(err)),
	                 -EINVAL);
}

static void test_loglevels(void **state)
{
	int l = -1;

	assert_int_equal(mon_parse_loglevel("debug", &l, err, sizeof(err)), 0);
	assert_int_equal(l, 3);
	assert_int_equal(mon_parse_loglevel("0", &l, err, sizeof(err)), 0);
	assert_int_equal(l, 0);
	assert_int_equal(mon_parse_loglevel("loud", &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad level 'loud': err, warn, info, debug or 0-3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands_and_arguments),
		cmocka_unit_test(test_empty_line),
		cmocka_unit_test(test_unknown_and_wrong_counts),
		cmocka_unit_test(test_every_command_has_help),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_vcpu_refs),
		cmocka_unit_test(test_gdb_targets),
		cmocka_unit_test(test_loglevels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
