#include "hv/slice.h"

uint64_t slice_deadline(uint64_t now, uint64_t ticks)
{
	uint64_t end = now + ticks;

	if (!ticks)
		return SLICE_NONE;
	if (end < now || end == SLICE_NONE)
		return UINT64_MAX;
	return end;
}

bool slice_timer_value(uint64_t deadline, uint64_t now, unsigned shift, uint32_t *value)
{
	uint64_t left, count;

	*value = 0;
	if (deadline == SLICE_NONE || slice_expired(deadline, now))
		return false;
	left = deadline - now;
	shift &= 63;
	count = (left >> shift) + ((left & ((1ull << shift) - 1)) != 0);
	*value = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
	return true;
}

enum slice_next slice_after_yield(uint64_t now, uint64_t end, uint64_t sched_end, uint64_t timers,
                                  uint64_t poll)
{
	if (!slice_expired(end, now) || slice_expired(sched_end, now))
		return SLICE_NEXT_SCHED; /* the guest's own yield, or the scheduler's turn */
	if (timers != UINT64_MAX && now >= timers)
		return SLICE_NEXT_TIMERS;
	if (poll != UINT64_MAX && now >= poll)
		return SLICE_NEXT_POLL;
	return SLICE_NEXT_SCHED; /* a deadline since moved later: let the scheduler look */
}
