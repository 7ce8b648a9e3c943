/* Unit tests for boot/efi/efi_mb2.c: what sable.efi builds must parse with
 * Sable's own multiboot2 parser (hv/loader/multiboot2.c) to the same values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "boot/efi/efi_mb2.h"
#include "boot/efi/efi_mmap.h"
#include "tests/rsdp_fixture.h"

static uint64_t buf[2048]; /* 8-byte aligned */
static struct mb2_info info;

static void test_round_trip(void **state)
{
	const struct efi_mb2_module mods[] = {
		{0x1000000, 0x1003000, "hello"},
		{0x1003000, 0x1003001, ""},
		{0x2000000, 0x2000000, "empty module"},
	};
	struct mem_region mmap[64];
	uint8_t efimap[6 * 40] = {0};
	const struct {
		uint32_t type;
		uint64_t base, pages;
	} d[] = {
		{EFI_MT_BOOT_CODE, 0, 0x9f},
		{EFI_MT_RESERVED, 0x9f000, 0x61},
		{EFI_MT_CONVENTIONAL, 0x100000, 0x700},
		{EFI_MT_LOADER_DATA, 0x800000, 0x800},
		{EFI_MT_ACPI_RECLAIM, 0x1000000, 0x10},
		{EFI_MT_CONVENTIONAL, 0x1010000, 0xeff0},
	};
	uint8_t rsdp[RSDP_V2_LEN];
	struct efi_mb2_fb fb = {0x80000000, 4096, 1024, 768, 32, 16, 8, 8, 8, 0, 8};
	struct efi_mb2_input in = {0};
	int n, total;

	for (size_t i = 0; i < ARRAY_SIZE(d); i++) {
		memcpy(efimap + i * 40, &d[i].type, 4);
		memcpy(efimap + i * 40 + 8, &d[i].base, 8);
		memcpy(efimap + i * 40 + 24, &d[i].pages, 8);
	}
	n = efi_mmap_convert(efimap, sizeof(efimap), 40, mmap, ARRAY_SIZE(mmap));
	assert_int_equal(n, 5);
	make_rsdp(rsdp, 2);
	in.cmdline = "loglevel=info vm=hello:module=0";
	in.modules = mods;
	in.nmodules = ARRAY_SIZE(mods);
	in.mmap = mmap;
	in.nmmap = (size_t)n;
	in.rsdp_new = rsdp;
	in.rsdp_new_len = RSDP_V2_LEN;
	in.rsdp_old = rsdp;
	in.efi_system_table = 0x7fe00018;
	in.fb = &fb;
	total = efi_mb2_build(&in, buf, sizeof(buf));
	assert_true(total > 0);
	assert_int_equal(total % 8, 0);
	assert_int_equal(mb2_parse(buf, (size_t)total, &info), 0);
	assert_int_equal(info.total_size, total);
	assert_string_equal(info.cmdline, in.cmdline);
	assert_string_equal(info.loader_name, EFI_MB2_LOADER_NAME);
	assert_int_equal(info.module_count, 3);
	for (size_t i = 0; i < ARRAY_SIZE(mods); i++) {
		assert_int_equal(info.modules[i].start, mods[i].start);
		assert_int_equal(info.modules[i].end, mods[i].end);
		assert_string_equal(info.modules[i].cmdline, mods[i].string);
	}
	assert_true(info.have_meminfo);
	assert_int_equal(info.mem_lower_kb, 0x9f000 >> 10);
	assert_int_equal(info.mem_upper_kb, (0x1000000 - 0x100000) >> 10);
	assert_int_equal(info.mmap_count, 5);
	assert_int_equal(info.mmap[0].base, 0);
	assert_int_equal(info.mmap[0].len, 0x9f000);
	assert_int_equal(info.mmap[1].type, MEM_RESERVED);
	assert_int_equal(info.mmap[2].base, 0x100000);
	assert_int_equal(info.mmap[2].len, 0xf00000);
	assert_int_equal(info.mmap[2].type, MEM_AVAILABLE);
	assert_int_equal(info.mmap[3].type, MEM_ACPI_RECLAIMABLE);
	/* the last conventional range merges with nothing: it follows ACPI memory */
	assert_int_equal(info.mmap[4].base, 0x1010000);
	assert_int_equal(info.mmap[4].len, 0xeff0000);
	assert_int_equal(info.mmap[4].type, MEM_AVAILABLE);
	assert_true(info.rsdp_new);
	assert_int_equal(info.rsdp_len, RSDP_V2_LEN);
	assert_memory_equal(info.rsdp, rsdp, RSDP_V2_LEN);

	/* every shorter buffer is refused, never overrun */
	for (size_t cap = 0; cap < (size_t)total; cap += 8)
		assert_int_equal(efi_mb2_build(&in, buf, cap), -E2BIG);
}

static void test_minimal_and_old_acpi(void **state)
{
	uint8_t rsdp[RSDP_V2_LEN];
	struct efi_mb2_input in = {0};
	int total;

	make_rsdp(rsdp, 0);
	in.rsdp_old = rsdp;
	total = efi_mb2_build(&in, buf, sizeof(buf));
	assert_true(total > 0);
	assert_int_equal(mb2_parse(buf, (size_t)total, &info), 0);
	assert_string_equal(info.cmdline, "");
	assert_int_equal(info.module_count, 0);
	assert_int_equal(info.mmap_count, 0);
	assert_false(info.rsdp_new);
	assert_int_equal(info.rsdp_len, RSDP_V1_LEN);
}

static void test_bad_modules(void **state)
{
	struct efi_mb2_module high = {0xfffff000, 0x100001000ull, "x"};
	struct efi_mb2_module back = {0x2000, 0x1000, "x"};
	struct efi_mb2_input in = {0};

	in.modules = &high;
	in.nmodules = 1;
	assert_int_equal(efi_mb2_build(&in, buf, sizeof(buf)), -EINVAL);
	in.modules = &back;
	assert_int_equal(efi_mb2_build(&in, buf, sizeof(buf)), -EINVAL);
}

static void test_rsdp_check(void **state)
{
	uint8_t r[RSDP_V2_LEN];

	make_rsdp(r, 2);
	assert_int_equal(efi_rsdp_check(r, sizeof(r), true), RSDP_V2_LEN);
	assert_int_equal(efi_rsdp_check(r, sizeof(r), false), RSDP_V1_LEN);
	assert_int_equal(efi_rsdp_check(r, 30, true), -EINVAL);
	assert_int_equal(efi_rsdp_check(NULL, 36, true), -EINVAL);
	r[30] ^= 1; /* extended checksum only */
	assert_int_equal(efi_rsdp_check(r, sizeof(r), true), -EINVAL);
	assert_int_equal(efi_rsdp_check(r, sizeof(r), false), RSDP_V1_LEN);
	make_rsdp(r, 2);
	r[10] ^= 1; /* 1.0 checksum */
	assert_int_equal(efi_rsdp_check(r, sizeof(r), false), -EINVAL);
	make_rsdp(r, 0);
	assert_int_equal(efi_rsdp_check(r, sizeof(r), true), -EINVAL); /* 1.0 under the 2.0 GUID */
	make_rsdp(r, 2);
	r[0] = 'X';
	assert_int_equal(efi_rsdp_check(r, sizeof(r), false), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_minimal_and_old_acpi),
		cmocka_unit_test(test_bad_modules),
		cmocka_unit_test(test_rsdp_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
