/*
 * The virtual local APIC timer (pure; SDM Vol. 3A 11.5.4): one-shot, periodic
 * and TSC-deadline modes. The count runs at the TSC rate divided by the divide
 * configuration, so the current count is exact at any TSC: initial - elapsed /
 * divisor. Periodic expiries stay on the grid start + k * period however late
 * they are polled (no drift; missed periods coalesce into one interrupt, as
 * IRR holds one). The next periodic expiry is at least VLAPIC_MIN_PERIOD_TICKS
 * away, on the same grid.
 */
#include "hv/vdev/vlapic_regs.h"
#include "param.h"

#define LVTT_MODE_SHIFT 17
#define LVTT_ONESHOT    0u
#define LVTT_PERIODIC   1u
#define LVTT_TSC_DL     2u

static uint32_t timer_mode(const struct vlapic *l)
{
	return l->timer_mode;
}

/* Divide configuration bits 0, 1 and 3 (fig. 11-10): 111b = 1, else 2^(n+1). */
static unsigned div_shift(uint32_t tdcr)
{
	uint32_t n = (tdcr & 3) | ((tdcr >> 1) & 4);

	return n == 7 ? 0 : n + 1;
}

static unsigned shift(const struct vlapic *l)
{
	return l->timer_shift;
}

static void disarm(struct vlapic *l)
{
	l->timer_deadline = UINT64_MAX;
}

/* Stopped, and no TSC deadline; mode and divide stay. */
static void stop(struct vlapic *l)
{
	disarm(l);
	l->timer_start = 0;
	l->timer_initial = 0;
	l->tsc_deadline = 0;
}

void vlapic_timer_reset(struct vlapic *l)
{
	stop(l);
	l->timer_mode = LVTT_ONESHOT;
	l->timer_shift = div_shift(0);
}

uint32_t vlapic_timer_count(const struct vlapic *l, uint64_t now)
{
	uint32_t initial = l->timer_initial;
	uint64_t elapsed, ticks;

	if (timer_mode(l) == LVTT_TSC_DL || !initial || l->timer_deadline == UINT64_MAX)
		return 0;
	if (now <= l->timer_start)
		return initial;
	elapsed = now - l->timer_start;
	if (timer_mode(l) == LVTT_PERIODIC)
		elapsed %= (uint64_t)initial << shift(l);
	ticks = elapsed >> shift(l);
	return ticks >= initial ? 0 : initial - (uint32_t)ticks;
}

uint64_t vlapic_timer_deadline(const struct vlapic *l)
{
	if (reg_get(l, APIC_LVTT) & APIC_LVT_MASKED)
		return UINT64_MAX; /* it would raise nothing: nobody needs to poll it */
	return l->timer_deadline;
}

bool vlapic_timer_poll(struct vlapic *l, uint64_t now)
{
	uint32_t lvt = reg_get(l, APIC_LVTT);
	uint64_t period;

	if (l->timer_deadline == UINT64_MAX || now < l->timer_deadline)
		return false;
	switch (timer_mode(l)) {
	case LVTT_PERIODIC:
		period = (uint64_t)l->timer_initial << shift(l);
		if (!period) { /* the CPU already wrote 0 on the page (APIC-write exit) */
			disarm(l);
			break;
		}
		l->timer_start += (now - l->timer_start) / period * period;
		l->timer_deadline = l->timer_start + period;
		if (l->timer_deadline - now < VLAPIC_MIN_PERIOD_TICKS)
			l->timer_deadline +=
				(VLAPIC_MIN_PERIOD_TICKS - (l->timer_deadline - now) + period - 1) /
				period * period;
		break;
	case LVTT_TSC_DL:
		l->tsc_deadline = 0; /* it disarms itself (sec. 11.5.4.1) */
		disarm(l);
		break;
	default:
		disarm(l);
		break;
	}
	if (lvt & APIC_LVT_MASKED)
		return false;
	return vlapic_local_irq(l, lvt & 0xff);
}

/* Starts counting the initial count down from now. */
static void arm_count(struct vlapic *l, uint64_t now)
{
	uint32_t initial = l->timer_initial;

	l->timer_start = now;
	if (initial)
		l->timer_deadline = now + ((uint64_t)initial << shift(l));
	else
		disarm(l);
}

/* A change between TSC-deadline and the counting modes disarms the timer. */
void vlapic_timer_lvt_write(struct vlapic *l, uint32_t val, uint64_t now)
{
	uint32_t old = timer_mode(l), mode = (val >> LVTT_MODE_SHIFT) & 3;

	vlapic_timer_poll(l, now); /* an expiry due before this write is the old mode's */
	reg_set(l, APIC_LVTT, val);
	l->timer_mode = (uint8_t)mode;
	if ((old == LVTT_TSC_DL) != (mode == LVTT_TSC_DL)) {
		reg_set(l, APIC_TMICT, 0);
		stop(l);
	}
}

/* Ignored in TSC-deadline mode; 0 stops the timer. */
void vlapic_timer_initial_write(struct vlapic *l, uint32_t val, uint64_t now)
{
	if (timer_mode(l) == LVTT_TSC_DL) {
		reg_set(l, APIC_TMICT, 0); /* the CPU may have written it on the page */
		return;
	}
	vlapic_timer_poll(l, now);
	reg_set(l, APIC_TMICT, val);
	l->timer_initial = val;
	arm_count(l, now);
}

/* A running count continues from where it is at the new rate. */
void vlapic_timer_divide_write(struct vlapic *l, uint32_t val, uint64_t now)
{
	uint32_t initial = l->timer_initial, done;

	vlapic_timer_poll(l, now);
	done = initial - vlapic_timer_count(l, now);
	reg_set(l, APIC_TDCR, val);
	l->timer_shift = (uint8_t)div_shift(val);
	if (l->timer_deadline == UINT64_MAX || timer_mode(l) == LVTT_TSC_DL)
		return;
	l->timer_start = now - ((uint64_t)done << shift(l));
	l->timer_deadline = l->timer_start + ((uint64_t)initial << shift(l));
}

uint64_t vlapic_timer_tsc_deadline(const struct vlapic *l)
{
	return timer_mode(l) == LVTT_TSC_DL ? l->tsc_deadline : 0;
}

/* val is guest TSC; 0 disarms; a deadline already passed fires at the next poll. */
void vlapic_timer_tsc_deadline_write(struct vlapic *l, uint64_t val, uint64_t now)
{
	uint64_t guest_now = now + l->tsc_offset, delta;

	if (timer_mode(l) != LVTT_TSC_DL)
		return;
	l->tsc_deadline = val;
	delta = val > guest_now ? val - guest_now : 0;
	if (!val)
		disarm(l);
	else /* saturated short of UINT64_MAX, which means "not armed" */
		l->timer_deadline = delta < UINT64_MAX - 1 - now ? now + delta : UINT64_MAX - 1;
}
