/*
 * SPCR and DBG2 table images for tests/test_acpi_uart.c, written from the
 * Microsoft SPCR (revisions 1-4) and DBG2 specifications into a fake_mem
 * (tests/acpi_fixture.h) at offset 0, and the images QEMU itself generated,
 * read from tests/data/acpi/.
 */
#ifndef SABLE_TESTS_ACPI_UART_FIXTURE_H
#define SABLE_TESTS_ACPI_UART_FIXTURE_H

#include <stdio.h>

#include "acpi_fixture.h"

/* Sets the checksum of the table at offset 0 over its first len bytes. */
static inline void fx_checksum(struct fake_mem *m, uint32_t len)
{
	fix_sum(m, 0, len, 9);
}

/* A Generic Address Structure (ACPI 6.5 sec. 5.2.3.2) at off. */
static inline void fx_gas(struct fake_mem *m, size_t off, uint8_t space, uint8_t width,
                          uint8_t access, uint64_t addr)
{
	put8(m, off, space);
	put8(m, off + 1, width);
	put8(m, off + 2, 0);
	put8(m, off + 3, access);
	put64(m, off + 4, addr);
}

/*
 * An SPCR of revision rev at offset 0 (the first 128 bytes zeroed here):
 * interface type, base address GAS, 8259 IRQ 4 / GSI 4, baud code; revision 3
 * and later carry clock, revision 4 precise_baud and the namespace string ".".
 * Returns the length (checksum set).
 */
static inline uint32_t fx_spcr(struct fake_mem *m, uint8_t rev, uint8_t type, uint8_t space,
                               uint8_t width, uint8_t access, uint64_t addr, uint8_t baud,
                               uint32_t clock, uint32_t precise_baud)
{
	uint32_t len = rev >= 4 ? 90 : 80;

	memset(m->buf, 0, 128);
	sdt_header(m, 0, "SPCR", len);
	put8(m, 8, rev);
	put8(m, 36, type);
	fx_gas(m, 40, space, width, access, addr);
	put8(m, 52, 0x03); /* 8259 and I/O APIC */
	put8(m, 53, 4);
	put32(m, 54, 4);
	put8(m, 58, baud);
	put8(m, 60, 1);       /* one stop bit */
	put16(m, 64, 0xffff); /* not a PCI device */
	put16(m, 66, 0xffff);
	if (rev >= 3)
		put32(m, 76, clock);
	if (rev >= 4) {
		put32(m, 80, precise_baud);
		put16(m, 84, 2);  /* namespace string length, NUL included */
		put16(m, 86, 88); /* and offset */
		put8(m, 88, '.');
	}
	fx_checksum(m, len);
	return len;
}

/* One DBG2 device with one GAS at off; returns its length (the namespace "." included). */
static inline uint16_t fx_dbg2_dev(struct fake_mem *m, size_t off, uint16_t port_type,
                                   uint16_t subtype, uint8_t space, uint8_t width, uint8_t access,
                                   uint64_t addr)
{
	const uint16_t gas = 22, size = gas + 12, ns = size + 4, len = ns + 2;

	put8(m, off, 0); /* revision */
	put16(m, off + 1, len);
	put8(m, off + 3, 1); /* one address register */
	put16(m, off + 4, 2);
	put16(m, off + 6, ns);
	put16(m, off + 12, port_type);
	put16(m, off + 14, subtype);
	put16(m, off + 18, gas);
	put16(m, off + 20, size);
	fx_gas(m, off + gas, space, width, access, addr);
	put32(m, off + size, 8);
	put8(m, off + ns, '.');
	return len;
}

/* A DBG2 header for count devices that follow at offset 44, and its checksum
 * over len bytes (the devices written already). */
static inline void fx_dbg2(struct fake_mem *m, uint32_t len, uint32_t count)
{
	sdt_header(m, 0, "DBG2", len);
	put8(m, 8, 0);
	put32(m, 36, 44);
	put32(m, 40, count);
	fx_checksum(m, len);
}

/* Reads tests/data/acpi/NAME to offset 0 of m; returns its size. Aborts if absent. */
static inline size_t fx_read_image(struct fake_mem *m, const char *name)
{
	char path[256];
	const char *here = __FILE__, *slash = strrchr(here, '/');
	FILE *f;
	size_t len;

	snprintf(path, sizeof(path), "%.*sdata/acpi/%s", slash ? (int)(slash - here + 1) : 0, here,
	         name);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		abort();
	}
	memset(m->buf, 0, m->size);
	len = fread(m->buf, 1, m->size, f);
	fclose(f);
	return len;
}

#endif
