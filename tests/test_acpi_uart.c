/* Unit tests for drivers/acpi_uart.c: the console UART from the SPCR and DBG2 tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "acpi_uart_fixture.h"
#include "drivers/acpi_uart.h"
#include "err.h"

#define TABLE_SPACE 256

static struct fake_mem fm; /* the table under test, at offset 0 */
static uint8_t *t;         /* its bytes */
static char why[128];
static struct acpi_uart u;

static int spcr(uint32_t avail)
{
	why[0] = 0;
	return acpi_spcr_parse(t, avail, &u, why, sizeof(why));
}

static int dbg2(uint32_t avail)
{
	why[0] = 0;
	return acpi_dbg2_parse(t, avail, &u, why, sizeof(why));
}

/* The parsed UART's place and register layout. */
static void assert_port(enum uart_space space, uint64_t base, uint8_t stride, uint8_t access)
{
	assert_int_equal(u.port.space, space);
	assert_int_equal(u.port.base, base);
	assert_int_equal(u.port.stride, stride);
	assert_int_equal(u.port.access, access);
}

/* The images QEMU 7.2 generated for its arm "virt" machine (dumped from guest
 * RAM under AAVMF): a PL011, which Sable must refuse by name, not misread. */
static void test_qemu_arm_virt_images(void **state)
{
	size_t len = fx_read_image(&fm, "qemu-virt-arm-SPCR.bin");

	assert_int_equal(len, 80);
	assert_int_equal(spcr((uint32_t)len), -EOPNOTSUPP);
	assert_string_equal(why, "SPCR: unsupported interface type 0x3 (ARM PL011)");
	assert_int_equal(u.revision, 2);

	len = fx_read_image(&fm, "qemu-virt-arm-DBG2.bin");
	assert_int_equal(len, 87);
	assert_int_equal(dbg2((uint32_t)len), -EOPNOTSUPP);
	assert_string_equal(why, "DBG2: unsupported serial port subtype 0x3 (ARM PL011)");
	/* the same image with the subtype changed to 16550: its GAS is MMIO 0x9000000 */
	put16(&fm, 44 + 14, ACPI_UART_16550);
	fx_checksum(&fm, (uint32_t)len);
	assert_int_equal(dbg2((uint32_t)len), 0);
	assert_port(UART_MMIO, 0x9000000, 1, 1);
	assert_int_equal(u.port.baud, 0);
}

/* Revision 2, COM2 by I/O port, 115200 baud, IRQ given for 8259 and I/O APIC. */
static void test_spcr_rev2_io(void **state)
{
	uint32_t len = fx_spcr(&fm, 2, ACPI_UART_16550, 1, 8, 1, 0x2f8, 7, 0, 0);

	assert_int_equal(spcr(len), 0);
	assert_int_equal(u.revision, 2);
	assert_int_equal(u.type, ACPI_UART_16550);
	assert_port(UART_IO, 0x2f8, 1, 1);
	assert_int_equal(u.port.baud, 115200);
	assert_int_equal(u.port.clock, 0);
	assert_int_equal(u.irq_type, ACPI_UART_IRQ_8259 | ACPI_UART_IRQ_IOAPIC);
	assert_int_equal(u.irq, 4);
	assert_int_equal(u.gsi, 4);
	/* baud codes: 3 9600, 4 19200, 6 57600, 0 "as the firmware left it", 5 undefined */
	static const uint8_t codes[] = {3, 4, 6, 0, 5};
	static const uint32_t bauds[] = {9600, 19200, 57600, 0, 0};
	for (size_t i = 0; i < sizeof(codes); i++) {
		len = fx_spcr(&fm, 2, ACPI_UART_16550, 1, 8, 1, 0x2f8, codes[i], 0, 0);
		assert_int_equal(spcr(len), 0);
		assert_int_equal(u.port.baud, bauds[i]);
	}
}

/* Revision 1 (16450 = type 1), a register width of 0 ("not given"). */
static void test_spcr_rev1(void **state)
{
	uint32_t len = fx_spcr(&fm, 1, 1, 1, 0, 0, 0x3f8, 7, 0, 0);

	assert_int_equal(spcr(len), 0);
	assert_port(UART_IO, 0x3f8, 1, 1);
}

/* MMIO with 32-bit registers (dword access), 8-bit registers, and the GAS type 0x12. */
static void test_spcr_mmio(void **state)
{
	uint32_t len = fx_spcr(&fm, 2, ACPI_UART_16550_GAS, 0, 32, 3, 0xfe032000, 7, 0, 0);

	assert_int_equal(spcr(len), 0);
	assert_port(UART_MMIO, 0xfe032000, 4, 4);
	len = fx_spcr(&fm, 2, ACPI_UART_16550, 0, 8, 1, 0xfedc9000, 7, 0, 0);
	assert_int_equal(spcr(len), 0);
	assert_port(UART_MMIO, 0xfedc9000, 1, 1);
	/* 32-bit registers read with byte accesses: stride 4, access 1 */
	len = fx_spcr(&fm, 2, ACPI_UART_16550, 0, 32, 1, 0xfedc9000, 7, 0, 0);
	assert_int_equal(spcr(len), 0);
	assert_port(UART_MMIO, 0xfedc9000, 4, 1);
}

/* Revision 3 adds the UART clock; revision 4 the precise baud rate, which wins over the code. */
static void test_spcr_rev3_rev4(void **state)
{
	uint32_t len = fx_spcr(&fm, 3, ACPI_UART_16550, 0, 32, 3, 0xfe032000, 7, 48000000, 0);

	assert_int_equal(len, 80);
	assert_int_equal(spcr(len), 0);
	assert_int_equal(u.port.clock, 48000000);
	assert_int_equal(u.port.baud, 115200);
	len = fx_spcr(&fm, 4, ACPI_UART_16550, 0, 32, 3, 0xfe032000, 7, 48000000, 1500000);
	assert_int_equal(len, 90);
	assert_int_equal(spcr(len), 0);
	assert_int_equal(u.revision, 4);
	assert_int_equal(u.port.clock, 48000000);
	assert_int_equal(u.port.baud, 1500000);
	len = fx_spcr(&fm, 4, ACPI_UART_16550, 0, 32, 3, 0xfe032000, 6, 0, 0);
	assert_int_equal(spcr(len), 0);
	assert_int_equal(u.port.baud, 57600); /* precise baud 0: the code stands */
}

/* Tables that must be rejected, each with its reason. */
static void test_spcr_bad(void **state)
{
	uint32_t len = fx_spcr(&fm, 2, ACPI_UART_16550, 1, 8, 1, 0x2f8, 7, 0, 0);

	assert_int_equal(spcr(35), -EINVAL);
	assert_string_equal(why, "SPCR: shorter than a table header");
	assert_int_equal(spcr(len - 1), -EINVAL);
	assert_string_equal(why, "SPCR: length 80 beyond the 79 bytes mapped");
	t[20] ^= 1;
	assert_int_equal(spcr(len), -EINVAL);
	assert_string_equal(why, "SPCR: bad checksum");
	/* short length (a valid checksum over 60 bytes) */
	len = fx_spcr(&fm, 2, ACPI_UART_16550, 1, 8, 1, 0x2f8, 7, 0, 0);
	put32(&fm, 4, 60);
	fx_checksum(&fm, 60);
	assert_int_equal(spcr(len), -EINVAL);
	assert_string_equal(why, "SPCR: length 60, revision 2 needs 80");
	/* revision 4 in 80 bytes */
	fx_spcr(&fm, 2, ACPI_UART_16550, 1, 8, 1, 0x2f8, 7, 0, 0);
	t[8] = 4;
	fx_checksum(&fm, 80);
	assert_int_equal(spcr(80), -EINVAL);
	assert_string_equal(why, "SPCR: length 80, revision 4 needs 88");
	memcpy(t, "SPCX", 4);
	assert_int_equal(spcr(80), -EINVAL);
	assert_string_equal(why, "SPCR: wrong signature");

	/* well-formed tables naming what Sable cannot drive */
	static const struct {
		uint8_t type, space, width, access;
		uint64_t addr;
		const char *why;
	} unusable[] = {
		{0, 2, 8, 1, 0x2f8,
	         "SPCR: address space 2 is neither memory nor I/O"}, /* PCI config */
		{0, 0x7f, 8, 1, 0x2f8,
	         "SPCR: address space 127 is neither memory nor I/O"}, /* FFH */
		{0, 1, 8, 1, 0, "SPCR: base address 0 (no console UART)"},
		{0, 0, 16, 2, 0xfe032000, "SPCR: 16-bit UART registers"},
		{0, 0, 32, 4, 0xfe032000, "SPCR: access size 4"},
		{0, 1, 8, 1, 0x1fff8, "SPCR: I/O port 0x1fff8 out of range"},
		{0x0e, 0, 32, 3, 0x9000000,
	         "SPCR: unsupported interface type 0xe (ARM SBSA generic)"},
		{0x7e, 0, 32, 3, 0x9000000, "SPCR: unsupported interface type 0x7e (unknown)"},
	};
	for (size_t i = 0; i < sizeof(unusable) / sizeof(unusable[0]); i++) {
		len = fx_spcr(&fm, 2, unusable[i].type, unusable[i].space, unusable[i].width,
		              unusable[i].access, unusable[i].addr, 7, 0, 0);
		assert_int_equal(spcr(len), -EOPNOTSUPP);
		assert_string_equal(why, unusable[i].why);
	}
	assert_int_equal(acpi_spcr_parse(NULL, 80, &u, why, sizeof(why)), -EINVAL);
}

/* DBG2: the first usable serial device, past other port types and unusable serial ones. */
static void test_dbg2(void **state)
{
	uint32_t len = 44;

	memset(t, 0, TABLE_SPACE);
	len += fx_dbg2_dev(&fm, len, 0x8003, 0, 0, 32, 3, 0xfe000000);     /* a network port */
	len += fx_dbg2_dev(&fm, len, 0x8000, 0x0003, 0, 32, 3, 0x9000000); /* PL011 */
	len += fx_dbg2_dev(&fm, len, 0x8000, ACPI_UART_16550, 1, 8, 1, 0x3f8);
	fx_dbg2(&fm, len, 3);
	assert_int_equal(dbg2(len), 0);
	assert_int_equal(u.type, ACPI_UART_16550);
	assert_port(UART_IO, 0x3f8, 1, 1);
	assert_int_equal(u.port.baud, 0); /* DBG2 has no baud: keep the firmware's */
	assert_int_equal(u.irq_type, 0);

	/* the PL011 and a 16550 in PCI configuration space: the first reason */
	t[44 + 80 + 22] = 2;
	fx_checksum(&fm, len);
	assert_int_equal(dbg2(len), -EOPNOTSUPP);
	assert_string_equal(why, "DBG2: unsupported serial port subtype 0x3 (ARM PL011)");
	/* the same table announcing fewer devices: only the PL011, then no serial one */
	static const struct {
		uint32_t count;
		int err;
		const char *why;
	} fewer[] = {
		{2, -EOPNOTSUPP, "DBG2: unsupported serial port subtype 0x3 (ARM PL011)"},
		{1, -ENOENT, "DBG2: no serial device"},
		{0, -ENOENT, "DBG2: no serial device"},
	};
	for (size_t i = 0; i < sizeof(fewer) / sizeof(fewer[0]); i++) {
		fx_dbg2(&fm, len, fewer[i].count);
		assert_int_equal(dbg2(len), fewer[i].err);
		assert_string_equal(why, fewer[i].why);
	}
}

static void test_dbg2_bad(void **state)
{
	uint32_t len = 44;

	memset(t, 0, TABLE_SPACE);
	len += fx_dbg2_dev(&fm, len, 0x8000, ACPI_UART_16550, 1, 8, 1, 0x3f8);
	/* a device count past the table's end */
	fx_dbg2(&fm, len, 2);
	t[44 + 14] = 3; /* make the first unusable so the walk goes on */
	fx_checksum(&fm, len);
	assert_int_equal(dbg2(len), -EINVAL);
	assert_string_equal(why, "DBG2: device 1 outside the table");
	/* a device length past the table */
	t[44 + 14] = 0;
	put16(&fm, 44 + 1, (uint16_t)(len - 44 + 1));
	fx_dbg2(&fm, len, 1);
	assert_int_equal(dbg2(len), -EINVAL);
	assert_string_equal(why, "DBG2: device 0 has a bad length 41");
	/* the GAS offset pointing past the device */
	put16(&fm, 44 + 1, (uint16_t)(len - 44));
	put16(&fm, 44 + 18, (uint16_t)(len - 44 - 4));
	fx_checksum(&fm, len);
	assert_int_equal(dbg2(len), -EINVAL);
	assert_string_equal(why, "DBG2: device without a base address register");
	/* no address registers */
	put16(&fm, 44 + 18, 22);
	t[44 + 3] = 0;
	fx_checksum(&fm, len);
	assert_int_equal(dbg2(len), -EINVAL);
	/* the device list offset inside the header */
	t[44 + 3] = 1;
	put32(&fm, 36, 20);
	fx_checksum(&fm, len);
	assert_int_equal(dbg2(len), -EINVAL);
	assert_string_equal(why, "DBG2: device 0 outside the table");
	/* unknown address space in a DBG2 device */
	put32(&fm, 36, 44);
	t[44 + 22] = 3;
	fx_checksum(&fm, len);
	assert_int_equal(dbg2(len), -EOPNOTSUPP);
	assert_string_equal(why, "DBG2: address space 3 is neither memory nor I/O");
	t[44 + 22] = 1;
	t[9]++;
	assert_int_equal(dbg2(len), -EINVAL);
	assert_string_equal(why, "DBG2: bad checksum");
	assert_int_equal(dbg2(43), -EINVAL);
}

static void test_type_names(void **state)
{
	assert_string_equal(acpi_uart_type_name(0), "16550");
	assert_string_equal(acpi_uart_type_name(0x12), "16550 (GAS)");
	assert_string_equal(acpi_uart_type_name(0x14), "Intel LPSS");
	assert_string_equal(acpi_uart_type_name(0x7), "unknown");
	assert_string_equal(acpi_uart_type_name(0xffff), "unknown");
}

static int setup(void **state)
{
	fm_init(&fm, 0, TABLE_SPACE);
	t = fm.buf;
	return 0;
}

static int teardown(void **state)
{
	fm_fini(&fm);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_arm_virt_images),
		cmocka_unit_test(test_spcr_rev2_io),
		cmocka_unit_test(test_spcr_rev1),
		cmocka_unit_test(test_spcr_mmio),
		cmocka_unit_test(test_spcr_rev3_rev4),
		cmocka_unit_test(test_spcr_bad),
		cmocka_unit_test(test_dbg2),
		cmocka_unit_test(test_dbg2_bad),
		cmocka_unit_test(test_type_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
