/* Guest MSRs: the policy table, the MSR bitmap and the per-vCPU MSR switch
 * (vmx/msr.c), with the value rules in vmx/msr_rules.c and the speculation
 * controls in vmx/msr_spec.c. */
#ifndef SABLE_VMX_MSR_H
#define SABLE_VMX_MSR_H

#include "types.h"

struct vcpu;

/* 0, or -EINVAL: the guest gets #GP (unknown MSR, reserved bits, bad value). */
int vmx_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int vmx_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);

/* Builds the MSR bitmap shared by every vCPU (once, before any VM runs). 0 or -ENOMEM. */
int vmx_msr_setup_bitmap(void);
/* Initial MSR values of v and the VMCS MSR fields (bitmap, load areas); v's VMCS is current. */
void vmx_msr_setup_vcpu(struct vcpu *v);
/* At vcpu load: the switched MSRs get v's values, SPEC_CTRL's load areas the
 * host value, and an IBPB separates this VM from the one this core ran before. */
void vmx_msr_load_guest(struct vcpu *v);
/* Lets v's WRMSR of msr reach the hardware: v gets its own copy of the MSR
 * bitmap (v's VMCS is current). 0, or -ENOMEM (still intercepted). */
int vmx_msr_pass_write(struct vcpu *v, uint32_t msr);
/* At vcpu put: saves v's switched MSRs. */
void vmx_msr_save_guest(struct vcpu *v);

#endif
