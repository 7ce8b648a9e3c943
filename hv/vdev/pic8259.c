/* The VM's 8259A PIC pair (see pic8259.h). */
#include "hv/vdev/pic8259.h"

#define ICW1             0x10
#define ICW1_NEED_IC4    0x01
#define ICW1_SINGLE      0x02
#define OCW3             0x08
#define OCW3_RR          0x02
#define OCW3_RIS         0x01
#define OCW3_POLL        0x04
#define OCW3_ESMM        0x40
#define OCW3_SMM         0x20
#define ICW4_AEOI        0x02
#define ELCR_MASTER_MASK 0xf8 /* IRQ 0-2 are edge only */
#define ELCR_SLAVE_MASK  0xde /* IRQ 8 and 13 are edge only */
#define SPURIOUS_IRQ     7
#define POLL_INT         0x80

enum ocw2_cmd {
	OCW2_ROT_AEOI_CLEAR = 0,
	OCW2_EOI = 1,
	OCW2_NOP = 2,
	OCW2_SPECIFIC_EOI = 3,
	OCW2_ROT_AEOI_SET = 4,
	OCW2_ROT_EOI = 5,
	OCW2_SET_PRIORITY = 6,
	OCW2_ROT_SPECIFIC_EOI = 7,
};

/* The highest-priority bit of bits (priority_add first, rotating), or -1. */
static int highest(const struct pic_chip *c, uint8_t bits)
{
	for (unsigned k = 0; k < 8; k++) {
		unsigned irq = (k + c->priority_add) & 7;

		if (bits & (1u << irq))
			return (int)irq;
	}
	return -1;
}

/* Priority rank of irq: 0 is the highest. */
static unsigned rank(const struct pic_chip *c, unsigned irq)
{
	return (irq - c->priority_add) & 7;
}

/* The request the chip would raise INT for, or -1: the highest unmasked IRR bit
 * above the highest in-service one (in special mask mode only masked ISR bits
 * stop nothing: any unmasked request not in service goes). */
static int chip_pending(const struct pic_chip *c)
{
	int req = highest(c, c->irr & ~c->imr), svc;

	if (!c->ready || c->icw_step || req < 0)
		return -1;
	svc = highest(c, c->special_mask ? c->isr & ~c->imr : c->isr);
	if (svc >= 0 && rank(c, (unsigned)req) >= rank(c, (unsigned)svc))
		return -1;
	return req;
}

/* The slave's output is the master's IRQ 2 line. */
static void cascade(struct pic8259 *p)
{
	struct pic_chip *m = &p->chip[0];
	bool out = chip_pending(&p->chip[1]) >= 0;

	if (out)
		m->irr |= 1u << PIC_CASCADE_IRQ;
	else
		m->irr &= (uint8_t) ~(1u << PIC_CASCADE_IRQ);
	m->lines = (uint8_t)((m->lines & ~(1u << PIC_CASCADE_IRQ)) | (out << PIC_CASCADE_IRQ));
}

static void chip_reset(struct pic_chip *c)
{
	uint8_t elcr = c->elcr, lines = c->lines;

	*c = (struct pic_chip){.imr = 0xff, .elcr = elcr, .lines = lines};
}

void vpic_init(struct pic8259 *p)
{
	for (unsigned i = 0; i < 2; i++) {
		p->chip[i] = (struct pic_chip){0};
		chip_reset(&p->chip[i]);
	}
}

static void chip_set_line(struct pic_chip *c, unsigned irq, bool level)
{
	uint8_t bit = (uint8_t)(1u << irq);
	bool was = c->lines & bit;

	if (level)
		c->lines |= bit;
	else
		c->lines &= (uint8_t)~bit;
	if (c->elcr & bit) { /* level: IRR follows the line */
		if (level)
			c->irr |= bit;
		else
			c->irr &= (uint8_t)~bit;
	} else if (level && !was) {
		c->irr |= bit;
	}
}

void vpic_set_line(struct pic8259 *p, unsigned irq, bool level)
{
	if (irq >= 16 || irq == PIC_CASCADE_IRQ)
		return;
	chip_set_line(&p->chip[irq >> 3], irq & 7, level);
	cascade(p);
}

/* Ends the service of irq (ISR bit), rotating the priorities if asked. */
static void end_of(struct pic_chip *c, int irq, bool rotate)
{
	if (irq < 0)
		return;
	c->isr &= (uint8_t) ~(1u << irq);
	if (rotate)
		c->priority_add = (uint8_t)((irq + 1) & 7);
}

static void ocw2(struct pic_chip *c, uint8_t val)
{
	unsigned level = val & 7;

	switch ((enum ocw2_cmd)(val >> 5)) {
	case OCW2_EOI:
		end_of(c, highest(c, c->isr), false);
		break;
	case OCW2_ROT_EOI:
		end_of(c, highest(c, c->isr), true);
		break;
	case OCW2_SPECIFIC_EOI:
		end_of(c, (int)level, false);
		break;
	case OCW2_ROT_SPECIFIC_EOI:
		end_of(c, (int)level, true);
		break;
	case OCW2_SET_PRIORITY:
		c->priority_add = (uint8_t)((level + 1) & 7);
		break;
	case OCW2_ROT_AEOI_SET:
		c->rotate_aeoi = true;
		break;
	case OCW2_ROT_AEOI_CLEAR:
		c->rotate_aeoi = false;
		break;
	case OCW2_NOP:
		break;
	}
}

static void cmd_write(struct pic_chip *c, uint8_t val)
{
	if (val & ICW1) {
		chip_reset(c);
		c->need_icw4 = val & ICW1_NEED_IC4;
		c->single = val & ICW1_SINGLE;
		c->imr = 0;                   /* ICW1 clears the mask */
		c->irr &= c->elcr & c->lines; /* edge detection starts over */
		c->icw_step = 1;
		return;
	}
	if (val & OCW3) {
		if (val & OCW3_RR)
			c->read_isr = val & OCW3_RIS;
		c->poll = val & OCW3_POLL;
		if (val & OCW3_ESMM)
			c->special_mask = val & OCW3_SMM;
		return;
	}
	ocw2(c, val);
}

static void data_write(struct pic_chip *c, uint8_t val)
{
	switch (c->icw_step) {
	case 1:
		c->base = val & 0xf8;
		c->icw_step = c->single ? (c->need_icw4 ? 3 : 0) : 2;
		break;
	case 2:
		c->icw3 = val;
		c->icw_step = c->need_icw4 ? 3 : 0;
		break;
	case 3:
		c->auto_eoi = val & ICW4_AEOI;
		c->icw_step = 0;
		break;
	default:
		c->imr = val;
		return;
	}
	if (!c->icw_step)
		c->ready = true;
}

/* Acknowledge on one chip: the IRQ taken (IRR -> ISR), or 7 (spurious). */
static unsigned chip_ack(struct pic_chip *c)
{
	int irq = chip_pending(c);
	uint8_t bit;

	if (irq < 0)
		return SPURIOUS_IRQ;
	bit = (uint8_t)(1u << irq);
	if (!(c->elcr & bit))
		c->irr &= (uint8_t)~bit; /* a level request stays while its line is high */
	if (c->auto_eoi) {
		if (c->rotate_aeoi)
			c->priority_add = (uint8_t)((irq + 1) & 7);
	} else {
		c->isr |= bit;
	}
	return (unsigned)irq;
}

uint8_t vpic_ack(struct pic8259 *p)
{
	struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
	bool spurious_master = chip_pending(m) < 0;
	unsigned irq = chip_ack(m);
	uint8_t vec;

	if (spurious_master || irq != PIC_CASCADE_IRQ || m->single) {
		vec = (uint8_t)(m->base + irq);
	} else {
		vec = (uint8_t)(s->base + chip_ack(s));
	}
	cascade(p);
	return vec;
}

bool vpic_output(const struct pic8259 *p)
{
	return chip_pending(&p->chip[0]) >= 0;
}

/* Poll command (OCW3 P): the read acknowledges like INTA and gives 0x80 | IRQ. */
static uint8_t poll_read(struct pic8259 *p, unsigned i)
{
	struct pic_chip *c = &p->chip[i];
	int irq = chip_pending(c);

	c->poll = false;
	if (irq < 0)
		return 0;
	chip_ack(c);
	if (i == 0 && irq == PIC_CASCADE_IRQ)
		chip_ack(&p->chip[1]);
	cascade(p);
	return (uint8_t)(POLL_INT | irq);
}

uint8_t vpic_read(struct pic8259 *p, uint16_t port)
{
	uint8_t val;

	if (vpic_read_pure(p, port, &val))
		return val;
	if (port == PIC_MASTER_CMD || port == PIC_SLAVE_CMD)
		return poll_read(p, port == PIC_SLAVE_CMD);
	return 0xff;
}

void vpic_write(struct pic8259 *p, uint16_t port, uint8_t val)
{
	switch (port) {
	case PIC_MASTER_CMD:
		cmd_write(&p->chip[0], val);
		break;
	case PIC_SLAVE_CMD:
		cmd_write(&p->chip[1], val);
		break;
	case PIC_MASTER_DATA:
		data_write(&p->chip[0], val);
		break;
	case PIC_SLAVE_DATA:
		data_write(&p->chip[1], val);
		break;
	case PIC_ELCR_MASTER:
		p->chip[0].elcr = val & ELCR_MASTER_MASK;
		break;
	case PIC_ELCR_SLAVE:
		p->chip[1].elcr = val & ELCR_SLAVE_MASK;
		break;
	default:
		return;
	}
	cascade(p);
}
