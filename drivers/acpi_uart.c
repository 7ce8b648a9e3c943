/*
 * The console UART named by the firmware: SPCR (Microsoft "Serial Port Console
 * Redirection Table", revisions 1-4) and DBG2 ("Debug Port Table 2"). Every
 * field is read byte-wise little-endian and only inside the table's length.
 */
#include "drivers/acpi_uart.h"
#include "drivers/acpi.h"
#include "err.h"
#include "hv/lib/format.h"
#include "le.h"

#define SDT_HDR_LEN 36

/* SPCR offsets */
#define SPCR_TYPE         36
#define SPCR_BASE         40
#define SPCR_IRQ_TYPE     52
#define SPCR_IRQ          53
#define SPCR_GSI          54
#define SPCR_BAUD         58
#define SPCR_MIN_LEN      80 /* revisions 1 and 2 */
#define SPCR_CLOCK        76 /* revision 3 and later */
#define SPCR_PRECISE_BAUD 80 /* revision 4 and later */
#define SPCR_REV4_MIN_LEN 88

/* DBG2 offsets */
#define DBG2_INFO_OFF    36
#define DBG2_INFO_COUNT  40
#define DBG2_MIN_LEN     44
#define DEV_LEN          1
#define DEV_NGAS         3
#define DEV_PORT_TYPE    12
#define DEV_PORT_SUBTYPE 14
#define DEV_GAS_OFF      18
#define DEV_SIZE_OFF     20
#define DEV_MIN_LEN      22
#define DBG2_PORT_SERIAL 0x8000

/* Generic Address Structure (ACPI 6.5 sec. 5.2.3.2) */
#define GAS_LEN          12
#define GAS_SPACE_MEMORY 0
#define GAS_SPACE_IO     1

static const struct {
	uint16_t type;
	const char *name;
} type_names[] = {
	{ACPI_UART_16550, "16550"},
	{ACPI_UART_16550_SUBSET, "16550 subset"},
	{0x0002, "MAX311xE SPI UART"},
	{0x0003, "ARM PL011"},
	{0x0004, "MSM8x60"},
	{0x0005, "NVIDIA 16550"},
	{0x0006, "TI OMAP"},
	{0x0008, "APM88xxxx"},
	{0x0009, "MSM8974"},
	{0x000a, "SAM5250"},
	{0x000b, "Intel USIF"},
	{0x000c, "i.MX 6"},
	{0x000d, "ARM SBSA 32-bit"},
	{0x000e, "ARM SBSA generic"},
	{0x000f, "ARM DCC"},
	{0x0010, "BCM2835"},
	{0x0011, "SDM845 1.8432 MHz"},
	{ACPI_UART_16550_GAS, "16550 (GAS)"},
	{0x0013, "SDM845 7.372 MHz"},
	{0x0014, "Intel LPSS"},
	{0x0015, "RISC-V SBI console"},
};

const char *acpi_uart_type_name(uint16_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return "unknown";
}

static bool is_16550(uint16_t type)
{
	return type == ACPI_UART_16550 || type == ACPI_UART_16550_SUBSET ||
	       type == ACPI_UART_16550_GAS;
}

static int fail(int err, char *why, size_t n, const char *fmt, ...) __printf(4, 5);
static int fail(int err, char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return err;
}

/* The common header checks: signature, length within avail and >= min, checksum. */
static int check_table(const uint8_t *p, size_t avail, const char *sig, uint32_t min, char *why,
                       size_t n)
{
	uint32_t len;

	if (!p || avail < SDT_HDR_LEN)
		return fail(-EINVAL, why, n, "%s: shorter than a table header", sig);
	len = le32(p + 4);
	if (p[0] != sig[0] || p[1] != sig[1] || p[2] != sig[2] || p[3] != sig[3])
		return fail(-EINVAL, why, n, "%s: wrong signature", sig);
	if (len > avail)
		return fail(-EINVAL, why, n, "%s: length %u beyond the %zu bytes mapped", sig, len,
		            avail);
	if (len < min)
		return fail(-EINVAL, why, n, "%s: length %u, revision %u needs %u", sig, len, p[8],
		            min);
	if (acpi_table_check(p, len))
		return fail(-EINVAL, why, n, "%s: bad checksum", sig);
	return 0;
}

/*
 * A GAS naming 16550 registers: system memory or I/O, register width 8 or 32
 * bits (0 for "not given": 8), access size byte or dword (0: from the width).
 */
static int read_gas(const uint8_t *g, const char *sig, struct uart_cfg *c, char *why, size_t n)
{
	uint8_t space = g[0], width = g[1], access = g[3];
	uint64_t addr = le64(g + 4);

	if (space != GAS_SPACE_MEMORY && space != GAS_SPACE_IO)
		return fail(-EOPNOTSUPP, why, n, "%s: address space %u is neither memory nor I/O",
		            sig, space);
	if (!addr)
		return fail(-EOPNOTSUPP, why, n, "%s: base address 0 (no console UART)", sig);
	if (width != 0 && width != 8 && width != 32)
		return fail(-EOPNOTSUPP, why, n, "%s: %u-bit UART registers", sig, width);
	if (access > 3 || access == 2)
		return fail(-EOPNOTSUPP, why, n, "%s: access size %u", sig, access);
	if (space == GAS_SPACE_IO && addr > 0xfff8)
		return fail(-EOPNOTSUPP, why, n, "%s: I/O port 0x%lx out of range", sig,
		            (unsigned long)addr);
	c->space = space == GAS_SPACE_IO ? UART_IO : UART_MMIO;
	c->base = addr;
	c->stride = width == 32 ? 4 : 1;
	c->access = access == 3 ? 4 : access == 1 ? 1 : c->stride;
	return 0;
}

/* SPCR "configured baud rate" codes; 0 means as the firmware left it. */
static uint32_t spcr_baud(uint8_t code)
{
	switch (code) {
	case 3:
		return 9600;
	case 4:
		return 19200;
	case 6:
		return 57600;
	case 7:
		return 115200;
	default:
		return 0;
	}
}

static void clear(struct acpi_uart *out)
{
	out->port.space = UART_NONE;
	out->port.base = 0;
	out->port.stride = 1;
	out->port.access = 1;
	out->port.baud = 0;
	out->port.clock = 0;
	out->type = 0;
	out->revision = 0;
	out->irq_type = 0;
	out->irq = 0;
	out->gsi = 0;
}

int acpi_spcr_parse(const void *tbl, size_t avail, struct acpi_uart *out, char *why, size_t n)
{
	const uint8_t *p = tbl;
	uint32_t min, len;
	int err;

	clear(out);
	err = check_table(p, avail, "SPCR", SPCR_MIN_LEN, why, n);
	if (err)
		return err;
	out->revision = p[8];
	min = out->revision >= 4 ? SPCR_REV4_MIN_LEN : SPCR_MIN_LEN;
	len = le32(p + 4);
	if (len < min)
		return fail(-EINVAL, why, n, "SPCR: length %u, revision %u needs %u", len, p[8],
		            min);
	out->type = p[SPCR_TYPE];
	if (!is_16550(out->type))
		return fail(-EOPNOTSUPP, why, n, "SPCR: unsupported interface type 0x%x (%s)",
		            out->type, acpi_uart_type_name(out->type));
	err = read_gas(p + SPCR_BASE, "SPCR", &out->port, why, n);
	if (err)
		return err;
	out->irq_type = p[SPCR_IRQ_TYPE];
	out->irq = p[SPCR_IRQ];
	out->gsi = le32(p + SPCR_GSI);
	out->port.baud = spcr_baud(p[SPCR_BAUD]);
	if (out->revision >= 3)
		out->port.clock = le32(p + SPCR_CLOCK);
	if (out->revision >= 4 && le32(p + SPCR_PRECISE_BAUD))
		out->port.baud = le32(p + SPCR_PRECISE_BAUD);
	return 0;
}

/* One DBG2 device information structure at d (dlen bytes, checked to lie in the table). */
static int dbg2_device(const uint8_t *d, uint16_t dlen, struct acpi_uart *out, char *why, size_t n)
{
	uint16_t gas = le16(d + DEV_GAS_OFF);

	out->type = le16(d + DEV_PORT_SUBTYPE);
	if (!is_16550(out->type))
		return fail(-EOPNOTSUPP, why, n, "DBG2: unsupported serial port subtype 0x%x (%s)",
		            out->type, acpi_uart_type_name(out->type));
	if (d[DEV_NGAS] < 1 || gas < DEV_MIN_LEN || gas > dlen || dlen - gas < GAS_LEN)
		return fail(-EINVAL, why, n, "DBG2: device without a base address register");
	return read_gas(d + gas, "DBG2", &out->port, why, n);
}

int acpi_dbg2_parse(const void *tbl, size_t avail, struct acpi_uart *out, char *why, size_t n)
{
	const uint8_t *p = tbl;
	uint32_t len, off, count;
	int err, first_err = 0;

	clear(out);
	err = check_table(p, avail, "DBG2", DBG2_MIN_LEN, why, n);
	if (err)
		return err;
	out->revision = p[8];
	len = le32(p + 4);
	off = le32(p + DBG2_INFO_OFF);
	count = le32(p + DBG2_INFO_COUNT);
	for (uint32_t i = 0; i < count; i++) {
		uint16_t dlen;

		if (off < DBG2_MIN_LEN || off > len || len - off < DEV_MIN_LEN)
			return fail(-EINVAL, why, n, "DBG2: device %u outside the table", i);
		dlen = le16(p + off + DEV_LEN);
		if (dlen < DEV_MIN_LEN || dlen > len - off)
			return fail(-EINVAL, why, n, "DBG2: device %u has a bad length %u", i,
			            dlen);
		if (le16(p + off + DEV_PORT_TYPE) == DBG2_PORT_SERIAL) {
			char later[96]; /* the first unusable device gives the reason */

			err = dbg2_device(p + off, dlen, out, first_err ? later : why,
			                  first_err ? sizeof(later) : n);
			if (!err)
				return 0;
			if (!first_err)
				first_err = err;
		}
		off += dlen;
	}
	if (first_err)
		return first_err;
	return fail(-ENOENT, why, n, "DBG2: no serial device");
}
