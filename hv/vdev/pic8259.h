/*
 * The VM's 8259A PIC pair (pure; Intel 8259A datasheet): a master at
 * 0x20/0x21 and a slave at 0xA0/0xA1 cascaded on the master's IRQ 2, with the
 * edge/level control registers (ELCR) at 0x4D0/0x4D1. Modelled: the ICW1-ICW4
 * initialization sequence, OCW1 (IMR), OCW2 (non-specific, specific and
 * rotating EOI, set priority, rotate in auto-EOI), OCW3 (read IRR/ISR, poll,
 * special mask), auto-EOI, spurious IRQ 7/15. Not modelled: special fully
 * nested mode, buffered mode, 8080 vectors. Until a chip is initialized its
 * output stays low. The master's output is the ExtINT source of the BSP's
 * LINT0 (hv/vdev/irq_line.c); pic_ack is the interrupt acknowledge.
 */
#ifndef SABLE_HV_VDEV_PIC8259_H
#define SABLE_HV_VDEV_PIC8259_H

#include "types.h"

#define PIC_MASTER_CMD  0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD   0xa0
#define PIC_SLAVE_DATA  0xa1
#define PIC_ELCR_MASTER 0x4d0
#define PIC_ELCR_SLAVE  0x4d1
#define PIC_CASCADE_IRQ 2

struct pic_chip {
	uint8_t irr, isr, imr, elcr;
	uint8_t lines;        /* input levels */
	uint8_t base;         /* ICW2: vector of IRQ 0 */
	uint8_t icw_step;     /* 0: initialized (or never); 1-3: ICW2-ICW4 expected next */
	uint8_t priority_add; /* the lowest-priority IRQ + 1 (rotation) */
	bool ready;           /* ICW sequence completed once */
	bool single, need_icw4, auto_eoi, rotate_aeoi;
	bool read_isr, poll, special_mask;
	uint8_t icw3;
};

struct pic8259 {
	struct pic_chip chip[2]; /* master, slave */
};

void vpic_init(struct pic8259 *p);
/* The level of ISA IRQ irq (0-15) changes; an edge IRQ latches on a rising edge. */
void vpic_set_line(struct pic8259 *p, unsigned irq, bool level);
/* Port access of one byte at PIC_* ports; other ports read 0xff. */
uint8_t vpic_read(struct pic8259 *p, uint16_t port);

/* If a read of port changes nothing (every read but a command port's after
 * an OCW3 poll command, which acknowledges), its value in *val and true: the
 * caller needs no lock (a racing write shows as the old or the new value).
 * Else false: read it with vpic_read. Inline: the I/O exit fast path's. */
static inline bool vpic_read_pure(const struct pic8259 *p, uint16_t port, uint8_t *val)
{
	const struct pic_chip *c = &p->chip[port == PIC_SLAVE_CMD || port == PIC_SLAVE_DATA];

	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_SLAVE_CMD:
		if (c->poll)
			return false;
		*val = c->read_isr ? c->isr : c->irr;
		return true;
	case PIC_MASTER_DATA:
	case PIC_SLAVE_DATA:
		*val = c->imr;
		return true;
	case PIC_ELCR_MASTER:
		*val = p->chip[0].elcr;
		return true;
	case PIC_ELCR_SLAVE:
		*val = p->chip[1].elcr;
		return true;
	}
	return false;
}
void vpic_write(struct pic8259 *p, uint16_t port, uint8_t val);
/* The master's INT output: an unmasked request above what is in service. */
bool vpic_output(const struct pic8259 *p);
/* Interrupt acknowledge: the vector of the highest request (IRR -> ISR, or
 * cleared at once in auto-EOI), or the spurious IRQ 7 (15 for the slave) of
 * the chip when the request went away. */
uint8_t vpic_ack(struct pic8259 *p);

#endif
