/* The bench build's per-exit accounting (include/bench.h, hv/bench.c). */
#ifndef SABLE_HV_BENCH_STATS_H
#define SABLE_HV_BENCH_STATS_H

#include "bench.h"
#include "types.h"

struct vcpu;

/* Stages of one exit, each the difference of two stamps (hv/bench.c). */
enum bench_stage {
	STAGE_SAVE,    /* exit stub: guest registers saved */
	STAGE_DECODE,  /* exit reason and RIP read, counted (backend, after the accounting) */
	STAGE_HANDLER, /* fast path or exit handler */
	STAGE_LOOP,    /* run loop: slice, requests, events, register write-back, timer */
	STAGE_RESTORE, /* entry stub: guest registers loaded */
	STAGE_GUEST,   /* VM entry, the guest up to its next exit, VM exit */
	BENCH_NSTAGE,
};

#define BENCH_REASONS 64 /* basic exit reasons accounted (a power of 2) */

/* The exits of one reason of one vCPU: sums over all of them, and the
 * counts and stages of the cheapest one (the fewest ticks from save to guest):
 * the exit as the bench guest's loop takes it, without the rare costly ones
 * (an I/O exit that prints a line) that the sums include. */
struct bench_row {
	uint64_t n;
	uint64_t ctr[BENCH_NCTR];
	uint64_t min_total; /* 0: none yet */
	uint64_t min_ctr[BENCH_NCTR];
	uint64_t min_stage[BENCH_NSTAGE];
};

/* Per CPU: what the next exit's accounting needs of the previous one. */
struct bench_cpu {
	struct vcpu *last;        /* vCPU of the previous exit here, NULL: none or freed */
	uint32_t reason;          /* its basic exit reason */
	uint64_t save;            /* its STAGE_SAVE */
	uint64_t ctr[BENCH_NCTR]; /* the counters at its start */
};

#ifdef SABLE_BENCH
/* At every exit, before any VMREAD: charges everything since the previous
 * exit on this CPU to it, then stamps STAMP_BEGIN. */
void bench_exit_begin(struct vcpu *v);
/* The basic reason of the exit just begun. */
void bench_exit_reason(uint32_t basic);
/* v is being freed: nothing more is charged to it. */
void bench_vcpu_gone(struct vcpu *v);
/* Prints v's rows (one log line per exit reason seen). */
void bench_report(struct vcpu *v);
#else
static inline void bench_exit_begin(struct vcpu *v)
{
}
static inline void bench_exit_reason(uint32_t basic)
{
}
static inline void bench_vcpu_gone(struct vcpu *v)
{
}
static inline void bench_report(struct vcpu *v)
{
}
#endif

#endif
