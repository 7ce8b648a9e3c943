/* Unit tests for boot/efi/efi_acpi.c: picking the RSDPs out of the EFI
 * configuration table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "boot/efi/efi_acpi.h"
#include "boot/efi/efi_mb2.h"
#include "tests/rsdp_fixture.h"

static const uint8_t g20[16] = {0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
                                0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81};
static const uint8_t g10[16] = {0x30, 0x2d, 0x9d, 0xeb, 0x88, 0x2d, 0xd3, 0x11,
                                0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d};
static const uint8_t gsmbios[16] = {0x31, 0x2d, 0x9d, 0xeb, 0x88, 0x2d, 0xd3, 0x11,
                                    0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d};

static struct efi_config_entry entry(const uint8_t *g, const void *t)
{
	struct efi_config_entry e;

	memcpy(e.guid, g, 16);
	e.table = t;
	return e;
}

static void test_both(void **state)
{
	uint8_t v2[RSDP_V2_LEN], v1[RSDP_V2_LEN], bad[RSDP_V2_LEN];
	struct efi_config_entry t[4];
	struct efi_acpi a;

	make_rsdp(v2, 2);
	make_rsdp(v1, 0);
	make_rsdp(bad, 2);
	bad[9] ^= 1;
	t[0] = entry(gsmbios, v2); /* right table, wrong GUID */
	t[1] = entry(g10, v1);
	t[2] = entry(g20, bad); /* checksum wrong: skipped */
	t[3] = entry(g20, v2);
	assert_int_equal(efi_acpi_find(t, 4, &a), 0);
	assert_ptr_equal(a.rsdp_new, v2);
	assert_int_equal(a.rsdp_new_len, RSDP_V2_LEN);
	assert_ptr_equal(a.rsdp_old, v1);
}

static void test_only_old(void **state)
{
	uint8_t v1[RSDP_V2_LEN];
	struct efi_config_entry t[2];
	struct efi_acpi a;

	make_rsdp(v1, 0);
	t[0] = entry(g20, v1); /* a 1.0 RSDP under the 2.0 GUID is not a 2.0 one */
	t[1] = entry(g10, v1);
	assert_int_equal(efi_acpi_find(t, 2, &a), 0);
	assert_null(a.rsdp_new);
	assert_ptr_equal(a.rsdp_old, v1);
}

static void test_none(void **state)
{
	uint8_t v2[RSDP_V2_LEN];
	struct efi_config_entry t[2];
	struct efi_acpi a;

	make_rsdp(v2, 2);
	t[0] = entry(gsmbios, v2);
	t[1] = entry(g20, NULL);
	assert_int_equal(efi_acpi_find(t, 2, &a), -ENOENT);
	assert_int_equal(efi_acpi_find(t, 0, &a), -ENOENT);
	v2[0] = 'X';
	t[0] = entry(g20, v2);
	assert_int_equal(efi_acpi_find(t, 1, &a), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both),
		cmocka_unit_test(test_only_old),
		cmocka_unit_test(test_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
