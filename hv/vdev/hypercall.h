/* Sable's hypercall ABI (VMCALL): EAX = function, EBX/ECX = arguments, result in EAX.
 *   0 VERSION          -> SABLE_HYPERCALL_VERSION
 *   1 PRINT(gpa, len)  -> 0, or -EFAULT if [gpa, gpa+len) is not guest RAM, -EINVAL if len > 256
 *   2 EXIT(status)     -> stops the VM with status; does not return
 *   3 YIELD            -> 0, after other vCPUs of this CPU had a turn
 *   4 XFD_STATS(which) -> this vCPU's tile-buffer allocations on #NM (which = 0) or
 *                         intercepted #NM exits (1), fpu/xfd.h; -EINVAL otherwise
 *   other              -> -ENOSYS (-38) */
#ifndef SABLE_HV_HYPERCALL_H
#define SABLE_HV_HYPERCALL_H

#include "hv/vmm_ops.h"

#define HC_VERSION              0
#define HC_PRINT                1
#define HC_EXIT                 2
#define HC_YIELD                3
#define HC_XFD_STATS            4
#define SABLE_HYPERCALL_VERSION 1
#define HC_PRINT_MAX            256
#define HC_ENOSYS               38

struct vcpu;

/* Handles the VMCALL of v (already past the instruction). */
enum exit_action hypercall(struct vcpu *v);

/* The hypercalls that only set the result (VERSION, YIELD), for the VMCALL
 * fast path: given nr = EAX, true with *ret and *a, or false (hypercall then). */
static inline bool hypercall_quick(uint32_t nr, uint64_t *ret, enum exit_action *a)
{
	if (nr == HC_VERSION) {
		*ret = SABLE_HYPERCALL_VERSION;
		*a = EXIT_RESUME;
		return true;
	}
	if (nr == HC_YIELD) {
		*ret = 0;
		*a = EXIT_YIELD;
		return true;
	}
	return false;
}

#endif
