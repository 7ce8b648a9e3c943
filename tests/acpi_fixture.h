/*
 * Fake physical memory and ACPI table builders for tests/test_acpi.c.
 *
 * fake_map() hands out an exact-size heap copy of the requested range and frees
 * the previous one, so ASan reports any read past what was granted and any use
 * of a mapping after the next map() call.
 */
#ifndef SABLE_TESTS_ACPI_FIXTURE_H
#define SABLE_TESTS_ACPI_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fake_mem {
	uint64_t base; /* physical address of buf[0] */
	size_t size;
	uint8_t *buf;
	void *window; /* the last mapping handed out */
	unsigned maps, warns;
};

static inline void fm_init(struct fake_mem *m, uint64_t base, size_t size)
{
	m->base = base;
	m->size = size;
	m->buf = calloc(1, size);
	m->window = NULL;
	m->maps = 0;
	m->warns = 0;
}

static inline void fm_fini(struct fake_mem *m)
{
	free(m->window);
	free(m->buf);
	m->window = NULL;
	m->buf = NULL;
}

static inline uint64_t fm_pa(const struct fake_mem *m, size_t off)
{
	return m->base + off;
}

/* acpi_map_fn: NULL for anything not wholly inside the fake memory. */
static inline const void *fake_map(void *ctx, uint64_t pa, size_t len)
{
	struct fake_mem *m = ctx;

	free(m->window);
	m->window = NULL;
	m->maps++;
	if (pa < m->base || pa - m->base > m->size || len > m->size - (pa - m->base))
		return NULL;
	m->window = malloc(len ? len : 1);
	memcpy(m->window, m->buf + (pa - m->base), len);
	return m->window;
}

/* acpi_warn_fn: counts warnings. */
static inline void fake_warn(void *ctx, const char *msg)
{
	struct fake_mem *m = ctx;

	(void)msg;
	m->warns++;
}

static inline void put8(struct fake_mem *m, size_t off, uint8_t v)
{
	m->buf[off] = v;
}

static inline void put16(struct fake_mem *m, size_t off, uint16_t v)
{
	put8(m, off, (uint8_t)v);
	put8(m, off + 1, (uint8_t)(v >> 8));
}

static inline void put32(struct fake_mem *m, size_t off, uint32_t v)
{
	put16(m, off, (uint16_t)v);
	put16(m, off + 2, (uint16_t)(v >> 16));
}

static inline void put64(struct fake_mem *m, size_t off, uint64_t v)
{
	put32(m, off, (uint32_t)v);
	put32(m, off + 4, (uint32_t)(v >> 32));
}

/* Sets byte at csum_off so that the len bytes at off sum to zero. */
static inline void fix_sum(struct fake_mem *m, size_t off, size_t len, size_t csum_off)
{
	uint8_t sum = 0;

	m->buf[csum_off] = 0;
	for (size_t i = 0; i < len && off + i < m->size; i++)
		sum += m->buf[off + i];
	m->buf[csum_off] = (uint8_t)-sum;
}

/* Fixes the checksum of the table at off over its own length field. */
static inline void sdt_fix(struct fake_mem *m, size_t off)
{
	uint32_t len = m->buf[off + 4] | m->buf[off + 5] << 8 | m->buf[off + 6] << 16 |
	               (uint32_t)m->buf[off + 7] << 24;

	fix_sum(m, off, len, off + 9);
}

/* Writes a table header (signature, length, OEM fields); checksum left to sdt_fix. */
static inline void sdt_header(struct fake_mem *m, size_t off, const char *sig, uint32_t len)
{
	memcpy(m->buf + off, sig, 4);
	put32(m, off + 4, len);
	put8(m, off + 8, 1);
	memcpy(m->buf + off + 10, "SABLE ", 6);
	memcpy(m->buf + off + 16, "TESTTABL", 8);
	put32(m, off + 24, 1);
	put32(m, off + 28, 0x4c424153);
	put32(m, off + 32, 1);
}

static inline void rsdp_v1(struct fake_mem *m, size_t off, uint32_t rsdt_pa)
{
	memcpy(m->buf + off, "RSD PTR ", 8);
	memcpy(m->buf + off + 9, "SABLE ", 6);
	put8(m, off + 15, 0);
	put32(m, off + 16, rsdt_pa);
	fix_sum(m, off, 20, off + 8);
}

static inline void rsdp_v2(struct fake_mem *m, size_t off, uint32_t rsdt_pa, uint64_t xsdt_pa)
{
	memcpy(m->buf + off, "RSD PTR ", 8);
	memcpy(m->buf + off + 9, "SABLE ", 6);
	put8(m, off + 15, 2);
	put32(m, off + 16, rsdt_pa);
	put32(m, off + 20, 36);
	put64(m, off + 24, xsdt_pa);
	fix_sum(m, off, 20, off + 8);
	fix_sum(m, off, 36, off + 32);
}

/* RSDT (xsdt false, 32-bit entries) or XSDT (64-bit entries) listing pas. */
static inline void root_table(struct fake_mem *m, size_t off, bool xsdt, const uint64_t *pas,
                              size_t n)
{
	size_t esize = xsdt ? 8 : 4;

	sdt_header(m, off, xsdt ? "XSDT" : "RSDT", (uint32_t)(36 + esize * n));
	for (size_t i = 0; i < n; i++) {
		if (xsdt)
			put64(m, off + 36 + 8 * i, pas[i]);
		else
			put32(m, off + 36 + 4 * i, (uint32_t)pas[i]);
	}
	sdt_fix(m, off);
}

/* A MADT under construction at off; len grows as entries are appended. */
struct madt_b {
	struct fake_mem *m;
	size_t off, len;
};

static inline struct madt_b madt_begin(struct fake_mem *m, size_t off, uint32_t lapic,
                                       uint32_t flags)
{
	struct madt_b b = {m, off, 44};

	sdt_header(m, off, "APIC", 44);
	put32(m, off + 36, lapic);
	put32(m, off + 40, flags);
	return b;
}

/* Appends an entry header of the given type and length; returns its offset. */
static inline size_t madt_raw(struct madt_b *b, uint8_t type, uint8_t len)
{
	size_t e = b->off + b->len;

	put8(b->m, e, type);
	put8(b->m, e + 1, len);
	b->len += len;
	return e;
}

static inline void madt_lapic(struct madt_b *b, uint8_t uid, uint8_t id, uint32_t flags)
{
	size_t e = madt_raw(b, 0, 8);

	put8(b->m, e + 2, uid);
	put8(b->m, e + 3, id);
	put32(b->m, e + 4, flags);
}

static inline void madt_x2apic(struct madt_b *b, uint32_t id, uint32_t uid, uint32_t flags)
{
	size_t e = madt_raw(b, 9, 16);

	put32(b->m, e + 4, id);
	put32(b->m, e + 8, flags);
	put32(b->m, e + 12, uid);
}

static inline void madt_ioapic(struct madt_b *b, uint8_t id, uint32_t addr, uint32_t gsi)
{
	size_t e = madt_raw(b, 1, 12);

	put8(b->m, e + 2, id);
	put32(b->m, e + 4, addr);
	put32(b->m, e + 8, gsi);
}

static inline void madt_override(struct madt_b *b, uint64_t addr)
{
	size_t e = madt_raw(b, 5, 12);

	put64(b->m, e + 4, addr);
}

/* Writes the final length (adjusted by extra) and fixes the checksum. */
static inline void madt_end(struct madt_b *b, long extra)
{
	put32(b->m, b->off + 4, (uint32_t)(b->len + extra));
	sdt_fix(b->m, b->off);
}

static inline void fadt_table(struct fake_mem *m, size_t off, uint32_t len, uint32_t dsdt,
                              uint64_t x_dsdt, uint32_t pm1a, uint32_t pm1b)
{
	sdt_header(m, off, "FACP", len);
	put32(m, off + 40, dsdt);
	put32(m, off + 64, pm1a);
	put32(m, off + 68, pm1b);
	if (len >= 148)
		put64(m, off + 140, x_dsdt);
	sdt_fix(m, off);
}

static inline void dsdt_table(struct fake_mem *m, size_t off, const uint8_t *aml, size_t n)
{
	sdt_header(m, off, "DSDT", (uint32_t)(36 + n));
	memcpy(m->buf + off + 36, aml, n);
	sdt_fix(m, off);
}

#endif
