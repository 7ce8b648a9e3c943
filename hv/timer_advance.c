#include "hv/timer_advance.h"

void timer_advance_update(struct timer_advance *a, uint64_t deadline, uint64_t arrival)
{
	if (arrival >= deadline) {
		/* late: up by a quarter of it, at most a sixteenth of the cap a time */
		uint64_t step = (arrival - deadline + 3) / 4, most = a->max / 16 ? a->max / 16 : 1;

		step = step < most ? step : most;
		a->ticks = a->max - a->ticks < step ? a->max : a->ticks + step;
	} else {
		/* early (the entry waited): down by half of it */
		uint64_t step = (deadline - arrival + 1) / 2;

		a->ticks = a->ticks < step ? 0 : a->ticks - step;
	}
}
