/* Task-switch exits (SDM Vol. 3C sec. 26.4.2: they always exit; qualification in
 * sec. 28.2.1 table 28-2). */
#ifndef SABLE_VMX_TASK_SWITCH_H
#define SABLE_VMX_TASK_SWITCH_H

#include "hv/vmm_ops.h"

struct vcpu;

/* Carries out the task switch that exited with qualification q. */
enum exit_action vmx_task_switch(struct vcpu *v, uint64_t q);

#endif
