/* SPDX-License-Identifier: MIT */
/*
 * Sable guest library: hypervisor detection and the Sable hypercall ABI.
 *
 * A hypercall is VMCALL with EAX = function number and arguments in EBX, ECX,
 * EDX; the result comes back in EAX. Unknown functions return -ENOSYS (-38).
 */
#ifndef GUEST_SABLE_H
#define GUEST_SABLE_H

#include <stdbool.h>
#include <stdint.h>

#define HC_VERSION 0 /* returns the hypervisor's version, > 0 */
#define HC_PRINT   1 /* EBX = guest-physical address, ECX = length; returns 0 */
#define HC_EXIT    2 /* EBX = exit status; does not return */
#define HC_YIELD   3 /* returns 0 */

#define HC_ENOSYS ((uint32_t)-38)

#define CPUID_HV_LEAF       0x40000000u
#define CPUID_1_ECX_VMX     (1u << 5)
#define CPUID_1_ECX_XSAVE   (1u << 26)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CPUID_1_ECX_HV      (1u << 31)
#define SABLE_SIGNATURE     "SableSableHV"
#define TCG_SIGNATURE       "TCGTCGTCGTCG"
#define KVM_SIGNATURE       "KVMKVMKVM" /* then three NULs */

/*
 * Reads the hypervisor CPUID leaf 0x40000000 into sig (12 chars + NUL) and
 * returns its EAX (the highest hypervisor leaf). Returns 0 with sig = "" if
 * CPUID.1:ECX[31] (hypervisor present) is clear.
 */
uint32_t hv_signature(char sig[13]);
/* True if CPUID.1:ECX[31] is set and leaf 0x40000000 reads "SableSableHV". */
bool under_sable(void);
/* True if the hypervisor signature is QEMU TCG's "TCGTCGTCGTCG". */
bool under_tcg(void);
/* True if it is Linux KVM's "KVMKVMKVM" (the KVM runner of make bench). */
bool under_kvm(void);

/* Issues VMCALL; an exception (e.g. #UD on bare QEMU) fails the run. Returns EAX. */
uint32_t vmcall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3);
/* Issues VMCALL; returns 0 and stores EAX in *ret, or returns the exception vector (6 = #UD). */
int vmcall_safe(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t *ret);

#endif
