/* INS/OUTS exits (SDM Vol. 3C sec. 28.2.1 table 28-5, 28.2.5). */
#ifndef SABLE_VMX_STRING_IO_H
#define SABLE_VMX_STRING_IO_H

#include "hv/vmm_ops.h"
#include "types.h"

struct vcpu;

/* Emulates the string I/O instruction that exited with qualification q. */
enum exit_action vmx_string_io(struct vcpu *v, uint64_t q);

#endif
