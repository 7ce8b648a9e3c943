/* Unit tests for boot/efi/efi_cfg.c: sable.efi's configuration file and load options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "boot/efi/efi_cfg.h"

static struct efi_cfg cfg;
static struct efi_cfg_error err;

static int parse(const char *s)
{
	return efi_cfg_parse(s, strlen(s), &cfg, &err);
}

static void test_full_file(void **state)
{
	const char *f = "# Sable\r\n"
			"\n"
			"  kernel  /boot/sable.elf  \n"
			"cmdline loglevel=info vm=a:module=0,mem=16M  \n"
			"module guests/hello.elf hello world\n"
			"\tmodule \\abs\\cpuid.elf\n"
			"module x.elf last"; /* no final newline */

	assert_int_equal(parse(f), 0);
	assert_string_equal(cfg.kernel, "\\boot\\sable.elf");
	assert_string_equal(cfg.cmdline, "loglevel=info vm=a:module=0,mem=16M");
	assert_int_equal(cfg.nmodules, 3);
	assert_string_equal(cfg.modules[0].path, "guests\\hello.elf");
	assert_string_equal(cfg.modules[0].string, "hello world");
	assert_string_equal(cfg.modules[1].path, "\\abs\\cpuid.elf");
	assert_string_equal(cfg.modules[1].string, "");
	assert_string_equal(cfg.modules[2].string, "last");
}

static void test_defaults(void **state)
{
	assert_int_equal(parse(""), 0);
	assert_string_equal(cfg.kernel, "sable.elf");
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(cfg.nmodules, 0);
}

static void test_errors(void **state)
{
	assert_int_equal(parse("cmdline a\nmodul x.elf\n"), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "unknown keyword"));
	assert_int_equal(parse("module\n"), -EINVAL);
	assert_int_equal(err.line, 1);
	assert_int_equal(parse("kernel a b\n"), -EINVAL);
	assert_int_equal(parse("kernel\n"), -EINVAL);
	assert_int_equal(parse("kernel a\nkernel b\n"), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_int_equal(parse("cmdline a\n#\ncmdline b\n"), -EINVAL);
	assert_int_equal(err.line, 3);
	assert_int_equal(efi_cfg_parse("module a\0b\n", 11, &cfg, &err), -EINVAL);
}

static void test_limits(void **state)
{
	char f[4096] = "";
	char longline[EFI_CFG_CMDLINE_MAX + 16];

	for (int i = 0; i < EFI_CFG_MODULES_MAX; i++)
		strcat(f, "module m.elf\n");
	assert_int_equal(parse(f), 0);
	assert_int_equal(cfg.nmodules, EFI_CFG_MODULES_MAX);
	strcat(f, "module one-too-many.elf\n");
	assert_int_equal(parse(f), -E2BIG);
	assert_int_equal(err.line, EFI_CFG_MODULES_MAX + 1);

	strcpy(longline, "cmdline ");
	memset(longline + 8, 'x', EFI_CFG_CMDLINE_MAX - 1);
	longline[8 + EFI_CFG_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(parse(longline), 0); /* exactly fits */
	strcat(longline, "x");
	assert_int_equal(parse(longline), -E2BIG);
}

static void test_args(void **state)
{
	struct efi_cfg_args a;
	const char *msg;

	assert_int_equal(efi_cfg_args_parse("", &a, &msg), 0);
	assert_string_equal(a.config, "");
	assert_string_equal(a.cmdline, "");
	assert_int_equal(efi_cfg_args_parse("fs0:\\EFI\\sable\\SABLE.EFI", &a, &msg), 0);
	assert_string_equal(a.cmdline, "");
	assert_int_equal(
		efi_cfg_args_parse("sable.efi -c /x/bad.cfg loglevel=debug a=b ", &a, &msg), 0);
	assert_string_equal(a.config, "\\x\\bad.cfg");
	assert_string_equal(a.cmdline, "loglevel=debug a=b");
	/* a boot entry's options carry no program name */
	assert_int_equal(efi_cfg_args_parse(" loglevel=info vm=x", &a, &msg), 0);
	assert_string_equal(a.config, "");
	assert_string_equal(a.cmdline, "loglevel=info vm=x");
	assert_int_equal(efi_cfg_args_parse("sable.efi -c", &a, &msg), -EINVAL);
	assert_non_null(msg);
}

static void test_narrow(void **state)
{
	const uint16_t ok[] = {'a', '\t', 'b', 0, 'z'};
	const uint16_t bin[] = {'a', 0x01, 'b'};
	const uint16_t wide[] = {'a', 0x263a};
	char out[8];

	assert_int_equal(efi_cfg_narrow(ok, sizeof(ok), out, sizeof(out)), 3);
	assert_string_equal(out, "a b");
	/* without a terminating NUL: stops at size */
	assert_int_equal(efi_cfg_narrow(ok, 4, out, sizeof(out)), 2);
	assert_string_equal(out, "a ");
	assert_int_equal(efi_cfg_narrow(bin, sizeof(bin), out, sizeof(out)), -EINVAL);
	assert_int_equal(efi_cfg_narrow(wide, sizeof(wide), out, sizeof(out)), -EINVAL);
	assert_int_equal(efi_cfg_narrow(ok, sizeof(ok), out, 3), -E2BIG);
}

static void test_resolve(void **state)
{
	char out[32];

	assert_int_equal(efi_cfg_resolve("\\EFI\\sable", "sable.elf", out, sizeof(out)), 0);
	assert_string_equal(out, "\\EFI\\sable\\sable.elf");
	assert_int_equal(efi_cfg_resolve("\\EFI\\sable\\", "g/a.elf", out, sizeof(out)), 0);
	assert_string_equal(out, "\\EFI\\sable\\g\\a.elf");
	assert_int_equal(efi_cfg_resolve("\\", "a.elf", out, sizeof(out)), 0);
	assert_string_equal(out, "\\a.elf");
	assert_int_equal(efi_cfg_resolve("", "a.elf", out, sizeof(out)), 0);
	assert_string_equal(out, "\\a.elf");
	assert_int_equal(efi_cfg_resolve("\\EFI", "/boot/x.elf", out, sizeof(out)), 0);
	assert_string_equal(out, "\\boot\\x.elf");
	assert_int_equal(efi_cfg_resolve("\\EFI\\sable", "a-very-long-file-name.elf", out, 32),
	                 -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_file), cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),    cmocka_unit_test(test_limits),
		cmocka_unit_test(test_args),      cmocka_unit_test(test_narrow),
		cmocka_unit_test(test_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
