/* Per-VM ACPI tables (ACPI 6.5: RSDP 5.2.5, RSDT 5.2.7, XSDT 5.2.8, FADT 5.2.9,
 * FACS 5.2.10, DSDT 5.2.11.1, MADT 5.2.12; AML 20.2). */
#include "hv/vdev/acpi_tables.h"
#include "le.h"

#define HDR_LEN       36
#define RSDP_LEN      36
#define RSDP_V1_LEN   20
#define FADT_LEN      276 /* revision 6 */
#define FADT_REV      6
#define FACS_LEN      64
#define MADT_REV      5
#define MADT_LAPIC    0 /* Processor Local APIC structure, 8 bytes */
#define MADT_IOAPIC   1 /* I/O APIC structure, 12 bytes */
#define MADT_ISO      2 /* Interrupt Source Override, 10 bytes */
#define MADT_PCAT     1 /* flags: dual 8259 PICs present */
#define LAPIC_ENABLED 1
#define ISO_LEVEL_HI  0x000d /* trigger level (11b << 2), polarity active high (01b) */
#define GAS_IO        1      /* Generic Address Structure: system I/O space */
#define PM_TMR_LEN    4
#define PM1_EVT_LEN   4
#define PM1_CNT_LEN   2
#define PM_PROFILE    0      /* unspecified */
#define C2_NONE       101    /* P_LVL2_LAT > 100: no C2 */
#define C3_NONE       1001   /* P_LVL3_LAT > 1000: no C3 */
#define BOOT_LEGACY   BIT(0) /* IAPC_BOOT_ARCH: legacy devices (RTC, PIT, ...) */
#define BOOT_8042     BIT(1)
#define MADT_LEN(n)   (HDR_LEN + 8 + 8 * (n) + 12 + 2 * 10)

/* FADT flags (table 5.10). */
#define FADT_WBINVD        BIT(0)
#define FADT_PROC_C1       BIT(2)
#define FADT_PWR_BUTTON    BIT(4) /* no fixed power button */
#define FADT_SLP_BUTTON    BIT(5) /* no fixed sleep button */
#define FADT_TMR_VAL_EXT   BIT(8) /* the PM timer is 32 bits wide */
#define FADT_RESET_REG_SUP BIT(10)

/* \_S5: Name (_S5_, Package (4) {5, 5, 0, 0}) */
static const uint8_t dsdt_aml[] = {
	0x08, '_',
	'S',  '5',
	'_', /* NameOp, NameString */
	0x12, 0x08,
	0x04, /* PackageOp, PkgLength 8, 4 elements */
	0x0a, ACPI_S5_SLP_TYP,
	0x0a, ACPI_S5_SLP_TYP, /* BytePrefix 5, BytePrefix 5 */
	0x00, 0x00,            /* ZeroOp, ZeroOp */
};

static void put_str(uint8_t *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)s[i];
}

/* The byte that makes p[0..len) sum to zero when stored in one of its bytes that is 0. */
static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)-sum;
}

/* Fills the common header of a table of len bytes (its checksum comes last). */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	put_str(t, sig, 4);
	put_le32(t + 4, len);
	t[8] = rev;
	put_str(t + 10, "SABLE ", 6);
	put_str(t + 16, "SABLEVM ", 8);
	put_le32(t + 24, 1);
	put_str(t + 28, "SBLE", 4);
	put_le32(t + 32, 1);
}

static void seal(uint8_t *t, uint32_t len)
{
	t[9] = checksum(t, len);
}

/* A Generic Address Structure for a bits-wide I/O register at port. */
static void gas_io(uint8_t *g, uint8_t bits, uint16_t port)
{
	g[0] = GAS_IO;
	g[1] = bits;
	g[2] = 0;
	g[3] = bits <= 8 ? 1 : bits <= 16 ? 2 : 3; /* access size: byte, word, dword */
	put_le64(g + 4, port);
}

static uint32_t build_madt(uint8_t *t, uint32_t ncpus)
{
	uint32_t off = HDR_LEN + 8;

	put_le32(t + HDR_LEN, ACPI_LAPIC_ADDR);
	put_le32(t + HDR_LEN + 4, MADT_PCAT);
	for (uint32_t i = 0; i < ncpus; i++, off += 8) {
		t[off] = MADT_LAPIC;
		t[off + 1] = 8;
		t[off + 2] = (uint8_t)i; /* ACPI processor UID */
		t[off + 3] = (uint8_t)i; /* APIC ID */
		put_le32(t + off + 4, LAPIC_ENABLED);
	}
	t[off] = MADT_IOAPIC;
	t[off + 1] = 12;
	t[off + 2] = ACPI_IOAPIC_ID;
	put_le32(t + off + 4, ACPI_IOAPIC_ADDR);
	put_le32(t + off + 8, 0); /* GSI base */
	off += 12;
	/* ISA IRQ 0 (the PIT) is IOAPIC pin 2; the SCI is level, active high */
	t[off] = MADT_ISO;
	t[off + 1] = 10;
	put_le32(t + off + 4, 2);
	off += 10;
	t[off] = MADT_ISO;
	t[off + 1] = 10;
	t[off + 3] = ACPI_SCI_IRQ;
	put_le32(t + off + 4, ACPI_SCI_IRQ);
	put_le16(t + off + 8, ISO_LEVEL_HI);
	off += 10;
	header(t, "APIC", off, MADT_REV);
	seal(t, off);
	return off;
}

static void build_fadt(uint8_t *t, uint32_t facs, uint32_t dsdt)
{
	header(t, "FACP", FADT_LEN, FADT_REV);
	/* FIRMWARE_CTRL (36) stays 0: X_FIRMWARE_CTRL holds the FACS (table 5.9) */
	put_le32(t + 40, dsdt);
	t[45] = PM_PROFILE;
	put_le16(t + 46, ACPI_SCI_IRQ);
	/* SMI_CMD (48) = 0: no SMM, the platform is always in ACPI mode */
	put_le32(t + 56, ACPI_PM1A_EVT);
	put_le32(t + 64, ACPI_PM1A_CNT);
	put_le32(t + 76, ACPI_PM_TMR);
	t[88] = PM1_EVT_LEN;
	t[89] = PM1_CNT_LEN;
	t[91] = PM_TMR_LEN;
	put_le16(t + 96, C2_NONE);
	put_le16(t + 98, C3_NONE);
	t[108] = 0x32; /* CMOS index of the century */
	put_le16(t + 109, BOOT_LEGACY | BOOT_8042);
	put_le32(t + 112, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON |
	                          FADT_TMR_VAL_EXT | FADT_RESET_REG_SUP);
	gas_io(t + 116, 8, ACPI_RESET_PORT);
	t[128] = ACPI_RESET_VALUE;
	t[131] = 0; /* FADT minor version */
	put_le64(t + 132, facs);
	put_le64(t + 140, dsdt);
	gas_io(t + 148, PM1_EVT_LEN * 8, ACPI_PM1A_EVT);
	gas_io(t + 172, PM1_CNT_LEN * 8, ACPI_PM1A_CNT);
	gas_io(t + 208, PM_TMR_LEN * 8, ACPI_PM_TMR);
	put_str(t + 268, "SableHV ", 8);
	seal(t, FADT_LEN);
}

uint64_t acpi_tables_build(uint8_t *buf, size_t size, uint64_t gpa, uint32_t ncpus)
{
	/* offsets in buf: RSDP, RSDT, XSDT, FACS (64-byte aligned), DSDT, FADT, MADT */
	const uint32_t rsdt = 0x40, xsdt = 0x80, facs = 0xc0, dsdt = 0x100, fadt = 0x140,
		       madt = 0x280;
	uint32_t dsdt_len = HDR_LEN + sizeof(dsdt_aml);

	_Static_assert(0x140 + FADT_LEN <= 0x280, "FADT overlaps the MADT");
	if (!ncpus || ncpus > 255 || !IS_ALIGNED(gpa, 16) || gpa + size > BIT(32) ||
	    size < madt + MADT_LEN(ncpus))
		return 0;
	for (size_t i = 0; i < madt + MADT_LEN(ncpus); i++)
		buf[i] = 0;

	put_str(buf + facs, "FACS", 4);
	put_le32(buf + facs + 4, FACS_LEN);

	header(buf + dsdt, "DSDT", dsdt_len, 2);
	for (size_t i = 0; i < sizeof(dsdt_aml); i++)
		buf[dsdt + HDR_LEN + i] = dsdt_aml[i];
	seal(buf + dsdt, dsdt_len);

	build_fadt(buf + fadt, (uint32_t)gpa + facs, (uint32_t)gpa + dsdt);
	build_madt(buf + madt, ncpus);

	header(buf + rsdt, "RSDT", HDR_LEN + 8, 1);
	put_le32(buf + rsdt + HDR_LEN, (uint32_t)gpa + fadt);
	put_le32(buf + rsdt + HDR_LEN + 4, (uint32_t)gpa + madt);
	seal(buf + rsdt, HDR_LEN + 8);
	header(buf + xsdt, "XSDT", HDR_LEN + 16, 1);
	put_le64(buf + xsdt + HDR_LEN, gpa + fadt);
	put_le64(buf + xsdt + HDR_LEN + 8, gpa + madt);
	seal(buf + xsdt, HDR_LEN + 16);

	put_str(buf, "RSD PTR ", 8);
	put_str(buf + 9, "SABLE ", 6);
	buf[15] = 2; /* revision: ACPI 2.0+ (XSDT) */
	put_le32(buf + 16, (uint32_t)gpa + rsdt);
	put_le32(buf + 20, RSDP_LEN);
	put_le64(buf + 24, gpa + xsdt);
	buf[8] = checksum(buf, RSDP_V1_LEN);
	buf[32] = checksum(buf, RSDP_LEN);
	return gpa;
}
