/* The VM's I/O APIC (see ioapic.h). */
#include "hv/vdev/ioapic.h"

#define RTE_RO_BITS  (IOAPIC_RTE_PENDING | IOAPIC_RTE_RIRR)
#define RTE_RSVD_LOW 0xfffe0000ull /* bits 31:17 */
#define RTE_RSVD_HI  0x00ffffff00000000ull
#define ID_MASK      0x0f000000u

void ioapic_init(struct ioapic *io, uint32_t id, const struct ioapic_ops *ops, void *ctx)
{
	io->regsel = 0;
	io->id = id & 0xf;
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		io->rte[i] = IOAPIC_RTE_MASKED;
	io->lines = 0;
	io->bad_writes = 0;
	io->ops = ops;
	io->ctx = ctx;
}

/* Sends pin's message; a level message sets remote IRR until its EOI. */
static void send(struct ioapic *io, unsigned pin)
{
	uint64_t e = io->rte[pin];
	struct apic_msg m = {
		.vector = (uint8_t)(e & IOAPIC_RTE_VECTOR),
		.mode = (uint8_t)((e >> IOAPIC_RTE_DM_SHIFT) & 7),
		.logical = (e & IOAPIC_RTE_LOGICAL) != 0,
		.level = (e & IOAPIC_RTE_LEVEL) != 0,
		.assert = true,
		.dest = (uint32_t)(e >> IOAPIC_RTE_DEST_SHIFT),
		.src = UINT32_MAX, /* not a vCPU: no sender ESR */
	};

	if (m.level)
		io->rte[pin] |= IOAPIC_RTE_RIRR;
	io->ops->send(io->ctx, &m);
}

/* A level pin that is asserted, unmasked and not waiting for its EOI sends. */
static void level_check(struct ioapic *io, unsigned pin)
{
	uint64_t e = io->rte[pin];

	if ((e & IOAPIC_RTE_LEVEL) && !(e & (IOAPIC_RTE_MASKED | IOAPIC_RTE_RIRR)) &&
	    (io->lines & BIT(pin)))
		send(io, pin);
}

void ioapic_set_line(struct ioapic *io, unsigned pin, bool asserted)
{
	bool was;

	if (pin >= IOAPIC_PINS)
		return;
	was = io->lines & BIT(pin);
	if (asserted)
		io->lines |= (uint32_t)BIT(pin);
	else
		io->lines &= ~(uint32_t)BIT(pin);
	if (io->rte[pin] & IOAPIC_RTE_LEVEL)
		level_check(io, pin);
	else if (asserted && !was && !(io->rte[pin] & IOAPIC_RTE_MASKED))
		send(io, pin);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (unsigned i = 0; i < IOAPIC_PINS; i++) {
		uint64_t e = io->rte[i];

		if (!(e & IOAPIC_RTE_RIRR) || (e & IOAPIC_RTE_VECTOR) != vector)
			continue;
		io->rte[i] = e & ~IOAPIC_RTE_RIRR;
		level_check(io, i);
	}
}

static uint32_t reg_read(const struct ioapic *io, uint32_t reg)
{
	unsigned pin = (reg - IOAPIC_REG_RTE) / 2;

	switch (reg) {
	case IOAPIC_REG_ID:
		return io->id << 24;
	case IOAPIC_REG_VER:
		return (IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
	case IOAPIC_REG_ARB:
		return io->id << 24;
	}
	if (reg < IOAPIC_REG_RTE || pin >= IOAPIC_PINS)
		return 0;
	return (uint32_t)(reg & 1 ? io->rte[pin] >> 32 : io->rte[pin]);
}

/* Guest-writable bits replace the old ones; remote IRR and delivery status stay. */
static void rte_write(struct ioapic *io, unsigned pin, bool high, uint32_t val)
{
	uint64_t e = io->rte[pin], w;

	if (high) {
		w = ((uint64_t)val << 32) & ~RTE_RSVD_HI;
		e = (e & 0xffffffffull) | w;
	} else {
		w = val & ~(RTE_RSVD_LOW | RTE_RO_BITS);
		e = (e & ~0xffffffffull) | (e & RTE_RO_BITS) | w;
	}
	if (!(e & IOAPIC_RTE_LEVEL))
		e &= ~IOAPIC_RTE_RIRR; /* remote IRR is undefined for edge pins: keep it clear */
	io->rte[pin] = e;
	if (!high)
		level_check(io, pin); /* unmasking an asserted level pin interrupts */
}

static void reg_write(struct ioapic *io, uint32_t reg, uint32_t val)
{
	unsigned pin = (reg - IOAPIC_REG_RTE) / 2;

	if (reg == IOAPIC_REG_ID) {
		io->id = (val & ID_MASK) >> 24;
		return;
	}
	if (reg < IOAPIC_REG_RTE || pin >= IOAPIC_PINS) {
		io->bad_writes++; /* version, arbitration, nothing there: read-only */
		return;
	}
	rte_write(io, pin, reg & 1, val);
}

uint32_t ioapic_mmio_read(struct ioapic *io, uint32_t offset)
{
	switch (offset) {
	case IOAPIC_REGSEL:
		return io->regsel;
	case IOAPIC_WINDOW:
		return reg_read(io, io->regsel);
	}
	return 0;
}

void ioapic_mmio_write(struct ioapic *io, uint32_t offset, uint32_t val)
{
	switch (offset) {
	case IOAPIC_REGSEL:
		io->regsel = val & 0xff;
		break;
	case IOAPIC_WINDOW:
		reg_write(io, io->regsel, val);
		break;
	case IOAPIC_EOI:
		ioapic_eoi(io, (uint8_t)val);
		break;
	default:
		io->bad_writes++;
		break;
	}
}
