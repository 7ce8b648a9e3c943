/* The VM's i8254 PIT (see pit8254.h). */
#include "hv/vdev/pit8254.h"

#define CTRL_SC(v)    ((v) >> 6)
#define CTRL_RW(v)    (((v) >> 4) & 3)
#define CTRL_MODE(v)  (((v) >> 1) & 7)
#define CTRL_READBACK 3
#define RW_LATCH      0
#define RW_LSB        1
#define RW_MSB        2
#define RW_BOTH       3
#define RB_NO_COUNT   0x20
#define RB_NO_STATUS  0x10
#define STATUS_OUT    0x80
#define STATUS_NULL   0x40
#define P61_GATE2     0x01
#define P61_WRITABLE  0x0f
#define P61_REFRESH   0x10
#define P61_OUT2      0x20

/* PIT ticks in elapsed TSC ticks, without overflow for any realistic span. */
static uint64_t to_pit(const struct pit *p, uint64_t tsc)
{
	return tsc / p->tsc_hz * PIT_HZ + tsc % p->tsc_hz * PIT_HZ / p->tsc_hz;
}

/* TSC ticks for n PIT ticks, rounded up. */
static uint64_t to_tsc(const struct pit *p, uint64_t n)
{
	return n / PIT_HZ * p->tsc_hz + (n % PIT_HZ * p->tsc_hz + PIT_HZ - 1) / PIT_HZ;
}

/* The mode a counter runs in: 1 and 5 (gate-triggered) count as 0 and 4, 6
 * and 7 are 2 and 3 (the datasheet's "X10", "X11"). */
static unsigned mode_of(const struct pit_channel *c)
{
	static const uint8_t run_mode[8] = {0, 0, 2, 3, 4, 4, 2, 3};

	return run_mode[c->mode & 7];
}

/* PIT ticks the counter has run since its count was loaded. */
static uint64_t ticks(const struct pit *p, const struct pit_channel *c, uint64_t now)
{
	if (!c->armed)
		return 0;
	if (!c->gate)
		return c->frozen;
	return c->frozen + (now > c->start ? to_pit(p, now - c->start) : 0);
}

static uint16_t count(const struct pit *p, const struct pit_channel *c, uint64_t now)
{
	uint64_t t = ticks(p, c, now), r = c->reload;

	if (!c->armed)
		return (uint16_t)r;
	switch (mode_of(c)) {
	case 2:
		return (uint16_t)(r - t % r);
	case 3: /* counts down by two, twice per period */
		return (uint16_t)((r - (2 * t) % r) & ~1u);
	default: /* 0 and 4: through zero, wrapping at 16 bits */
		return (uint16_t)(r - t);
	}
}

bool pit_out(const struct pit *p, unsigned i, uint64_t now)
{
	const struct pit_channel *c = &p->ch[i];
	uint64_t t = ticks(p, c, now), r = c->reload;

	if (!c->armed)
		return mode_of(c) != 0;
	switch (mode_of(c)) {
	case 0:
		return t >= r;
	case 2:
		return t % r != r - 1;
	case 3:
		return t % r < (r + 1) / 2;
	default: /* 4: low for the one tick at terminal count */
		return t != r;
	}
}

/* When counter 0's output next rises after now: the IRQ 0 edge. */
static void schedule_irq(struct pit *p, uint64_t now)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t t, r = c->reload, k, next;

	p->irq_next = UINT64_MAX;
	if (!c->armed || !c->gate)
		return;
	t = ticks(p, c, now);
	switch (mode_of(c)) {
	case 0:
	case 4: /* once: at terminal count (mode 4: when the strobe ends) */
		k = mode_of(c) == 0 ? r : r + 1;
		if (t >= k)
			return;
		break;
	case 2: /* rising at the end of each period's low tick */
		k = (t / r + 1) * r;
		break;
	default: /* 3: rising at each period's start */
		k = (t / r + 1) * r;
		break;
	}
	next = c->start + to_tsc(p, k - c->frozen);
	if ((mode_of(c) == 2 || mode_of(c) == 3) && (next <= now || next - now < p->min_period))
		next = now + p->min_period;
	p->irq_next = next;
}

uint64_t pit_deadline(const struct pit *p)
{
	return p->irq_next;
}

bool pit_poll(struct pit *p, uint64_t now)
{
	if (p->irq_next == UINT64_MAX || now < p->irq_next)
		return false;
	schedule_irq(p, now);
	return true;
}

void pit_init(struct pit *p, uint64_t tsc_hz, uint64_t min_period)
{
	*p = (struct pit){
		.tsc_hz = tsc_hz ? tsc_hz : 1, .min_period = min_period, .irq_next = UINT64_MAX};
	for (unsigned i = 0; i < 3; i++) {
		p->ch[i].reload = 0x10000;
		p->ch[i].access = RW_BOTH;
		p->ch[i].gate = i != 2; /* gates 0 and 1 are tied high; 2 is port 0x61 bit 0 */
	}
}

static void load(struct pit *p, unsigned i, uint32_t val, uint64_t now)
{
	struct pit_channel *c = &p->ch[i];

	c->reload = val ? val : 0x10000;
	c->start = now;
	c->frozen = 0;
	c->armed = true;
	if (i == 0)
		schedule_irq(p, now);
}

static void count_write(struct pit *p, unsigned i, uint8_t val, uint64_t now)
{
	struct pit_channel *c = &p->ch[i];

	switch (c->access) {
	case RW_LSB:
		load(p, i, val, now);
		break;
	case RW_MSB:
		load(p, i, (uint32_t)val << 8, now);
		break;
	default:
		if (!c->write_hi) {
			c->lsb = val;
			c->write_hi = true;
			if (mode_of(c) == 0) /* mode 0: writing the LSB stops the count */
				c->armed = false;
			if (i == 0)
				schedule_irq(p, now);
			return;
		}
		c->write_hi = false;
		load(p, i, (uint32_t)val << 8 | c->lsb, now);
		break;
	}
}

static uint8_t status_of(const struct pit *p, unsigned i, uint64_t now)
{
	const struct pit_channel *c = &p->ch[i];

	return (uint8_t)((pit_out(p, i, now) ? STATUS_OUT : 0) | (c->armed ? 0 : STATUS_NULL) |
	                 c->access << 4 | c->mode << 1 | c->bcd);
}

static void latch_count(struct pit *p, unsigned i, uint64_t now)
{
	struct pit_channel *c = &p->ch[i];

	if (c->latched)
		return; /* a second latch before the read is ignored */
	c->latch = count(p, c, now);
	c->latched = true;
	c->read_hi = false;
}

static void control_write(struct pit *p, uint8_t val, uint64_t now)
{
	unsigned sc = CTRL_SC(val);
	struct pit_channel *c;

	if (sc == CTRL_READBACK) {
		for (unsigned i = 0; i < 3; i++) {
			if (!(val & (2u << i)))
				continue;
			if (!(val & RB_NO_STATUS) && !p->ch[i].status_latched) {
				p->ch[i].status = status_of(p, i, now);
				p->ch[i].status_latched = true;
			}
			if (!(val & RB_NO_COUNT))
				latch_count(p, i, now);
		}
		return;
	}
	c = &p->ch[sc];
	if (CTRL_RW(val) == RW_LATCH) {
		latch_count(p, sc, now);
		return;
	}
	c->access = CTRL_RW(val);
	c->mode = CTRL_MODE(val);
	c->bcd = val & 1;
	c->armed = false; /* a new mode waits for its count */
	c->write_hi = c->read_hi = c->latched = c->status_latched = false;
	if (sc == 0)
		schedule_irq(p, now);
}

/* Counter 2's gate: low freezes the count; a rising edge restarts modes 2
 * and 3 from the reload value and resumes the others. */
static void gate2(struct pit *p, bool high, uint64_t now)
{
	struct pit_channel *c = &p->ch[2];

	if (high == c->gate)
		return;
	if (!high) {
		c->frozen = (uint32_t)MIN(ticks(p, c, now), (uint64_t)UINT32_MAX);
	} else {
		if (mode_of(c) >= 2)
			c->frozen = 0;
		c->start = now;
	}
	c->gate = high;
}

static uint8_t count_read(struct pit *p, unsigned i, uint64_t now)
{
	struct pit_channel *c = &p->ch[i];
	uint16_t v;
	uint8_t b;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	v = c->latched ? c->latch : count(p, c, now);
	switch (c->access) {
	case RW_LSB:
		c->latched = false;
		return (uint8_t)v;
	case RW_MSB:
		c->latched = false;
		return (uint8_t)(v >> 8);
	}
	b = c->read_hi ? (uint8_t)(v >> 8) : (uint8_t)v;
	if (c->read_hi)
		c->latched = false;
	c->read_hi = !c->read_hi;
	return b;
}

uint8_t pit_read(struct pit *p, uint16_t port, uint64_t now)
{
	if (port >= PIT_PORT_BASE && port < PIT_PORT_CTRL)
		return count_read(p, port - PIT_PORT_BASE, now);
	if (port == PIT_PORT_SPKR) {
		p->refresh = !p->refresh;
		return (uint8_t)(p->port61 | (p->refresh ? P61_REFRESH : 0) |
		                 (pit_out(p, 2, now) ? P61_OUT2 : 0));
	}
	return 0xff; /* the control word is write-only */
}

void pit_write(struct pit *p, uint16_t port, uint8_t val, uint64_t now)
{
	if (port >= PIT_PORT_BASE && port < PIT_PORT_CTRL) {
		count_write(p, port - PIT_PORT_BASE, val, now);
	} else if (port == PIT_PORT_CTRL) {
		control_write(p, val, now);
	} else if (port == PIT_PORT_SPKR) {
		p->port61 = val & P61_WRITABLE;
		gate2(p, val & P61_GATE2, now);
	}
}
