/* Unit tests for hv/vdev/acpi_tables.c: the tables are read back with the
 * hypervisor's own ACPI parser (drivers/acpi.c) plus direct field checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/acpi.h"
#include "hv/vdev/acpi_tables.h"

#define GPA ACPI_TABLES_GPA

static uint8_t area[ACPI_TABLES_SIZE];
static int warnings;

/* Guest-physical [GPA, GPA + size) is area; nothing else is readable. */
static const void *map(void *ctx, uint64_t pa, size_t len)
{
	(void)ctx;
	if (pa < GPA || pa + len > GPA + sizeof(area))
		return NULL;
	return area + (pa - GPA);
}

static void warn(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "warning: %s\n", msg);
	warnings++;
}

static uint32_t r32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* The table whose signature is sig, found through the XSDT. */
static const uint8_t *find(const char *sig)
{
	const uint8_t *xsdt = map(NULL, *(const uint64_t *)(area + 24), 36);
	uint32_t n;

	assert_non_null(xsdt);
	n = (r32(xsdt + 4) - 36) / 8;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t pa;
		const uint8_t *t;

		memcpy(&pa, xsdt + 36 + 8 * i, 8);
		t = map(NULL, pa, 36);
		assert_non_null(t);
		if (!memcmp(t, sig, 4))
			return t;
	}
	return NULL;
}

static void test_parse_back(void **state)
{
	struct acpi_info info;
	const uint32_t counts[] = {1, 2, 16};

	(void)state;
	for (size_t c = 0; c < 3; c++) {
		memset(area, 0xee, sizeof(area));
		warnings = 0;
		assert_int_equal(acpi_tables_build(area, sizeof(area), GPA, counts[c]), GPA);
		assert_int_equal(acpi_rsdp_scan(area, sizeof(area)), 0);
		assert_int_equal(acpi_parse(GPA, map, warn, NULL, &info), 0);
		assert_int_equal(warnings, 0);
		assert_true(info.used_xsdt);
		assert_int_equal(info.revision, 2);
		assert_int_equal(info.lapic_pa, ACPI_LAPIC_ADDR);
		assert_true(info.pcat_compat);
		assert_int_equal(info.ncpus, counts[c]);
		for (uint32_t i = 0; i < counts[c]; i++) {
			assert_int_equal(info.cpus[i].apic_id, i);
			assert_true(info.cpus[i].enabled);
		}
		assert_int_equal(info.nioapics, 1);
		assert_int_equal(info.ioapics[0].addr, ACPI_IOAPIC_ADDR);
		assert_int_equal(info.ioapics[0].gsi_base, 0);
		assert_true(info.have_fadt);
		assert_int_equal(info.pm1a_cnt, ACPI_PM1A_CNT);
		assert_int_equal(info.pm1b_cnt, 0);
		assert_true(info.have_s5);
		assert_int_equal(info.s5_slp_typa, ACPI_S5_SLP_TYP);
		assert_int_equal(info.s5_slp_typb, ACPI_S5_SLP_TYP);
	}
}

/* Fields the parser does not read: checksums of every table, the interrupt
 * source overrides, the FADT's PM timer, SCI and reset register. */
static void test_fields(void **state)
{
	const char *sigs[] = {"APIC", "FACP", "DSDT"};
	const uint8_t *fadt, *madt, *e, *end;
	int isos = 0;

	(void)state;
	assert_int_equal(acpi_tables_build(area, sizeof(area), GPA, 2), GPA);
	assert_int_equal(sum(area, 20), 0);
	assert_int_equal(sum(area, 36), 0);
	fadt = find("FACP");
	madt = find("APIC");
	assert_non_null(fadt);
	assert_non_null(madt);
	assert_null(find("DSDT")); /* reached through the FADT only */
	for (size_t i = 0; i < 3; i++) {
		const uint8_t *t = i < 2 ? find(sigs[i]) : map(NULL, r32(fadt + 40), 36);
		assert_non_null(t);
		assert_memory_equal(t, sigs[i], 4);
		assert_int_equal(sum(t, r32(t + 4)), 0);
	}
	assert_int_equal(r32(fadt + 4), 276);
	assert_int_equal(fadt[46], ACPI_SCI_IRQ);
	assert_int_equal(r32(fadt + 48), 0); /* no SMI_CMD: always in ACPI mode */
	assert_int_equal(r32(fadt + 56), ACPI_PM1A_EVT);
	assert_int_equal(r32(fadt + 76), ACPI_PM_TMR);
	assert_int_equal(fadt[91], 4);
	assert_true(r32(fadt + 112) & (1u << 10)); /* RESET_REG_SUP */
	assert_int_equal(fadt[116], 1);            /* system I/O */
	assert_int_equal(r32(fadt + 120), ACPI_RESET_PORT);
	assert_int_equal(fadt[128], ACPI_RESET_VALUE);
	assert_int_equal(r32(fadt + 36), 0); /* only X_FIRMWARE_CTRL names the FACS */
	assert_memory_equal(map(NULL, r32(fadt + 132), 4), "FACS", 4);
	assert_int_equal(r32(fadt + 132) % 64, 0);
	end = madt + r32(madt + 4);
	for (e = madt + 44; e < end; e += e[1]) {
		assert_true(e[1] >= 2);
		if (e[0] != 2)
			continue;
		isos++;
		if (e[3] == 0)
			assert_int_equal(r32(e + 4), 2);
		else
			assert_int_equal(r32(e + 4), ACPI_SCI_IRQ);
	}
	assert_ptr_equal(e, end);
	assert_int_equal(isos, 2);
}

static void test_refuses(void **state)
{
	(void)state;
	assert_int_equal(acpi_tables_build(area, sizeof(area), GPA, 0), 0);
	assert_int_equal(acpi_tables_build(area, sizeof(area), GPA + 8, 1), 0);
	assert_int_equal(acpi_tables_build(area, 0x200, GPA, 1), 0);
	assert_int_equal(acpi_tables_build(area, sizeof(area), GPA, 255), GPA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_back),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
