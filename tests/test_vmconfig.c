/* Unit tests for hv/vmconfig.c: the vm= boot option value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "param.h"
#include "hv/config/vmconfig.h"

/* Parses value[0..len) from a heap block of exactly len bytes (no NUL), so ASan
 * flags any read past len. */
static int parse_len(const char *value, size_t len, struct vm_config *cfg, char *err, size_t errlen)
{
	char *blk = malloc(len ? len : 1);
	int ret;

	assert_non_null(blk);
	memcpy(blk, value, len);
	memset(cfg, 0x5a, sizeof(*cfg));
	ret = vmconfig_parse(blk, len, cfg, err, errlen);
	free(blk);
	return ret;
}

/* Requires value to parse, with an empty error message. */
static struct vm_config parse_ok(const char *value)
{
	struct vm_config cfg;
	char err[160] = "stale";

	if (parse_len(value, strlen(value), &cfg, err, sizeof(err)) != 0)
		fail_msg("'%s' rejected: %s", value, err);
	assert_string_equal(err, "");
	return cfg;
}

/* Requires value to be rejected with exactly the message want. */
static void expect_err(const char *value, const char *want)
{
	struct vm_config cfg;
	char err[160];

	memset(err, 'x', sizeof(err));
	assert_int_equal(parse_len(value, strlen(value), &cfg, err, sizeof(err)), -EINVAL);
	if (strcmp(err, want) != 0)
		fail_msg("'%s': got '%s', want '%s'", value, err, want);
}

/* Requires value to be rejected with a message containing want. */
static void expect_err_has(const char *value, const char *want)
{
	struct vm_config cfg;
	char err[160];

	memset(err, 'x', sizeof(err));
	assert_int_equal(parse_len(value, strlen(value), &cfg, err, sizeof(err)), -EINVAL);
	if (strstr(err, want) == NULL)
		fail_msg("'%s': got '%s', want it to contain '%s'", value, err, want);
}

static void test_defaults(void **state)
{
	struct vm_config cfg = parse_ok("web:module=0");

	assert_string_equal(cfg.name, "web");
	assert_int_equal(cfg.module, 0);
	assert_int_equal(cfg.mem, 32 << 20);
	assert_int_equal(cfg.ncpus, 1);
	assert_false(cfg.pinned);
	for (int i = 0; i < VMCONFIG_MAX_VCPUS; i++)
		assert_int_equal(cfg.pin[i], 0);
	assert_int_equal(cfg.nmods, 0);
	for (int i = 0; i < VMCONFIG_MAX_MODS; i++)
		assert_int_equal(cfg.mods[i], 0);
	assert_int_equal(cfg.restart, 0);
	assert_int_equal(cfg.weight, 10);
}

static void test_all_keys(void **state)
{
	struct vm_config cfg = parse_ok("db-1_X:module=3,mem=1G,cpus=4,pin=0+1+2+63,mods=1+2+5+15");

	assert_string_equal(cfg.name, "db-1_X");
	assert_int_equal(cfg.module, 3);
	assert_int_equal(cfg.mem, 1ull << 30);
	assert_int_equal(cfg.ncpus, 4);
	assert_true(cfg.pinned);
	assert_int_equal(cfg.pin[0], 0);
	assert_int_equal(cfg.pin[1], 1);
	assert_int_equal(cfg.pin[2], 2);
	assert_int_equal(cfg.pin[3], 63);
	assert_int_equal(cfg.pin[4], 0);
	assert_int_equal(cfg.nmods, 4);
	assert_int_equal(cfg.mods[0], 1);
	assert_int_equal(cfg.mods[1], 2);
	assert_int_equal(cfg.mods[2], 5);
	assert_int_equal(cfg.mods[3], 15);
}

static void test_key_order_and_forms(void **state)
{
	struct vm_config cfg;

	/* pin= before cpus=, a single pin entry covers every vCPU, hex numbers. */
	cfg = parse_ok("a:pin=5,cpus=8,module=0x2");
	assert_int_equal(cfg.module, 2);
	assert_int_equal(cfg.ncpus, 8);
	assert_true(cfg.pinned);
	for (int i = 0; i < 8; i++)
		assert_int_equal(cfg.pin[i], 5);
	cfg = parse_ok("a:module=15,mods=0,cpus=1,pin=7");
	assert_int_equal(cfg.module, 15);
	assert_int_equal(cfg.nmods, 1);
	assert_int_equal(cfg.mods[0], 0);
	assert_int_equal(cfg.pin[0], 7);
	assert_int_equal(cfg.pin[1], 0);
	/* Duplicate CPUs in pin= are allowed. */
	cfg = parse_ok("a:module=0,cpus=3,pin=2+2+0x3");
	assert_int_equal(cfg.pin[2], 3);
	cfg = parse_ok("a:module=0,cpus=8,pin=7+6+5+4+3+2+1+0");
	assert_int_equal(cfg.pin[7], 0);
}

static void test_mem_sizes(void **state)
{
	assert_int_equal(parse_ok("a:module=0,mem=4M").mem, 4 << 20);
	assert_int_equal(parse_ok("a:module=0,mem=4096K").mem, 4 << 20);
	assert_int_equal(parse_ok("a:module=0,mem=4194304").mem, 4 << 20);
	assert_int_equal(parse_ok("a:module=0,mem=0x401000").mem, 0x401000);
	assert_int_equal(parse_ok("a:module=0,mem=64m").mem, 64 << 20);
	assert_int_equal(parse_ok("a:module=0,mem=64G").mem, 64ull << 30);
	assert_int_equal(parse_ok("a:module=0,mem=65536M").mem, 64ull << 30);
	expect_err("web:module=0,mem=3M", "vm 'web': mem=3M below the 4M minimum");
	expect_err("a:module=0,mem=4194303", "vm 'a': mem=4194303 below the 4M minimum");
	expect_err("a:module=0,mem=0", "vm 'a': mem=0 below the 4M minimum");
	expect_err("a:module=0,mem=65G", "vm 'a': mem=65G above the 64G maximum");
	expect_err("a:module=0,mem=68719480832", "vm 'a': mem=68719480832 above the 64G maximum");
	expect_err("a:module=0,mem=1T", "vm 'a': mem=1T above the 64G maximum");
	expect_err("a:module=0,mem=99999999999999999999",
	           "vm 'a': mem=99999999999999999999 above the 64G maximum");
	expect_err("a:module=0,mem=16777216T", "vm 'a': mem=16777216T above the 64G maximum");
	expect_err("a:module=0,mem=4194305", "vm 'a': mem=4194305 not a multiple of 4K");
	expect_err("a:module=0,mem=4097K", "vm 'a': mem=4097K not a multiple of 4K");
	expect_err_has("a:module=0,mem=12Q", "vm 'a': bad mem= value '12Q'");
	expect_err_has("a:module=0,mem=M", "vm 'a': bad mem= value 'M'");
	expect_err_has("a:module=0,mem=-4M", "vm 'a': bad mem= value '-4M'");
	expect_err_has("a:module=0,mem= 8M", "vm 'a': bad mem= value ' 8M'");
}

static void test_cpus(void **state)
{
	assert_int_equal(parse_ok("a:module=0,cpus=1").ncpus, 1);
	assert_int_equal(parse_ok("a:module=0,cpus=8").ncpus, 8);
	assert_int_equal(parse_ok("a:module=0,cpus=16").ncpus, 16);
	expect_err("a:module=0,cpus=0", "vm 'a': cpus=0 out of range (1-16)");
	expect_err("a:module=0,cpus=17", "vm 'a': cpus=17 out of range (1-16)");
	expect_err("a:module=0,cpus=18446744073709551616",
	           "vm 'a': cpus=18446744073709551616 out of range (1-16)");
	expect_err("a:module=0,cpus=4294967297", "vm 'a': cpus=4294967297 out of range (1-16)");
	expect_err("a:module=0,cpus=two", "vm 'a': bad cpus= value 'two'");
	expect_err("a:module=0,cpus=0x", "vm 'a': bad cpus= value '0x'");
}

static void test_weight(void **state)
{
	static const struct {
		const char *value, *err;
	} bad[] = {
		{"a:module=0,weight=0", "vm 'a': weight=0 out of range (1-100)"},
		{"a:module=0,weight=101", "vm 'a': weight=101 out of range (1-100)"},
		{"a:module=0,weight=18446744073709551616",
	         "vm 'a': weight=18446744073709551616 out of range (1-100)"},
		{"a:module=0,weight=x", "vm 'a': bad weight= value 'x'"},
		{"a:module=0,weight=", "vm 'a': empty value for 'weight'"},
		{"a:module=0,weight=5,weight=6", "vm 'a': duplicate key 'weight'"},
	};

	assert_int_equal(parse_ok("a:module=0,weight=1").weight, 1);
	assert_int_equal(parse_ok("a:weight=100,module=0").weight, 100);
	assert_int_equal(parse_ok("a:module=0,weight=0x20").weight, 32);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_err(bad[i].value, bad[i].err);
}

static void test_restart(void **state)
{
	assert_int_equal(parse_ok("a:module=0,restart=0").restart, 0);
	assert_int_equal(parse_ok("a:restart=7,module=0").restart, 7);
	assert_int_equal(parse_ok("a:module=0,restart=1000").restart, 1000);
	expect_err("a:module=0,restart=1001", "vm 'a': restart=1001 out of range (0-1000)");
	expect_err("a:module=0,restart=4294967296",
	           "vm 'a': restart=4294967296 out of range (0-1000)");
	expect_err("a:module=0,restart=-1", "vm 'a': bad restart= value '-1'");
	expect_err("a:module=0,restart=", "vm 'a': empty value for 'restart'");
	expect_err("a:module=0,restart=1,restart=2", "vm 'a': duplicate key 'restart'");
}

static void test_module(void **state)
{
	expect_err("a:module=16", "vm 'a': module=16 out of range (max 15)");
	expect_err("a:module=4294967296", "vm 'a': module=4294967296 out of range (max 15)");
	expect_err("a:module=99999999999999999999999",
	           "vm 'a': module=99999999999999999999999 out of range (max 15)");
	expect_err("a:module=-1", "vm 'a': bad module= value '-1'");
	expect_err("a:module=1x", "vm 'a': bad module= value '1x'");
	expect_err("a:mem=64M", "vm 'a': module= (or linux=) missing");
	expect_err("a:", "vm 'a': module= (or linux=) missing");
}

static void test_pin(void **state)
{
	expect_err("a:module=0,cpus=3,pin=1+2", "vm 'a': pin= has 2 CPUs for cpus=3");
	expect_err("a:module=0,pin=1+2", "vm 'a': pin= has 2 CPUs for cpus=1");
	expect_err("a:module=0,cpus=2,pin=1+2+3", "vm 'a': pin= has 3 CPUs for cpus=2");
	expect_err("a:module=0,cpus=16,pin=0+1+2+3+4+5+6+7+8+9+10+11+12+13+14+15+0",
	           "vm 'a': pin= has more than 16 CPUs");
	assert_int_equal(parse_ok("a:module=0,cpus=16,pin=0+1+2+3+0+1+2+3+0+1+2+3+0+1+2+3").pin[15],
	                 3);
	expect_err("a:module=0,pin=64", "vm 'a': pin= CPU 64 out of range (max 63)");
	expect_err("a:module=0,cpus=2,pin=1+99999999999999999999",
	           "vm 'a': pin= CPU 99999999999999999999 out of range (max 63)");
	expect_err_has("a:module=0,cpus=2,pin=1++2", "vm 'a': bad pin= value '1++2'");
	expect_err_has("a:module=0,pin=+1", "vm 'a': bad pin= value '+1'");
	expect_err_has("a:module=0,pin=1+", "vm 'a': bad pin= value '1+'");
	expect_err_has("a:module=0,pin=+", "vm 'a': bad pin= value '+'");
	expect_err_has("a:module=0,pin=x", "vm 'a': bad pin= value 'x'");
	expect_err_has("a:module=0,cpus=2,pin=1 2", "vm 'a': bad pin= value '1 2'");
}

static void test_mods(void **state)
{
	expect_err("a:module=0,mods=1+2+3+4+5", "vm 'a': mods= has more than 4 modules");
	expect_err("a:module=0,mods=16", "vm 'a': mods= module 16 out of range (max 15)");
	expect_err_has("a:module=0,mods=1,+2", "vm 'a': '+2' is not key=value");
	expect_err_has("a:module=0,mods=1+", "vm 'a': bad mods= value '1+'");
	expect_err_has("a:module=0,mods=", "vm 'a': empty value for 'mods'");
}

static void test_keys(void **state)
{
	expect_err("a:module=0,foo=1", "vm 'a': unknown key 'foo'");
	expect_err("a:Module=0", "vm 'a': unknown key 'Module'");
	expect_err("a:module=0,mem=8M,mem=16M", "vm 'a': duplicate key 'mem'");
	expect_err("a:module=0,module=0", "vm 'a': duplicate key 'module'");
	expect_err("a:module=0,pin=1,pin=1", "vm 'a': duplicate key 'pin'");
	expect_err_has("a:module=0,cmdline=console=ttyS0", "vm 'a': cmdline= is not supported");
	expect_err_has("a:module=0,cmdline=", "vm 'a': cmdline= is not supported");
	expect_err("a:module", "vm 'a': 'module' is not key=value");
	expect_err("a:module=0,=5", "vm 'a': '=5' is not key=value");
	expect_err("a:module=", "vm 'a': empty value for 'module'");
	expect_err("a:module=0,mem=", "vm 'a': empty value for 'mem'");
	/* Everything after the first ':' is fields; a second ':' is value text. */
	expect_err("a:module=0:1", "vm 'a': bad module= value '0:1'");
	expect_err("a:b:module=0", "vm 'a': unknown key 'b:module'");
}

static void test_empty_fields(void **state)
{
	expect_err("a:module=0,,mem=8M", "vm 'a': empty field (stray ',')");
	expect_err("a:,module=0", "vm 'a': empty field (stray ',')");
	expect_err("a:,", "vm 'a': empty field (stray ',')");
	expect_err("a:module=0,", "vm 'a': empty field (trailing ',')");
	expect_err("a:module=0,mem=8M,", "vm 'a': empty field (trailing ',')");
}

static void test_names(void **state)
{
	struct vm_config cfg;

	cfg = parse_ok("a:module=0");
	assert_string_equal(cfg.name, "a");
	cfg = parse_ok("abcdefghij_-XYZ:module=0"); /* 15 characters */
	assert_string_equal(cfg.name, "abcdefghij_-XYZ");
	cfg = parse_ok("0:module=0");
	assert_string_equal(cfg.name, "0");
	expect_err_has("abcdefghij_-XYZ0:module=0", "bad VM name 'abcdefghij_-XYZ0'");
	expect_err_has("x y:module=0", "bad VM name 'x y'");
	expect_err_has(":module=0", "bad VM name ''");
	expect_err_has("a.b:module=0", "bad VM name 'a.b'");
	expect_err_has("a=b:module=0", "bad VM name 'a=b'");
	expect_err_has("\xc3\xa9:module=0", "bad VM name");
}

static void test_missing_colon_and_empty(void **state)
{
	struct vm_config cfg;
	char err[160];

	expect_err("web", "vm=web: missing ':' after the VM name");
	expect_err("module=0", "vm=module=0: missing ':' after the VM name");
	expect_err_has("", "empty vm= value");
	assert_int_equal(vmconfig_parse(NULL, 5, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "empty vm= value"));
	assert_int_equal(vmconfig_parse("a:module=0", 0, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "empty vm= value"));
}

static void test_not_nul_terminated(void **state)
{
	static const char line[] = "a:module=1 junk";
	static const char line2[] = "vm1:module=2,mem=8M,cpus=2,x";
	static const char line3[] = "b:module=12,mem=8M";
	struct vm_config cfg;
	char err[160];

	assert_int_equal(parse_len(line, 10, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "a");
	assert_int_equal(cfg.module, 1);
	/* The boundary falls inside a value or a name. */
	assert_int_equal(parse_len(line, 9, &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "vm 'a': empty value for 'module'");
	assert_int_equal(parse_len(line2, strlen(line2) - 2, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.name, "vm1");
	assert_int_equal(cfg.mem, 8 << 20);
	assert_int_equal(cfg.ncpus, 2);
	assert_int_equal(parse_len(line2, 2, &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "vm=vm: missing ':' after the VM name");
	/* A value that continues in the buffer past len is cut at len. */
	assert_int_equal(parse_len(line3, 10, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.module, 1);
	assert_int_equal(cfg.mem, 32 << 20);
}

static void test_error_buffer(void **state)
{
	struct vm_config cfg;
	char err[8];

	memset(err, 'x', sizeof(err));
	assert_int_equal(parse_len("a:foo=1", 7, &cfg, err, 5), -EINVAL);
	assert_string_equal(err, "vm '");
	assert_int_equal(parse_len("a:foo=1", 7, &cfg, err, 8), -EINVAL);
	assert_string_equal(err, "vm 'a':");
	assert_int_equal(parse_len("a b:x", 5, &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad VM ");
	assert_int_equal(parse_len("a:foo=1", 7, &cfg, NULL, 0), -EINVAL);
	err[0] = 'x';
	assert_int_equal(parse_len("a:foo=1", 7, &cfg, err, 1), -EINVAL);
	assert_int_equal(err[0], '\0');
	assert_int_equal(parse_len("a:module=0", 10, &cfg, NULL, 0), 0);
}

static void test_long_values_quoted_short(void **state)
{
	char line[600];
	char err[400];
	struct vm_config cfg;

	memset(line, '7', sizeof(line));
	memcpy(line, "a:module=", 9);
	assert_int_equal(parse_len(line, sizeof(line), &cfg, err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) < 120);
	assert_non_null(strstr(err, "out of range"));
}

/* Requires the invariants of an accepted configuration. */
static void check_valid(const struct vm_config *cfg)
{
	size_t n = strlen(cfg->name);

	assert_true(n >= 1 && n <= VMCONFIG_NAME_MAX);
	assert_true(cfg->module < MAX_BOOT_MODULES);
	assert_true(cfg->mem >= (4 << 20) && cfg->mem <= VMCONFIG_MAX_MEM && cfg->mem % 4096 == 0);
	assert_true(cfg->ncpus >= 1 && cfg->ncpus <= VMCONFIG_MAX_VCPUS);
	for (uint32_t i = 0; i < VMCONFIG_MAX_VCPUS; i++)
		assert_true(cfg->pin[i] < MAX_CPUS);
	assert_true(cfg->nmods <= VMCONFIG_MAX_MODS);
	for (uint32_t i = 0; i < cfg->nmods; i++)
		assert_true(cfg->mods[i] < MAX_BOOT_MODULES);
}

static void test_every_prefix(void **state)
{
	static const char line[] = "guest-7:cpus=4,mem=0x800000,module=3,pin=1+2+3+4,mods=0+1";
	struct vm_config cfg;
	char err[160];
	int ok = 0;

	for (size_t len = 0; len <= strlen(line); len++) {
		err[0] = 'x';
		err[1] = '\0';
		if (parse_len(line, len, &cfg, err, sizeof(err)) == 0) {
			check_valid(&cfg);
			assert_string_equal(err, "");
			ok++;
		} else {
			assert_true(strlen(err) > 0 && strcmp(err, "x") != 0);
		}
	}
	/* Complete: ...module=3, ...pin=1 (all vCPUs on CPU 1), ...pin=1+2+3+4,
	 * ...mods=0 and the whole line. */
	assert_int_equal(ok, 5);
}

/* Small deterministic PRNG (xorshift64). */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_random_strings(void **state)
{
	static const char *const pieces[] = {
		"a",   "b7",   ":",     ",",   "=", "+", "module", "mem",     "cpus",
		"pin", "mods", "0",     "1",   "3", "8", "64",     "4M",      "64G",
		"0x",  "K",    "99999", "foo", "-", "_", " ",      "cmdline",
	};
	uint64_t seed = 0x243f6a8885a308d3ull;
	struct vm_config cfg;
	char line[128], err[160];
	int ok = 0;

	for (int iter = 0; iter < 50000; iter++) {
		size_t len = 0;
		int n = 1 + (int)(next_rand(&seed) % 16);

		if (iter % 2) {
			memcpy(line, "v:module=1,", 11);
			len = 11;
		}
		for (int k = 0; k < n; k++) {
			const char *p = pieces[next_rand(&seed) % ARRAY_SIZE(pieces)];
			size_t pl = strlen(p);

			if (len + pl > sizeof(line))
				break;
			memcpy(line + len, p, pl);
			len += pl;
		}
		if (parse_len(line, len, &cfg, err, sizeof(err)) == 0) {
			check_valid(&cfg);
			ok++;
		} else {
			assert_true(strlen(err) > 0);
		}
	}
	assert_true(ok > 0);
}

/* linux=N names a bzImage module; initrd=M only with it; mem= defaults higher. */
static void test_linux(void **state)
{
	struct vm_config c;

	(void)state;
	c = parse_ok("lx:linux=2,initrd=3,cpus=2");
	assert_true(c.is_linux);
	assert_int_equal(c.module, 2);
	assert_true(c.has_initrd);
	assert_int_equal(c.initrd, 3);
	assert_int_equal(c.ncpus, 2);
	assert_int_equal(c.mem, VMCONFIG_LINUX_MEM);
	c = parse_ok("lx:linux=1,mem=128M");
	assert_false(c.has_initrd);
	assert_int_equal(c.mem, 128ull << 20);
	c = parse_ok("mb:module=1");
	assert_false(c.is_linux);
	assert_int_equal(c.mem, VMCONFIG_DEFAULT_MEM);
	expect_err("lx:linux=1,module=2",
	           "vm 'lx': module= and linux= both given (one kernel per VM)");
	expect_err("mb:module=1,initrd=2",
	           "vm 'mb': initrd= is for linux= guests (multiboot kernels take mods=)");
	expect_err("lx:linux=1,mods=2",
	           "vm 'lx': mods= is for multiboot kernels (a linux= guest takes initrd=)");
	expect_err("lx:linux=x", "vm 'lx': bad linux= value 'x'");
	expect_err_has("lx:linux=1,initrd=999", "initrd=999 out of range");
	expect_err("lx:initrd=1", "vm 'lx': module= (or linux=) missing");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_key_order_and_forms),
		cmocka_unit_test(test_mem_sizes),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_weight),
		cmocka_unit_test(test_module),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_mods),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_missing_colon_and_empty),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_long_values_quoted_short),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_random_strings),
		cmocka_unit_test(test_linux),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
