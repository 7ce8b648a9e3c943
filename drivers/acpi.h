/* ACPI table discovery and parsing: RSDP, RSDT/XSDT, MADT, FADT (+ DSDT \_S5), and
 * where the SPCR and DBG2 tables are (pure).
 * Spec: ACPI 6.5 sec. 5.2. */
#ifndef SABLE_DRIVERS_ACPI_H
#define SABLE_DRIVERS_ACPI_H

#include "param.h"
#include "types.h"

/*
 * Gives the parser access to physical memory: returns a pointer through which
 * len bytes at physical address pa can be read, or NULL if that range is not
 * accessible. The parser never reads outside what map() granted.
 */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t pa, size_t len);

/* Reports a non-fatal problem (bad checksum of an optional table, entries ignored). */
typedef void (*acpi_warn_fn)(void *ctx, const char *msg);

struct acpi_cpu {
	uint32_t apic_id;
	uint32_t uid;
	bool enabled;        /* flags bit 0 */
	bool online_capable; /* flags bit 1 */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base;
};

struct acpi_info {
	uint64_t rsdp_pa;
	uint8_t revision; /* RSDP revision */
	bool used_xsdt;
	uint64_t lapic_pa; /* from MADT, overridden by a type-5 entry */
	bool pcat_compat;  /* MADT flags bit 0: 8259 PICs present */
	struct acpi_cpu cpus[MAX_CPUS];
	size_t ncpus;        /* entries stored (enabled or not) */
	size_t cpus_dropped; /* processor entries beyond MAX_CPUS */
	struct acpi_ioapic ioapics[MAX_IOAPICS];
	size_t nioapics;
	bool have_fadt;
	uint32_t pm1a_cnt; /* I/O port of PM1a_CNT_BLK, 0 if none */
	uint32_t pm1b_cnt;
	bool have_s5;
	uint8_t s5_slp_typa, s5_slp_typb;
	uint64_t spcr_pa; /* first valid SPCR table, 0 if none (drivers/acpi_uart.h parses it) */
	uint64_t dbg2_pa; /* first valid DBG2 table, 0 if none */
};

/* Checks signature "RSD PTR ", the 20-byte checksum and, for revision >= 2,
 * length (36..avail) and the extended checksum. 0 or -EINVAL. */
int acpi_rsdp_check(const void *rsdp, size_t avail);

/* Scans area[0..len) at 16-byte steps for a valid RSDP; returns its offset
 * or -ENOENT. */
long acpi_rsdp_scan(const void *area, size_t len);

/* Validates a system description table header at ptr with avail readable bytes:
 * length >= 36 and <= avail, checksum zero. 0 or -EINVAL. */
int acpi_table_check(const void *ptr, size_t avail);

/*
 * Walks RSDT (or XSDT when revision >= 2 and its address is non-zero) from the
 * RSDP at rsdp_pa, fills *out with the MADT and FADT contents.
 * Returns 0; -EINVAL if the RSDP or root table is invalid; -ENOENT if there is
 * no valid MADT; a MADT entry of length < 2 or running past the table is
 * -EINVAL. An invalid FADT/DSDT only loses have_fadt/have_s5 (with a warning).
 * Processor entries beyond MAX_CPUS are counted in cpus_dropped (with a warning).
 */
int acpi_parse(uint64_t rsdp_pa, acpi_map_fn map, acpi_warn_fn warn, void *ctx,
               struct acpi_info *out);

/* Finds the \_S5 package in AML bytes and returns its SLP_TYPa/b. 0 or -ENOENT. */
int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb);

#endif
