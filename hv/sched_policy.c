#include "hv/sched_policy.h"
#include "err.h"

void sched_runq_init(struct sched_runq *rq, uint64_t slice_ticks)
{
	*rq = (struct sched_runq){.slice = slice_ticks};
}

/* Virtual time of ticks TSC ticks at weight w. */
static uint64_t vscale(uint64_t ticks, uint32_t w)
{
	return ticks * SCHED_VTIME_SCALE / w;
}

/* Raises min_vtime to the least virtual time among runnable entities. */
static void update_min(struct sched_runq *rq)
{
	uint64_t min = UINT64_MAX;

	for (struct sched_entity *e = rq->head; e; e = e->next)
		if (e->runnable && e->vtime < min)
			min = e->vtime;
	if (min != UINT64_MAX && min > rq->min_vtime)
		rq->min_vtime = min;
}

void sched_enqueue(struct sched_runq *rq, struct sched_entity *e)
{
	e->vtime = rq->min_vtime;
	e->runnable = true;
	e->next = rq->head;
	rq->head = e;
	rq->nr++;
	rq->load += e->weight;
}

void sched_dequeue(struct sched_runq *rq, struct sched_entity *e)
{
	for (struct sched_entity **p = &rq->head; *p; p = &(*p)->next) {
		if (*p != e)
			continue;
		*p = e->next;
		e->next = NULL;
		rq->nr--;
		rq->load -= e->weight;
		break;
	}
	if (rq->skip == e)
		rq->skip = NULL;
}

struct sched_entity *sched_pick(struct sched_runq *rq, uint64_t now)
{
	struct sched_entity *best = NULL, *skipped = rq->skip;

	rq->skip = NULL;
	for (struct sched_entity *e = rq->head; e; e = e->next) {
		if (!e->runnable || e == skipped)
			continue;
		/* ties go to the later entity in the list: the earlier-queued one */
		if (!best || e->vtime <= best->vtime)
			best = e;
	}
	if (!best && skipped && skipped->runnable)
		best = skipped;
	return best;
}

void sched_charge(struct sched_runq *rq, struct sched_entity *e, uint64_t ticks)
{
	e->run_ticks += ticks;
	e->vtime += vscale(ticks, e->weight);
	update_min(rq);
}

void sched_yield_slice(struct sched_runq *rq, struct sched_entity *e)
{
	rq->skip = e;
}

void sched_block(struct sched_runq *rq, struct sched_entity *e, uint64_t now)
{
	if (!e->runnable)
		return;
	e->runnable = false;
	e->blocked_since = now;
	update_min(rq);
}

void sched_wake(struct sched_runq *rq, struct sched_entity *e, uint64_t now)
{
	uint64_t credit = vscale(rq->slice, e->weight);
	uint64_t floor = rq->min_vtime > credit ? rq->min_vtime - credit : 0;

	if (e->runnable)
		return;
	if (now > e->blocked_since)
		e->blocked_ticks += now - e->blocked_since;
	if (e->vtime < floor)
		e->vtime = floor;
	e->runnable = true;
}

int sched_slice_us_check(uint64_t us)
{
	return us >= SCHED_SLICE_US_MIN && us <= SCHED_SLICE_US_MAX ? (int)us : -EINVAL;
}

uint32_t sched_place(const uint32_t *load, uint32_t ncpus)
{
	uint32_t best = 0;

	for (uint32_t i = 1; i < ncpus; i++)
		if (load[i] < load[best])
			best = i;
	return best;
}
