/* The firmware's console UART: the ACPI SPCR and DBG2 tables (pure).
 * Spec: Microsoft "Serial Port Console Redirection Table" (revisions 1-4) and
 * "Debug Port Table 2"; Generic Address Structure: ACPI 6.5 sec. 5.2.3.2. */
#ifndef SABLE_DRIVERS_ACPI_UART_H
#define SABLE_DRIVERS_ACPI_UART_H

#include "drivers/uart_cfg.h"
#include "types.h"

/* SPCR interface types / DBG2 serial port subtypes that Sable drives as a 16550. */
#define ACPI_UART_16550        0x0000 /* fully 16550 compatible (SPCR rev. 1: 16550) */
#define ACPI_UART_16550_SUBSET 0x0001 /* 16550 subset (SPCR rev. 1: 16450) */
#define ACPI_UART_16550_GAS    0x0012 /* 16550 compatible, parameters in the GAS */

/* SPCR interrupt type bits (offset 52). */
#define ACPI_UART_IRQ_8259   0x01
#define ACPI_UART_IRQ_IOAPIC 0x02

/* What a table says about the console UART. */
struct acpi_uart {
	struct uart_cfg port; /* address, register stride and access width, baud, clock */
	uint16_t type;        /* interface type (SPCR) or port subtype (DBG2) */
	uint8_t revision;     /* table revision */
	uint8_t irq_type;     /* ACPI_UART_IRQ_* bits, 0 = none (DBG2 has none) */
	uint8_t irq;          /* 8259 IRQ */
	uint32_t gsi;         /* global system interrupt (I/O APIC) */
};

/*
 * Parses the SPCR table at tbl (avail readable bytes). Returns 0 with *out
 * filled; -EINVAL for a malformed table (short, bad length or checksum, wrong
 * signature) or -ENOTSUP for one naming a UART Sable cannot drive (interface
 * type, address space, register width), with the reason in why[0..n).
 */
int acpi_spcr_parse(const void *tbl, size_t avail, struct acpi_uart *out, char *why, size_t n);

/* The same for the DBG2 table: the first serial device Sable can drive; a
 * table with serial devices but none usable gives the first one's reason. */
int acpi_dbg2_parse(const void *tbl, size_t avail, struct acpi_uart *out, char *why, size_t n);

/* A name for an interface type / port subtype, e.g. "16550", "ARM PL011". */
const char *acpi_uart_type_name(uint16_t type);

#endif
