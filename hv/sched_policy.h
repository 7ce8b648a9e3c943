/*
 * Proportional-share scheduling of one core's run queue (pure). Each entity
 * has a weight and a virtual time: the TSC ticks it ran, scaled down by its
 * weight. The runnable entity with the least virtual time runs next, so over
 * any stretch in which they stay runnable entities get CPU time in proportion
 * to their weights, however often they exit or yield: what counts is the time
 * charged, not the number of turns.
 */
#ifndef SABLE_HV_SCHED_POLICY_H
#define SABLE_HV_SCHED_POLICY_H

#include "types.h"

#define SCHED_WEIGHT_MIN       1
#define SCHED_WEIGHT_MAX       100
#define SCHED_WEIGHT_DEFAULT   10
#define SCHED_SLICE_US_MIN     100
#define SCHED_SLICE_US_MAX     100000
#define SCHED_SLICE_US_DEFAULT 10000
#define SCHED_VTIME_SCALE      (1u << 16) /* virtual ticks per TSC tick at weight 1 */

struct sched_entity {
	struct sched_entity *next; /* the run queue's list */
	uint64_t vtime;            /* virtual time (SCHED_VTIME_SCALE / weight per tick) */
	uint32_t weight;           /* SCHED_WEIGHT_MIN..SCHED_WEIGHT_MAX */
	bool runnable;
	uint64_t blocked_since; /* TSC when it blocked, while !runnable */
	uint64_t run_ticks;     /* accounting: TSC ticks charged */
	uint64_t blocked_ticks; /* accounting: TSC ticks spent blocked */
};

struct sched_runq {
	struct sched_entity *head;
	struct sched_entity *skip; /* yielded: passed over once if another can run */
	uint64_t min_vtime;        /* never decreases: the floor for woken and new entities */
	uint64_t slice;            /* TSC ticks of a time slice */
	uint32_t nr;
	uint32_t load; /* sum of the weights of the entities queued */
};

void sched_runq_init(struct sched_runq *rq, uint64_t slice_ticks);
/* Queues e (runnable, weight already set and valid) with no credit: its virtual
 * time starts at the queue's minimum. */
void sched_enqueue(struct sched_runq *rq, struct sched_entity *e);
/* Takes e off the queue for good. */
void sched_dequeue(struct sched_runq *rq, struct sched_entity *e);
/* The runnable entity to run next (least virtual time; a yielded one only if
 * no other is runnable), or NULL. */
struct sched_entity *sched_pick(struct sched_runq *rq, uint64_t now);
/* e ran for ticks TSC ticks. */
void sched_charge(struct sched_runq *rq, struct sched_entity *e, uint64_t ticks);
/* e gives up the rest of its slice: the next pick prefers any other entity. */
void sched_yield_slice(struct sched_runq *rq, struct sched_entity *e);
/* e stops being runnable until sched_wake; it is charged nothing meanwhile. */
void sched_block(struct sched_runq *rq, struct sched_entity *e, uint64_t now);
/* e can run again. Its virtual time is raised to at least the queue's minimum
 * minus one slice: a sleeper gets its turn promptly but cannot hoard credit. */
void sched_wake(struct sched_runq *rq, struct sched_entity *e, uint64_t now);

/* Slice length in microseconds for a requested value: the value if within
 * [SCHED_SLICE_US_MIN, SCHED_SLICE_US_MAX], else -EINVAL. */
int sched_slice_us_check(uint64_t us);

/* Placement: the index of the least-loaded of ncpus cores (load[i] = sum of the
 * weights placed there), the lowest index on a tie. ncpus >= 1. */
uint32_t sched_place(const uint32_t *load, uint32_t ncpus);

#endif
