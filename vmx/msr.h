/* The MSRs a guest reaches through RDMSR/WRMSR exits. */
#ifndef SABLE_VMX_MSR_H
#define SABLE_VMX_MSR_H

#include "types.h"

struct vcpu;

/* 0, or -EINVAL: the guest gets #GP (unknown MSR, reserved bits, bad value). */
int vmx_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int vmx_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);

#endif
