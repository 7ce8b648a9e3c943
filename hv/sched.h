/* The per-CPU scheduler: round robin, in TSC-deadline slices, over the vCPUs
 * placed on each CPU. */
#ifndef SABLE_HV_SCHED_H
#define SABLE_HV_SCHED_H

#include "types.h"

struct vcpu;

#define SCHED_TIME_SLICE_US 10000 /* a vCPU runs this long before the scheduler looks again */

/* Queues v on its physical CPU. */
void sched_add(struct vcpu *v);
/* v must look at its requests soon: if it may be in guest mode on another CPU,
 * an IPI makes it exit; a blocked v is re-examined by its CPU. Any CPU. */
void sched_kick(struct vcpu *v);
/* Lets every online AP start its scheduler loop (once; later calls do nothing). */
void sched_release_aps(void);
/* Starts every online CPU's scheduler loop; the BSP enters its own and never returns. */
__noreturn void sched_start(void);
/* Scheduler loop of the calling CPU. */
__noreturn void sched_cpu_loop(void);
/* Called by an idle AP: waits for the BSP's go. */
void sched_wait_for_go(void);

#endif
