/*
 * The VM's I/O APIC (pure; Intel 82093AA I/O APIC datasheet, version 0x20 with
 * the EOI register of later parts): 24 pins, IOREGSEL at offset 0x00, IOWIN at
 * 0x10, EOI at 0x40; registers ID (0), version (1), arbitration (2) and the
 * redirection table (0x10 + 2 * pin, low and high halves). An unmasked pin
 * sends its interrupt message through ops.send: an edge pin on a rising edge,
 * a level pin while its line is asserted and its remote IRR is clear (the
 * message sets remote IRR; the EOI of its vector clears it and, if the line is
 * still asserted, sends again). Line levels are logical (asserted or not): the
 * polarity bit is kept for the guest to read but does not invert them.
 */
#ifndef SABLE_HV_VDEV_IOAPIC_H
#define SABLE_HV_VDEV_IOAPIC_H

#include "hv/vdev/vlapic.h"
#include "types.h"

#define IOAPIC_GPA     0xfec00000ull
#define IOAPIC_SIZE    0x1000
#define IOAPIC_PINS    24
#define IOAPIC_VERSION 0x20
#define IOAPIC_REGSEL  0x00
#define IOAPIC_WINDOW  0x10
#define IOAPIC_EOI     0x40
#define IOAPIC_REG_ID  0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REG_ARB 0x02
#define IOAPIC_REG_RTE 0x10 /* pin n: 0x10 + 2n (low), 0x11 + 2n (high) */

/* Redirection entry bits. */
#define IOAPIC_RTE_VECTOR     0xffull
#define IOAPIC_RTE_DM_SHIFT   8
#define IOAPIC_RTE_LOGICAL    BIT(11)
#define IOAPIC_RTE_PENDING    BIT(12) /* delivery status, read-only */
#define IOAPIC_RTE_LOW        BIT(13) /* polarity: active low */
#define IOAPIC_RTE_RIRR       BIT(14) /* remote IRR, read-only */
#define IOAPIC_RTE_LEVEL      BIT(15)
#define IOAPIC_RTE_MASKED     BIT(16)
#define IOAPIC_RTE_DEST_SHIFT 56

struct ioapic_ops {
	void (*send)(void *ctx, const struct apic_msg *msg);
};

struct ioapic {
	uint32_t regsel;
	uint32_t id; /* bits 27:24 of the ID register */
	uint64_t rte[IOAPIC_PINS];
	uint32_t lines;      /* bit n: pin n asserted */
	uint32_t bad_writes; /* writes to read-only or nonexistent registers */
	const struct ioapic_ops *ops;
	void *ctx;
};

/* Reset: every pin masked, edge, fixed, vector 0; all lines deasserted. */
void ioapic_init(struct ioapic *io, uint32_t id, const struct ioapic_ops *ops, void *ctx);
/* One 32-bit access at offset in the 4 KiB window; other offsets read 0 and
 * ignore writes. */
uint32_t ioapic_mmio_read(struct ioapic *io, uint32_t offset);
void ioapic_mmio_write(struct ioapic *io, uint32_t offset, uint32_t val);
/* The line of pin changes level (pins >= IOAPIC_PINS are ignored). */
void ioapic_set_line(struct ioapic *io, unsigned pin, bool asserted);
/* A local APIC did the EOI of a level-triggered vector. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

#endif
