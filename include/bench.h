/*
 * The bench build (make bench, SABLE_BENCH=1, its own image in build/bench):
 * per-CPU counters of the costly instructions (VMREAD, VMWRITE, RDMSR, WRMSR,
 * XSETBV), counted by the two instruction headers (x86.h, vmx/vmx_ops.h), and
 * TSC stamps at the stages of an exit, attributed to each exit by hv/bench.c.
 * In the normal build every macro here is empty: zero cost.
 */
#ifndef SABLE_BENCH_H
#define SABLE_BENCH_H

/* Counted instructions. */
#define BENCH_VMREAD  0
#define BENCH_VMWRITE 1
#define BENCH_RDMSR   2
#define BENCH_WRMSR   3
#define BENCH_XSETBV  4
#define BENCH_NCTR    5

/* TSC stamps of one exit, in path order. */
#define STAMP_EXIT     0 /* the exit stub's first instructions */
#define STAMP_SAVED    1 /* guest registers saved, the stub returns */
#define STAMP_BEGIN    2 /* the bench accounting done (hv/bench.c), the exit decoded from here */
#define STAMP_DISPATCH 3 /* the run loop hands the exit to the backend's fast path */
#define STAMP_HANDLED  4 /* the handler returned */
#define STAMP_RESTORE  5 /* the entry stub starts loading the guest registers */
#define STAMP_ENTRY    6 /* just before VMRESUME */
#define BENCH_NSTAMP   7

/* Byte offsets in struct percpu (%gs-relative), checked in hv/percpu.c and
 * repeated in vmx/entry.asm. */
#define BENCH_CTR_OFF   8
#define BENCH_STAMP_OFF (BENCH_CTR_OFF + 8 * BENCH_NCTR)

#if defined(SABLE_BENCH) && !defined(SABLE_HOST_TEST)
#define BENCH_COUNT(c) __asm__ volatile("incq %%gs:%c0" : : "i"(BENCH_CTR_OFF + 8 * (c)) : "cc")
#define BENCH_STAMP(s)                                                                             \
	__asm__ volatile("rdtsc; movl %%eax, %%gs:%c0; movl %%edx, %%gs:%c1"                       \
	                 :                                                                         \
	                 : "i"(BENCH_STAMP_OFF + 8 * (s)), "i"(BENCH_STAMP_OFF + 8 * (s) + 4)      \
	                 : "rax", "rdx")
#else
#define BENCH_COUNT(c) ((void)0)
#define BENCH_STAMP(s) ((void)0)
#endif

#endif
