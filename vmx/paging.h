/* Guest control-register writes that change the paging mode (SDM Vol. 3C sec. 26.3.1.6,
 * 27.3.2.4): EFER.LMA and the IA-32e mode guest entry control, PAE PDPTEs. */
#ifndef SABLE_VMX_PAGING_H
#define SABLE_VMX_PAGING_H

#include "types.h"

struct vcpu;

/* Emulate MOV to CR0/CR3/CR4 of val. 0, or -EINVAL: the instruction raises #GP(0). */
int vmx_set_cr0(struct vcpu *v, uint64_t val);
int vmx_set_cr3(struct vcpu *v, uint64_t val);
int vmx_set_cr4(struct vcpu *v, uint64_t val);
/* True if the guest runs 64-bit code now (IA-32e mode and CS.L). */
bool vmx_guest_64bit(struct vcpu *v);

#endif
