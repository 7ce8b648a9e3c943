/*
 * Guest timers fired ahead of their deadline (pure): a guest timer's exit,
 * the scheduler pass that fires it and the entry that delivers it take the
 * same few thousand TSC ticks every time, so each CPU learns that latency and
 * ends a guest's entry that much before its next timer deadline. The timer is
 * fired (polled as if its deadline had come) and the entry that delivers it
 * waits until the deadline first, so no guest sees its interrupt early, only
 * less late. The learnt value follows the measured lateness (deadline to that
 * entry) and is capped, so a guest cannot make a CPU wait long for it.
 */
#ifndef SABLE_HV_TIMER_ADVANCE_H
#define SABLE_HV_TIMER_ADVANCE_H

#include "types.h"

struct timer_advance {
	uint64_t ticks; /* how early an entry ends for a timer */
	uint64_t max;   /* the cap (0: never ahead) */
};

/* Starts at 0 (no early end until a lateness is measured), capped at max. */
static inline void timer_advance_init(struct timer_advance *a, uint64_t max)
{
	*a = (struct timer_advance){.ticks = 0, .max = max};
}

/* When an entry ends for a timer due at deadline (UINT64_MAX: none). */
static inline uint64_t timer_advance_end(const struct timer_advance *a, uint64_t deadline)
{
	if (deadline == UINT64_MAX)
		return UINT64_MAX;
	return deadline > a->ticks ? deadline - a->ticks : 1;
}

/* Whether a timer due at deadline is fired at now: it is due, or due within
 * the advance. */
static inline bool timer_advance_due(const struct timer_advance *a, uint64_t deadline, uint64_t now)
{
	return deadline != UINT64_MAX && (deadline <= now || deadline - now <= a->ticks);
}

/* One measurement: the entry delivering a timer due at deadline was reached
 * at arrival (before any wait). Late arrivals raise the advance, early ones
 * (a wait) lower it, by a quarter of the difference each time. */
void timer_advance_update(struct timer_advance *a, uint64_t deadline, uint64_t arrival);

#endif
