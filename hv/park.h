/* Parking the vCPUs of paused VMs in their CPU's run queue (pure: the
 * decisions over the queue; hv/pause.c has the cross-CPU part). */
#ifndef SABLE_HV_PARK_H
#define SABLE_HV_PARK_H

#include "hv/sched_policy.h"
#include "types.h"

struct vcpu;

/*
 * One pass over a CPU's run queue: every vCPU whose VM is paused and that is
 * not parked yet is taken off the runnable set (remembering whether it was
 * runnable) and marked parked, except `running`, whose vcpu_run is still in
 * progress (it parks at a later pass). A parked vCPU whose VM is no longer
 * paused is unparked and made runnable again if it was. Returns the number of
 * vCPUs parked on this queue after the pass.
 */
uint32_t park_pass(struct sched_runq *rq, const struct vcpu *running, uint64_t now);

#endif
