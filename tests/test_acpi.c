/* Unit tests for ACPI table parsing (drivers/acpi.c) over fake physical memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "drivers/acpi.h"
#include "tests/acpi_fixture.h"

#define FAKE_BASE 0xe0000ull
#define FAKE_SIZE 0x8000

#define OFF_RSDP  0x0000
#define OFF_RSDT  0x0040
#define OFF_XSDT  0x0100
#define OFF_FADT  0x0200
#define OFF_DSDT  0x0400
#define OFF_DSDT2 0x0500
#define OFF_MADT2 0x0600
#define OFF_MADT  0x1000
#define OFF_EXTRA 0x6000

/* Name(\_S5, Package(4) { 5, 7, 0, 0 }) with BytePrefix integers. */
static const uint8_t S5_BYTE[] = {0x08, '\\', '_',  'S',  '5',  '_',  0x12, 0x08,
                                  0x04, 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00};
/* Name(_S5, Package(4) { Zero, One, Zero, Zero }). */
static const uint8_t S5_ZERO[] = {0x08, '_',  'S',  '5',  '_',  0x12,
                                  0x06, 0x04, 0x00, 0x01, 0x00, 0x00};

/* Some AML before \_S5: Scope(\_SB) { Name(_S4_, ...) } and a method calling _S5_. */
static const uint8_t AML_PREAMBLE[] = {0x10, 0x0a, '\\', '_',  'S',  'B',  '_',  0x08, '_',
                                       'S',  '4',  '_',  0x0a, 0x01, 0x14, 0x08, 'F',  'O',
                                       'O',  '_',  0x00, '_',  'S',  '5',  '_',  0xa4, 0x00};

/* Copies n bytes to an exact-size heap block, so ASan catches over-reads. */
static uint8_t *exact(const void *src, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, src, n);
	return p;
}

/* MADT: 4 local APICs (the third disabled, the fourth online-capable only), one
 * IOAPIC, and entries of types the parser skips. */
static void std_madt(struct fake_mem *m, size_t off)
{
	struct madt_b b = madt_begin(m, off, 0xfee00000, 1);
	size_t e;

	madt_lapic(&b, 0, 0, 1);
	madt_lapic(&b, 1, 2, 1);
	madt_lapic(&b, 2, 4, 0);
	madt_lapic(&b, 3, 6, 2);
	madt_ioapic(&b, 2, 0xfec00000, 0);
	e = madt_raw(&b, 2, 10); /* interrupt source override */
	put8(m, e + 3, 0);
	put32(m, e + 4, 2);
	madt_raw(&b, 4, 6);    /* local APIC NMI */
	madt_raw(&b, 0x7f, 2); /* unknown, minimal */
	madt_end(&b, 0);
}

/* A complete system: rev 0 gives an RSDP v1 + RSDT, rev 2 an RSDP v2 + XSDT. */
static void build_system(struct fake_mem *m, int rev)
{
	uint64_t tables[2];

	fm_init(m, FAKE_BASE, FAKE_SIZE);
	tables[0] = fm_pa(m, OFF_FADT);
	tables[1] = fm_pa(m, OFF_MADT);
	root_table(m, OFF_RSDT, false, tables, 2);
	root_table(m, OFF_XSDT, true, tables, 2);
	if (rev >= 2)
		rsdp_v2(m, OFF_RSDP, (uint32_t)fm_pa(m, OFF_RSDT), fm_pa(m, OFF_XSDT));
	else
		rsdp_v1(m, OFF_RSDP, (uint32_t)fm_pa(m, OFF_RSDT));
	std_madt(m, OFF_MADT);
	fadt_table(m, OFF_FADT, 244, (uint32_t)fm_pa(m, OFF_DSDT), 0, 0xb004, 0xb008);
	dsdt_table(m, OFF_DSDT, S5_BYTE, sizeof(S5_BYTE));
}

/* Points the root tables (both) at the given table offsets. */
static void set_tables(struct fake_mem *m, const size_t *offs, size_t n)
{
	uint64_t pas[16];

	for (size_t i = 0; i < n; i++)
		pas[i] = fm_pa(m, offs[i]);
	root_table(m, OFF_RSDT, false, pas, n);
	root_table(m, OFF_XSDT, true, pas, n);
}

static int parse(struct fake_mem *m, struct acpi_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	return acpi_parse(fm_pa(m, OFF_RSDP), fake_map, fake_warn, m, info);
}

static void expect_std_system(const struct acpi_info *info)
{
	static const uint32_t ids[4] = {0, 2, 4, 6};

	assert_int_equal(info->lapic_pa, 0xfee00000);
	assert_true(info->pcat_compat);
	assert_int_equal(info->ncpus, 4);
	assert_int_equal(info->cpus_dropped, 0);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(info->cpus[i].apic_id, ids[i]);
		assert_int_equal(info->cpus[i].uid, i);
		assert_int_equal(info->cpus[i].enabled, i != 2 && i != 3);
		assert_int_equal(info->cpus[i].online_capable, i == 3);
	}
	assert_int_equal(info->nioapics, 1);
	assert_int_equal(info->ioapics[0].id, 2);
	assert_int_equal(info->ioapics[0].addr, 0xfec00000);
	assert_int_equal(info->ioapics[0].gsi_base, 0);
	assert_true(info->have_fadt);
	assert_int_equal(info->pm1a_cnt, 0xb004);
	assert_int_equal(info->pm1b_cnt, 0xb008);
	assert_true(info->have_s5);
	assert_int_equal(info->s5_slp_typa, 5);
	assert_int_equal(info->s5_slp_typb, 7);
}

/* ---- RSDP and header checks --------------------------------------------- */

static void test_rsdp_check_v1(void **state)
{
	struct fake_mem m;
	uint8_t *p;

	fm_init(&m, 0, 64);
	rsdp_v1(&m, 0, 0x1000);
	p = exact(m.buf, 20);
	assert_int_equal(acpi_rsdp_check(p, 20), 0);
	assert_int_equal(acpi_rsdp_check(p, 19), -EINVAL);
	assert_int_equal(acpi_rsdp_check(NULL, 20), -EINVAL);
	p[16] ^= 1; /* breaks the checksum */
	assert_int_equal(acpi_rsdp_check(p, 20), -EINVAL);
	p[16] ^= 1;
	p[0] = 'r';
	p[8] += 'R' - 'r'; /* checksum still right, signature wrong */
	assert_int_equal(acpi_rsdp_check(p, 20), -EINVAL);
	free(p);
	fm_fini(&m);
}

static void test_rsdp_check_v2(void **state)
{
	struct fake_mem m;
	uint8_t *p;

	fm_init(&m, 0, 64);
	rsdp_v2(&m, 0, 0x1000, 0x2000);
	p = exact(m.buf, 36);
	assert_int_equal(acpi_rsdp_check(p, 36), 0);
	assert_int_equal(acpi_rsdp_check(p, 35), -EINVAL);
	assert_int_equal(acpi_rsdp_check(p, 20), -EINVAL);
	free(p);
	/* Extended checksum wrong, the 20-byte one still right. */
	m.buf[33] = 1;
	p = exact(m.buf, 36);
	assert_int_equal(acpi_rsdp_check(p, 36), -EINVAL);
	free(p);
	/* Length below 36 and above what is readable. */
	put32(&m, 20, 30);
	fix_sum(&m, 0, 20, 8);
	fix_sum(&m, 0, 36, 32);
	p = exact(m.buf, 36);
	assert_int_equal(acpi_rsdp_check(p, 36), -EINVAL);
	free(p);
	put32(&m, 20, 40);
	fix_sum(&m, 0, 20, 8);
	fix_sum(&m, 0, 40, 32);
	p = exact(m.buf, 40);
	assert_int_equal(acpi_rsdp_check(p, 36), -EINVAL);
	assert_int_equal(acpi_rsdp_check(p, 40), 0);
	free(p);
	fm_fini(&m);
}

static void test_rsdp_scan(void **state)
{
	struct fake_mem m;
	uint8_t *area;

	fm_init(&m, 0, 0x500);
	rsdp_v1(&m, 0x20, 0x1000);
	m.buf[0x20 + 16] ^= 1;     /* bad checksum */
	rsdp_v1(&m, 0x38, 0x1000); /* valid, but not 16-byte aligned */
	area = exact(m.buf, 0x400);
	assert_int_equal(acpi_rsdp_scan(area, 0x400), -ENOENT);
	free(area);
	rsdp_v1(&m, 0x60, 0x1000);
	rsdp_v1(&m, 0x100, 0x1000);
	area = exact(m.buf, 0x400);
	assert_int_equal(acpi_rsdp_scan(area, 0x400), 0x60);
	assert_int_equal(acpi_rsdp_scan(area, 0x60), -ENOENT);
	assert_int_equal(acpi_rsdp_scan(area, 0x73), -ENOENT); /* 19 bytes of it */
	assert_int_equal(acpi_rsdp_scan(area, 0x74), 0x60);
	assert_int_equal(acpi_rsdp_scan(area, 0), -ENOENT);
	assert_int_equal(acpi_rsdp_scan(NULL, 0x400), -ENOENT);
	free(area);
	/* A v2 RSDP needs 36 bytes: at the end of the area with 32 left it is not found. */
	memset(m.buf, 0, 0x400);
	rsdp_v2(&m, 0x3e0, 0x1000, 0x2000);
	area = exact(m.buf + 0x3e0 - 0x100, 0x120);
	assert_int_equal(acpi_rsdp_scan(area, 0x120), -ENOENT);
	free(area);
	area = exact(m.buf + 0x3e0 - 0x100, 0x100 + 36);
	assert_int_equal(acpi_rsdp_scan(area, 0x100 + 36), 0x100);
	free(area);
	fm_fini(&m);
}

static void test_table_check(void **state)
{
	struct fake_mem m;
	uint8_t *p;

	fm_init(&m, 0, 64);
	sdt_header(&m, 0, "TEST", 40);
	sdt_fix(&m, 0);
	p = exact(m.buf, 40);
	assert_int_equal(acpi_table_check(p, 40), 0);
	assert_int_equal(acpi_table_check(p, 39), -EINVAL);
	assert_int_equal(acpi_table_check(p, 35), -EINVAL);
	assert_int_equal(acpi_table_check(NULL, 40), -EINVAL);
	p[38] ^= 0x10;
	assert_int_equal(acpi_table_check(p, 40), -EINVAL);
	free(p);
	for (uint32_t len = 0; len < 36; len += 5) {
		put32(&m, 4, len);
		sdt_fix(&m, 0);
		p = exact(m.buf, 36);
		assert_int_equal(acpi_table_check(p, 36), -EINVAL);
		free(p);
	}
	fm_fini(&m);
}

/* ---- whole-system parsing ----------------------------------------------- */

static void test_parse_v1_rsdt(void **state)
{
	struct fake_mem m;
	struct acpi_info info;

	build_system(&m, 0);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.rsdp_pa, FAKE_BASE + OFF_RSDP);
	assert_int_equal(info.revision, 0);
	assert_false(info.used_xsdt);
	expect_std_system(&info);
	assert_int_equal(m.warns, 0);
	fm_fini(&m);
}

static void test_parse_v2_prefers_xsdt(void **state)
{
	struct fake_mem m;
	struct acpi_info info;
	uint64_t madt2 = FAKE_BASE + OFF_MADT2;
	struct madt_b b;

	build_system(&m, 2);
	/* The RSDT lists a different MADT with one CPU: it must not be used. */
	b = madt_begin(&m, OFF_MADT2, 0xfee00000, 0);
	madt_lapic(&b, 9, 9, 1);
	madt_end(&b, 0);
	root_table(&m, OFF_RSDT, false, &madt2, 1);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.revision, 2);
	assert_true(info.used_xsdt);
	expect_std_system(&info);
	fm_fini(&m);
}

static void test_parse_v2_zero_xsdt_uses_rsdt(void **state)
{
	struct fake_mem m;
	struct acpi_info info;

	build_system(&m, 2);
	rsdp_v2(&m, OFF_RSDP, (uint32_t)fm_pa(&m, OFF_RSDT), 0);
	put32(&m, OFF_XSDT, 0); /* the XSDT must not be looked at */
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.revision, 2);
	assert_false(info.used_xsdt);
	expect_std_system(&info);
	fm_fini(&m);
}

static void test_parse_xsdt_above_4g(void **state)
{
	struct fake_mem m;
	struct acpi_info info;
	uint64_t tables[2];

	build_system(&m, 2);
	m.base = 0x123450000ull; /* the same tables, relocated above 4 GiB */
	tables[0] = fm_pa(&m, OFF_FADT);
	tables[1] = fm_pa(&m, OFF_MADT);
	root_table(&m, OFF_XSDT, true, tables, 2);
	rsdp_v2(&m, OFF_RSDP, 0, fm_pa(&m, OFF_XSDT));
	fadt_table(&m, OFF_FADT, 244, 0, fm_pa(&m, OFF_DSDT), 0xb004, 0xb008);
	assert_int_equal(parse(&m, &info), 0);
	assert_true(info.used_xsdt);
	expect_std_system(&info);
	fm_fini(&m);
}

/* An RSDP longer than 36 bytes is mapped and checksummed over its full length. */
static void test_parse_v2_long_rsdp(void **state)
{
	struct fake_mem m;
	struct acpi_info info;

	build_system(&m, 2);
	put32(&m, OFF_RSDP + 20, 48);
	m.buf[OFF_RSDP + 47] = 0x3c;
	fix_sum(&m, OFF_RSDP, 48, OFF_RSDP + 32);
	assert_int_equal(parse(&m, &info), 0);
	assert_true(info.used_xsdt);
	m.buf[OFF_RSDP + 47] = 0; /* covered by the extended checksum */
	assert_int_equal(parse(&m, &info), -EINVAL);
	fm_fini(&m);
}

static void test_madt_x2apic_and_override(void **state)
{
	struct fake_mem m;
	struct acpi_info info;
	struct madt_b b;

	build_system(&m, 2);
	b = madt_begin(&m, OFF_MADT, 0xfee00000, 0);
	madt_override(&b, 0x1fee00000ull);
	madt_lapic(&b, 0, 0, 1);
	madt_x2apic(&b, 0x100, 0x80, 1);
	madt_x2apic(&b, 0xabcdef, 0x12345678, 2);
	madt_ioapic(&b, 4, 0xfec00000, 0);
	madt_ioapic(&b, 5, 0xfec01000, 24);
	madt_end(&b, 0);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.lapic_pa, 0x1fee00000ull);
	assert_false(info.pcat_compat);
	assert_int_equal(info.ncpus, 3);
	assert_int_equal(info.cpus[1].apic_id, 0x100);
	assert_int_equal(info.cpus[1].uid, 0x80);
	assert_true(info.cpus[1].enabled);
	assert_int_equal(info.cpus[2].apic_id, 0xabcdef);
	assert_int_equal(info.cpus[2].uid, 0x12345678);
	assert_false(info.cpus[2].enabled);
	assert_true(info.cpus[2].online_capable);
	assert_int_equal(info.nioapics, 2);
	assert_int_equal(info.ioapics[1].id, 5);
	assert_int_equal(info.ioapics[1].addr, 0xfec01000);
	assert_int_equal(info.ioapics[1].gsi_base, 24);
	fm_fini(&m);
}

static void test_rsdp_invalid(void **state)
{
	struct fake_mem m;
	struct acpi_info info;

	build_system(&m, 0);
	m.buf[OFF_RSDP + 16] ^= 0x40;
	assert_int_equal(parse(&m, &info), -EINVAL);
	fm_fini(&m);

	build_system(&m, 2);
	m.buf[OFF_RSDP + 33] = 1; /* extended checksum only */
	assert_int_equal(parse(&m, &info), -EINVAL);
	fm_fini(&m);

	build_system(&m, 2);
	put32(&m, OFF_RSDP + 20, 20); /* revision 2 with a v1 length */
	fix_sum(&m, OFF_RSDP, 20, OFF_RSDP + 8);
	fix_sum(&m, OFF_RSDP, 20, OFF_RSDP + 32);
	assert_int_equal(parse(&m, &info), -EINVAL);
	/* RSDP outside memory, or straddling its end. */
	assert_int_equal(acpi_parse(0x1000, fake_map, fake_warn, &m, &info), -EINVAL);
	assert_int_equal(acpi_parse(FAKE_BASE + FAKE_SIZE - 16, fake_map, fake_warn, &m, &info),
	                 -EINVAL);
	assert_int_equal(acpi_parse(FAKE_BASE, NULL, fake_warn, &m, &info), -EINVAL);
	fm_fini(&m);
}

static void test_root_table_invalid(void **state)
{
	struct fake_mem m;
	struct acpi_info info;

	build_system(&m, 0);
	m.buf[OFF_RSDT + 36] ^= 1; /* RSDT checksum */
	assert_int_equal(parse(&m, &info), -EINVAL);
	put32(&m, OFF_RSDT + 4, 0); /* length 0 */
	sdt_fix(&m, OFF_RSDT);
	assert_int_equal(parse(&m, &info), -EINVAL);
	put32(&m, OFF_RSDT + 4, 0x100000); /* longer than memory */
	assert_int_equal(parse(&m, &info), -EINVAL);
	fm_fini(&m);

	build_system(&m, 0);
	memcpy(m.buf + OFF_RSDT, "XSDT", 4); /* wrong signature */
	sdt_fix(&m, OFF_RSDT);
	assert_int_equal(parse(&m, &info), -EINVAL);
	rsdp_v1(&m, OFF_RSDP, 0); /* no root table */
	assert_int_equal(parse(&m, &info), -EINVAL);
	rsdp_v1(&m, OFF_RSDP, 0x100000); /* outside memory */
	assert_int_equal(parse(&m, &info), -EINVAL);
	fm_fini(&m);

	build_system(&m, 2);
	m.buf[OFF_XSDT + 40] ^= 1; /* XSDT checksum: no fallback to the RSDT */
	assert_int_equal(parse(&m, &info), -EINVAL);
	fm_fini(&m);
}

/* Tables that fail validation are skipped with a warning; the rest still count. */
static void test_bad_tables_skipped(void **state)
{
	struct fake_mem m;
	struct acpi_info info;
	uint64_t pas[10];
	size_t n = 0;

	build_system(&m, 2);
	pas[n++] = 0;
	pas[n++] = 0x10000000;                 /* outside memory */
	pas[n++] = UINT64_MAX - 8;             /* wraps */
	pas[n++] = FAKE_BASE + FAKE_SIZE - 20; /* header straddles the end */
	sdt_header(&m, OFF_EXTRA, "APIC", 0);  /* length 0 */
	sdt_header(&m, OFF_EXTRA + 0x100, "APIC", 20);
	sdt_header(&m, OFF_EXTRA + 0x200, "APIC", 0x100000);
	sdt_header(&m, OFF_EXTRA + 0x300, "APIC", 64); /* bad checksum */
	for (size_t i = 0; i < 4; i++) {
		sdt_fix(&m, OFF_EXTRA + 0x100 * i);
		pas[n++] = fm_pa(&m, OFF_EXTRA + 0x100 * i);
	}
	m.buf[OFF_EXTRA + 0x300 + 9] ^= 0x55;
	pas[n++] = fm_pa(&m, OFF_FADT);
	pas[n++] = fm_pa(&m, OFF_MADT);
	root_table(&m, OFF_XSDT, true, pas, n);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(m.warns, 8);
	expect_std_system(&info);
	/* The same through a 32-bit RSDT, and without a warn callback. */
	for (size_t i = 0; i < n; i++)
		pas[i] &= 0xffffffffu;
	root_table(&m, OFF_RSDT, false, pas, n);
	rsdp_v1(&m, OFF_RSDP, (uint32_t)fm_pa(&m, OFF_RSDT));
	assert_int_equal(acpi_parse(fm_pa(&m, OFF_RSDP), fake_map, NULL, &m, &info), 0);
	expect_std_system(&info);
	fm_fini(&m);
}

static void test_madt_missing_or_invalid(void **state)
{
	static const uint32_t bad_len[] = {0, 20, 35, 0x100000};
	struct fake_mem m;
	struct acpi_info info;
	size_t fadt_only = OFF_FADT;

	build_system(&m, 2);
	set_tables(&m, &fadt_only, 1);
	assert_int_equal(parse(&m, &info), -ENOENT);
	assert_true(info.have_fadt); /* still parsed */
	assert_true(info.have_s5);
	fm_fini(&m);

	for (size_t i = 0; i < ARRAY_SIZE(bad_len); i++) {
		build_system(&m, 2);
		put32(&m, OFF_MADT + 4, bad_len[i]);
		sdt_fix(&m, OFF_MADT);
		assert_int_equal(parse(&m, &info), -ENOENT);
		assert_int_equal(m.warns, 1);
		fm_fini(&m);
	}

	build_system(&m, 2);
	m.buf[OFF_MADT + 50] ^= 1; /* checksum */
	assert_int_equal(parse(&m, &info), -ENOENT);
	fm_fini(&m);
}

/* Builds a MADT holding one lapic and then one raw entry of type/len; extra
 * adjusts the table length. */
static int parse_madt_with(uint8_t type, uint8_t len, long extra)
{
	struct fake_mem m;
	struct acpi_info info;
	struct madt_b b;
	int ret;

	build_system(&m, 0);
	b = madt_begin(&m, OFF_MADT, 0xfee00000, 0);
	madt_lapic(&b, 0, 0, 1);
	madt_raw(&b, type, len);
	madt_end(&b, extra);
	ret = parse(&m, &info);
	if (!ret)
		assert_int_equal(info.ncpus, 1 + (type == 0 || type == 9));
	fm_fini(&m);
	return ret;
}

static void test_madt_malformed_entries(void **state)
{
	struct fake_mem m;
	struct acpi_info info;
	struct madt_b b;

	assert_int_equal(parse_madt_with(0x7f, 0, 2), -EINVAL); /* len 0: no endless loop */
	assert_int_equal(parse_madt_with(0x7f, 1, 1), -EINVAL);
	assert_int_equal(parse_madt_with(0x7f, 2, 0), 0);
	assert_int_equal(parse_madt_with(0x7f, 40, -1), -EINVAL); /* runs past the end */
	assert_int_equal(parse_madt_with(0x7f, 2, 1), -EINVAL);   /* 1 trailing byte */
	assert_int_equal(parse_madt_with(0, 7, 0), -EINVAL);      /* known types, too short */
	assert_int_equal(parse_madt_with(1, 11, 0), -EINVAL);
	assert_int_equal(parse_madt_with(5, 11, 0), -EINVAL);
	assert_int_equal(parse_madt_with(9, 15, 0), -EINVAL);
	assert_int_equal(parse_madt_with(0, 8, 0), 0); /* longer than needed is fine */
	assert_int_equal(parse_madt_with(9, 20, 0), 0);

	/* A MADT too short for its fixed fields. */
	build_system(&m, 0);
	b = madt_begin(&m, OFF_MADT, 0xfee00000, 0);
	madt_end(&b, -4);
	assert_int_equal(parse(&m, &info), -EINVAL);
	fm_fini(&m);
	/* The full entry of the last lapic runs 4 bytes past the table end. */
	build_system(&m, 0);
	b = madt_begin(&m, OFF_MADT, 0xfee00000, 0);
	madt_lapic(&b, 0, 0, 1);
	madt_lapic(&b, 1, 1, 1);
	madt_end(&b, -4);
	assert_int_equal(parse(&m, &info), -EINVAL);
	fm_fini(&m);
}

static void test_madt_too_many_cpus(void **state)
{
	struct fake_mem m;
	struct acpi_info info;
	struct madt_b b;

	build_system(&m, 0);
	b = madt_begin(&m, OFF_MADT, 0xfee00000, 1);
	for (unsigned i = 0; i < 200; i++)
		madt_lapic(&b, (uint8_t)i, (uint8_t)i, 1);
	for (unsigned i = 0; i < 100; i++)
		madt_x2apic(&b, 1000 + i, 1000 + i, 1);
	for (unsigned i = 0; i < MAX_IOAPICS + 2; i++)
		madt_ioapic(&b, (uint8_t)i, 0xfec00000 + i * 0x1000, i * 24);
	madt_end(&b, 0);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.ncpus, MAX_CPUS);
	assert_int_equal(info.cpus_dropped, 300 - MAX_CPUS);
	for (size_t i = 0; i < MAX_CPUS; i++)
		assert_int_equal(info.cpus[i].apic_id, i);
	assert_int_equal(info.nioapics, MAX_IOAPICS);
	assert_int_equal(info.ioapics[MAX_IOAPICS - 1].gsi_base, (MAX_IOAPICS - 1) * 24);
	assert_true(m.warns >= 2);
	assert_true(info.have_s5);
	fm_fini(&m);
}

/* ---- FADT and DSDT ------------------------------------------------------ */

static void test_fadt_bad_checksum(void **state)
{
	struct fake_mem m;
	struct acpi_info info;

	build_system(&m, 2);
	m.buf[OFF_FADT + 100] ^= 1;
	assert_int_equal(parse(&m, &info), 0);
	assert_false(info.have_fadt);
	assert_false(info.have_s5);
	assert_int_equal(info.pm1a_cnt, 0);
	assert_int_equal(info.ncpus, 4);
	assert_int_equal(m.warns, 1);
	fm_fini(&m);
}

static void test_fadt_too_short(void **state)
{
	struct fake_mem m;
	struct acpi_info info;

	build_system(&m, 2);
	fadt_table(&m, OFF_FADT, 68, (uint32_t)fm_pa(&m, OFF_DSDT), 0, 0xb004, 0);
	assert_int_equal(parse(&m, &info), 0);
	assert_false(info.have_fadt);
	assert_false(info.have_s5);
	fm_fini(&m);
}

static void test_fadt_dsdt_selection(void **state)
{
	struct fake_mem m;
	struct acpi_info info;
	uint32_t dsdt = (uint32_t)(FAKE_BASE + OFF_DSDT);

	build_system(&m, 2);
	dsdt_table(&m, OFF_DSDT2, S5_ZERO, sizeof(S5_ZERO));
	/* X_DSDT wins when present... */
	fadt_table(&m, OFF_FADT, 244, dsdt, fm_pa(&m, OFF_DSDT2), 0x404, 0);
	assert_int_equal(parse(&m, &info), 0);
	assert_true(info.have_s5);
	assert_int_equal(info.s5_slp_typa, 0);
	assert_int_equal(info.s5_slp_typb, 1);
	assert_int_equal(info.pm1a_cnt, 0x404);
	assert_int_equal(info.pm1b_cnt, 0);
	/* ... but not in an ACPI 1.0 FADT (116 bytes, X_DSDT beyond its end). */
	fadt_table(&m, OFF_FADT, 116, dsdt, 0, 0x404, 0);
	put64(&m, OFF_FADT + 140, fm_pa(&m, OFF_DSDT2));
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.s5_slp_typa, 5);
	/* ... nor when zero, nor in a 147-byte FADT. */
	fadt_table(&m, OFF_FADT, 244, dsdt, 0, 0x404, 0);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.s5_slp_typa, 5);
	fadt_table(&m, OFF_FADT, 147, dsdt, 0, 0x404, 0);
	put64(&m, OFF_FADT + 140, fm_pa(&m, OFF_DSDT2) | 0xff00000000000000ull);
	sdt_fix(&m, OFF_FADT);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.s5_slp_typa, 5);
	fm_fini(&m);
}

static void test_dsdt_problems(void **state)
{
	static const uint8_t no_s5[] = {0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0};
	struct fake_mem m;
	struct acpi_info info;
	uint32_t dsdt = (uint32_t)(FAKE_BASE + OFF_DSDT);

	build_system(&m, 2);
	m.buf[OFF_DSDT + 40] ^= 1; /* DSDT checksum */
	assert_int_equal(parse(&m, &info), 0);
	assert_true(info.have_fadt);
	assert_false(info.have_s5);
	assert_int_equal(m.warns, 1);
	dsdt_table(&m, OFF_DSDT, no_s5, sizeof(no_s5));
	assert_int_equal(parse(&m, &info), 0);
	assert_true(info.have_fadt);
	assert_false(info.have_s5);
	/* A well-formed table that is not a DSDT. */
	dsdt_table(&m, OFF_DSDT, S5_BYTE, sizeof(S5_BYTE));
	memcpy(m.buf + OFF_DSDT, "SSDT", 4);
	sdt_fix(&m, OFF_DSDT);
	assert_int_equal(parse(&m, &info), 0);
	assert_false(info.have_s5);
	/* No DSDT address at all. */
	fadt_table(&m, OFF_FADT, 244, 0, 0, 0xb004, 0);
	assert_int_equal(parse(&m, &info), 0);
	assert_true(info.have_fadt);
	assert_false(info.have_s5);
	/* A package whose PkgLength runs past the DSDT. */
	fadt_table(&m, OFF_FADT, 244, dsdt, 0, 0xb004, 0);
	dsdt_table(&m, OFF_DSDT, S5_BYTE, sizeof(S5_BYTE) - 1);
	assert_int_equal(parse(&m, &info), 0);
	assert_false(info.have_s5);
	fm_fini(&m);
}

/* ---- acpi_find_s5 ------------------------------------------------------- */

/* acpi_find_s5 on an exact-size copy; *a and *b preset to 0xee. */
static int find_s5(const uint8_t *aml, size_t len, uint8_t *a, uint8_t *b)
{
	uint8_t *p = exact(aml, len);
	int ret;

	*a = *b = 0xee;
	ret = acpi_find_s5(p, len, a, b);
	free(p);
	return ret;
}

static void expect_s5(const uint8_t *aml, size_t len, uint8_t typa, uint8_t typb)
{
	uint8_t a, b;

	assert_int_equal(find_s5(aml, len, &a, &b), 0);
	assert_int_equal(a, typa);
	assert_int_equal(b, typb);
}

static void expect_no_s5(const uint8_t *aml, size_t len)
{
	uint8_t a, b;

	assert_int_equal(find_s5(aml, len, &a, &b), -ENOENT);
	assert_int_equal(a, 0xee); /* outputs untouched */
	assert_int_equal(b, 0xee);
}

static void test_s5_encodings(void **state)
{
	static const uint8_t bare[] = {'_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x05, 0x03, 0, 0};
	static const uint8_t word[] = {'.',  '_',  'S',  '5',  '_',  0x12, 0x0a, 0x02,
	                               0x0b, 0x06, 0x00, 0x0c, 0x02, 0,    0,    0};
	uint8_t ones[] = {'_', 'S', '5', '_', 0x12, 0x04, 0x02, 0xff, 0x00};
	static const uint8_t big[] = {'_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0b, 0x00, 0x01, 0};
	/* Two-byte PkgLength 0x049 = 73: 0x49 0x04 (low nibble 9, then 0x04 << 4). */
	uint8_t long_pkg[4 + 1 + 73];

	expect_s5(S5_BYTE, sizeof(S5_BYTE), 5, 7);
	expect_s5(S5_ZERO, sizeof(S5_ZERO), 0, 1);
	expect_s5(bare, sizeof(bare), 5, 3);
	expect_s5(word, sizeof(word), 6, 2);
	expect_no_s5(ones, sizeof(ones));
	ones[7] = 0x01; /* the same package with One is found */
	expect_s5(ones, sizeof(ones), 1, 0);
	expect_no_s5(big, sizeof(big)); /* 256 does not fit SLP_TYP */
	memset(long_pkg, 0, sizeof(long_pkg));
	memcpy(long_pkg, "_S5_\x12\x49\x04\x04\x0a\x02\x01", 11);
	expect_s5(long_pkg, sizeof(long_pkg), 2, 1);
	expect_no_s5(long_pkg, sizeof(long_pkg) - 1);
	long_pkg[5] = 0x89; /* three-byte PkgLength: 0x00409 */
	long_pkg[6] = 0x40;
	long_pkg[7] = 0x00;
	expect_no_s5(long_pkg, sizeof(long_pkg)); /* 0x409 bytes do not fit */
	long_pkg[6] = 0x04;                       /* 0x00049 = 73 */
	long_pkg[8] = 0x04;
	long_pkg[9] = 0x0a;
	long_pkg[10] = 0x03;
	long_pkg[11] = 0x01;
	expect_s5(long_pkg, sizeof(long_pkg), 3, 1);
}

static void test_s5_search(void **state)
{
	uint8_t aml[sizeof(AML_PREAMBLE) + sizeof(S5_ZERO)];
	static const uint8_t short_pkg[] = {'_',  'S',  '5',  '_',  0x12, 0x03,
	                                    0x02, 0x0a, 0x05, 0x0a, 0x07};

	/* The method body mentions _S5_ without a package: passed over. */
	memcpy(aml, AML_PREAMBLE, sizeof(AML_PREAMBLE));
	memcpy(aml + sizeof(AML_PREAMBLE), S5_ZERO, sizeof(S5_ZERO));
	expect_s5(aml, sizeof(aml), 0, 1);
	expect_no_s5(AML_PREAMBLE, sizeof(AML_PREAMBLE));
	expect_no_s5(S5_BYTE, 0);
	expect_no_s5(short_pkg, sizeof(short_pkg)); /* elements outside PkgLength */
	assert_int_equal(acpi_find_s5(NULL, 10, aml, aml), -ENOENT);
}

/* Every truncation of a valid blob fails cleanly; ASan checks for over-reads. */
static void expect_truncations_fail(const uint8_t *aml, size_t len, uint8_t typa, uint8_t typb)
{
	for (size_t n = 0; n < len; n++)
		expect_no_s5(aml, n);
	expect_s5(aml, len, typa, typb);
}

static void test_s5_truncated(void **state)
{
	uint8_t aml[sizeof(AML_PREAMBLE) + sizeof(S5_BYTE)];
	static const uint8_t bare_end[] = {'_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x05, 0x07};

	expect_truncations_fail(S5_BYTE, sizeof(S5_BYTE), 5, 7);
	expect_truncations_fail(S5_ZERO, sizeof(S5_ZERO), 0, 1);
	expect_truncations_fail(bare_end, sizeof(bare_end), 5, 7);
	memcpy(aml, AML_PREAMBLE, sizeof(AML_PREAMBLE));
	memcpy(aml + sizeof(AML_PREAMBLE), S5_BYTE, sizeof(S5_BYTE));
	expect_truncations_fail(aml, sizeof(aml), 5, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp_check_v1),
		cmocka_unit_test(test_rsdp_check_v2),
		cmocka_unit_test(test_rsdp_scan),
		cmocka_unit_test(test_table_check),
		cmocka_unit_test(test_parse_v1_rsdt),
		cmocka_unit_test(test_parse_v2_prefers_xsdt),
		cmocka_unit_test(test_parse_v2_zero_xsdt_uses_rsdt),
		cmocka_unit_test(test_parse_xsdt_above_4g),
		cmocka_unit_test(test_parse_v2_long_rsdp),
		cmocka_unit_test(test_madt_x2apic_and_override),
		cmocka_unit_test(test_rsdp_invalid),
		cmocka_unit_test(test_root_table_invalid),
		cmocka_unit_test(test_bad_tables_skipped),
		cmocka_unit_test(test_madt_missing_or_invalid),
		cmocka_unit_test(test_madt_malformed_entries),
		cmocka_unit_test(test_madt_too_many_cpus),
		cmocka_unit_test(test_fadt_bad_checksum),
		cmocka_unit_test(test_fadt_too_short),
		cmocka_unit_test(test_fadt_dsdt_selection),
		cmocka_unit_test(test_dsdt_problems),
		cmocka_unit_test(test_s5_encodings),
		cmocka_unit_test(test_s5_search),
		cmocka_unit_test(test_s5_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
