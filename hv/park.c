#include "hv/park.h"
#include "hv/vcpu.h"
#include "hv/vm.h"

uint32_t park_pass(struct sched_runq *rq, const struct vcpu *running, uint64_t now)
{
	uint32_t parked = 0;

	for (struct sched_entity *e = rq->head; e; e = e->next) {
		struct vcpu *v = container_of(e, struct vcpu, se);
		bool paused = __atomic_load_n(&v->vm->pause_count, __ATOMIC_ACQUIRE) != 0;

		if (paused && !v->parked && v != running) {
			v->park_wake = e->runnable;
			if (e->runnable)
				sched_block(rq, e, now);
			/* its state is saved: another CPU may now read it (hv/pause.c) */
			__atomic_store_n(&v->parked, true, __ATOMIC_RELEASE);
		} else if (!paused && v->parked) {
			__atomic_store_n(&v->parked, false, __ATOMIC_RELEASE);
			if (v->park_wake)
				sched_wake(rq, e, now);
		}
		parked += v->parked;
	}
	return parked;
}
