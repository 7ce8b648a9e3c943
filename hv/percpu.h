/* Per-CPU data. %gs:0 points at the running CPU's struct percpu. */
#ifndef SABLE_HV_PERCPU_H
#define SABLE_HV_PERCPU_H

#include "bench.h"
#include "hv/bench_stats.h"
#include "hv/sched_policy.h"
#include "param.h"
#include "types.h"

struct vcpu;
struct parked_call;

/* 64-bit TSS (SDM Vol. 3A sec. 8.7). */
struct __packed tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

#define GDT_NULL    0x00
#define GDT_CODE64  0x08
#define GDT_DATA    0x10
#define GDT_TSS     0x18
#define GDT_ENTRIES 5 /* the TSS descriptor takes two */

#define IST_NMI           1
#define IST_DOUBLE_FAULT  2
#define IST_MACHINE_CHECK 3
#define IST_COUNT         3

enum cpu_state {
	CPU_OFFLINE = 0,
	CPU_STARTING,
	CPU_ONLINE,
	CPU_STOPPED,
};

struct percpu {
	struct percpu *self; /* must stay first: read through %gs:0 */
#ifdef SABLE_BENCH
	/* include/bench.h: at fixed offsets, counted and stamped %gs-relative */
	uint64_t bench_ctr[BENCH_NCTR];
	uint64_t bench_stamp[BENCH_NSTAMP];
	struct bench_cpu bench; /* hv/bench.c */
#endif
	uint32_t id; /* dense index, 0 = bootstrap processor */
	uint32_t apic_id;
	volatile enum cpu_state state;
	uintptr_t stack_top;
	uint64_t gdt[GDT_ENTRIES] __aligned(16);
	struct tss64 tss __aligned(16);
	struct sched_runq rq; /* vCPUs placed here (struct vcpu.se), owned by this CPU */
	struct vcpu *current; /* vCPU last run here (its VMCS is current) */
	struct vcpu *in_run;  /* whose vcpu_run is in progress here (its handler may pause) */
	/* vcpu_call_parked for a vCPU here, posted by another CPU (hv/pause.c) */
	struct parked_call *call;
	uint32_t placed_weight; /* sum of the weights of live vCPUs placed here (any CPU) */
	uint64_t idle_ticks;    /* TSC ticks spent halted with nothing to run */
	volatile bool go;       /* set by the BSP: start scheduling */
	/* vCPUs queued by sched_add from any CPU, linked by next_on_cpu. */
	struct vcpu *incoming;
};

extern struct percpu percpu_area[MAX_CPUS];
extern uint32_t cpus_present; /* CPUs found in the MADT (enabled ones) */

struct percpu *this_cpu(void);
/* this_cpu()->id, or 0 before per-CPU data exists. */
uint32_t cpu_id(void);
/* Loads this CPU's GDT, TSS, IDT and GS base. stack_top must be set. */
void percpu_init_cpu(struct percpu *c);
/* True once the BSP's per-CPU data is live. */
bool percpu_ready(void);

#endif
