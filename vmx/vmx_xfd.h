/* XFD in the VMX backend (vmx/vmx_xfd.c): the hardware table of fpu/xfd_vcpu.h. */
#ifndef SABLE_VMX_VMX_XFD_H
#define SABLE_VMX_VMX_XFD_H

#include "types.h"

struct vcpu;

/* Plugs the VMX hardware table into fpu/xfd_vcpu.c (once, before any VM runs). */
void vmx_xfd_init(void);
/* Right after every exit: XFD_ERR saved and cleared, IA32_XFD re-read. */
void vmx_xfd_exit(struct vcpu *v, uint32_t exit_reason);
/* An intercepted #NM exit: 1 if the buffer grew (re-enter, the instruction
 * retries), 0 if the #NM goes to the guest, -ENOMEM if the VM was stopped. */
int vmx_xfd_handle_nm(struct vcpu *v);

#endif
