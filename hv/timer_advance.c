#include "hv/timer_advance.h"

void timer_advance_update(struct timer_advance *a, uint64_t deadline, uint64_t arrival)
{
	if (arrival >= deadline) {
		uint64_t late = (arrival - deadline + 3) / 4;

		a->ticks = a->max - a->ticks < late ? a->max : a->ticks + late;
	} else {
		uint64_t early = (deadline - arrival + 3) / 4;

		a->ticks = a->ticks < early ? 0 : a->ticks - early;
	}
}
