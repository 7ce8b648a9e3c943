/*
 * SPCR and DBG2 table images for tests/test_acpi_uart.c, written from the
 * Microsoft SPCR (revisions 1-4) and DBG2 specifications, and the images QEMU
 * itself generated, read from tests/data/acpi/.
 */
#ifndef SABLE_TESTS_ACPI_UART_FIXTURE_H
#define SABLE_TESTS_ACPI_UART_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void fx_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void fx_le32(uint8_t *p, uint32_t v)
{
	fx_le16(p, (uint16_t)v);
	fx_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void fx_le64(uint8_t *p, uint64_t v)
{
	fx_le32(p, (uint32_t)v);
	fx_le32(p + 4, (uint32_t)(v >> 32));
}

/* Sets the checksum byte (offset 9) so the first len bytes sum to 0. */
static inline void fx_checksum(uint8_t *t, uint32_t len)
{
	uint8_t sum = 0;

	t[9] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum += t[i];
	t[9] = (uint8_t)-sum;
}

/* A table header: signature, length, revision, OEM fields. */
static inline void fx_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	fx_le32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "SABLE ", 6);
	memcpy(t + 16, "SABLETST", 8);
	fx_le32(t + 24, 1);
	memcpy(t + 28, "SABL", 4);
	fx_le32(t + 32, 1);
}

/* A Generic Address Structure (ACPI 6.5 sec. 5.2.3.2) at g. */
static inline void fx_gas(uint8_t *g, uint8_t space, uint8_t width, uint8_t access, uint64_t addr)
{
	g[0] = space;
	g[1] = width;
	g[2] = 0;
	g[3] = access;
	fx_le64(g + 4, addr);
}

/*
 * An SPCR of revision rev into t (at least 128 bytes, zeroed here): interface
 * type, base address GAS, 8259 IRQ 4 / GSI 4, baud code; revision 3 and later
 * carry clock, revision 4 precise_baud and the namespace string ".".
 * Returns the length (checksum set).
 */
static inline uint32_t fx_spcr(uint8_t *t, uint8_t rev, uint8_t type, uint8_t space, uint8_t width,
                               uint8_t access, uint64_t addr, uint8_t baud, uint32_t clock,
                               uint32_t precise_baud)
{
	uint32_t len = rev >= 4 ? 90 : 80;

	memset(t, 0, 128);
	fx_header(t, "SPCR", len, rev);
	t[36] = type;
	fx_gas(t + 40, space, width, access, addr);
	t[52] = 0x03; /* 8259 and I/O APIC */
	t[53] = 4;
	fx_le32(t + 54, 4);
	t[58] = baud;
	t[60] = 1;               /* one stop bit */
	fx_le16(t + 64, 0xffff); /* not a PCI device */
	fx_le16(t + 66, 0xffff);
	if (rev >= 3)
		fx_le32(t + 76, clock);
	if (rev >= 4) {
		fx_le32(t + 80, precise_baud);
		fx_le16(t + 84, 2);  /* namespace string length, NUL included */
		fx_le16(t + 86, 88); /* and offset */
		t[88] = '.';
	}
	fx_checksum(t, len);
	return len;
}

/* One DBG2 device with one GAS, at d; returns its length (the namespace "." included). */
static inline uint16_t fx_dbg2_dev(uint8_t *d, uint16_t port_type, uint16_t subtype, uint8_t space,
                                   uint8_t width, uint8_t access, uint64_t addr)
{
	const uint16_t gas = 22, size = gas + 12, ns = size + 4, len = ns + 2;

	d[0] = 0; /* revision */
	fx_le16(d + 1, len);
	d[3] = 1; /* one address register */
	fx_le16(d + 4, 2);
	fx_le16(d + 6, ns);
	fx_le16(d + 12, port_type);
	fx_le16(d + 14, subtype);
	fx_le16(d + 18, gas);
	fx_le16(d + 20, size);
	fx_gas(d + gas, space, width, access, addr);
	fx_le32(d + size, 8);
	d[ns] = '.';
	return len;
}

/* A DBG2 header in t for count devices that follow at offset 44; the caller
 * appends devices and then calls fx_checksum with the final length. */
static inline void fx_dbg2(uint8_t *t, uint32_t len, uint32_t count)
{
	fx_header(t, "DBG2", len, 0);
	fx_le32(t + 36, 44);
	fx_le32(t + 40, count);
}

/* Reads tests/data/acpi/NAME into a fresh buffer; *len its size. Aborts if absent. */
static inline uint8_t *fx_read_image(const char *name, size_t *len)
{
	char path[256];
	const char *here = __FILE__, *slash = strrchr(here, '/');
	FILE *f;
	uint8_t *buf;

	snprintf(path, sizeof(path), "%.*sdata/acpi/%s", slash ? (int)(slash - here + 1) : 0, here,
	         name);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		abort();
	}
	buf = malloc(4096);
	*len = fread(buf, 1, 4096, f);
	fclose(f);
	return buf;
}

#endif
