/* The per-CPU scheduler: proportional share (hv/sched_policy.c) over the vCPUs
 * placed on each CPU, in TSC-deadline slices; blocking on HLT, idle CPUs halt
 * until their next guest timer. */
#ifndef SABLE_HV_SCHED_H
#define SABLE_HV_SCHED_H

#include "types.h"

struct vcpu;
struct percpu;

/* The CPU for a new vCPU that is not pinned: the least-loaded online CPU (sum
 * of the weights of the live vCPUs placed there). Reserves weight there. */
uint32_t sched_place_vcpu(uint32_t weight);
/* Counts a vCPU of that weight as placed on cpu (pinned ones); a negative
 * weight gives it back. */
void sched_reserve(uint32_t cpu, int32_t weight);
/* Queues v on its physical CPU. */
void sched_add(struct vcpu *v);
/* v must look at its requests soon: if it may be in guest mode on another CPU,
 * an IPI makes it exit; a blocked v is re-examined by its CPU. Any CPU. */
void sched_kick(struct vcpu *v);
/* v, running on this CPU, armed a timer due at deadline: its entry ends by then. */
void sched_timer_armed(struct vcpu *v, uint64_t deadline);
/* Prints the accounting of v (one or two lines). */
void sched_report_vcpu(struct vcpu *v);
/* Lets every online AP start its scheduler loop (once; later calls do nothing). */
void sched_release_aps(void);
/* Starts every online CPU's scheduler loop; the BSP enters its own and never returns. */
__noreturn void sched_start(void);
/* Scheduler loop of the calling CPU. */
__noreturn void sched_cpu_loop(void);
/* Makes v's VMCS and FPU state current on this CPU (c = this CPU). */
void sched_switch_to(struct percpu *c, struct vcpu *v);
/* Runs the vcpu_call_parked another CPU posted for this CPU, if any (hv/pause.c). */
void sched_serve_call(struct percpu *c);
/* Called by an idle AP: waits for the BSP's go. */
void sched_wait_for_go(void);

#endif
