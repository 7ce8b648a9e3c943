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
