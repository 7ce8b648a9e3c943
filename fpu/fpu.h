/* Extended FPU state of the host and of vCPUs: the one place that switches it
 * (fpu/fpu_switch.c says how). Everything is switched eagerly, never lazily
 * through CR0.TS:
 * - a vCPU's state (x87, SSE, AVX, AVX-512, PKRU) is live on its CPU from
 *   fpu_switch_to() at its switch-in to the next vCPU switch there, and with
 *   it its XCR0: a VM exit and entry of the same vCPU touch no FPU register
 *   and no FPU control register.
 * - a vCPU has no save buffer until its state first leaves the init state. */
#ifndef SABLE_FPU_FPU_H
#define SABLE_FPU_FPU_H

#include "types.h"

struct vcpu;
struct xsave_cpuid_table;

/* Enables XSAVE (CR4.OSXSAVE) on this CPU and sets the host XCR0. */
void fpu_init_cpu(void);
/* XCR0 while the hypervisor runs: every user component the CPU has that guests may use. */
uint64_t fpu_host_xcr0(void);
/* The host's CPUID leaf 0xD, consistent (repaired if need be), or NULL without XSAVE. */
const struct xsave_cpuid_table *fpu_xsave_table(void);
/* True when the CPU's compacted format (XSAVEC/XSAVES) failed the boot self-test:
 * guests are not offered it (hv/vdev/guest_cpuid.c). */
bool fpu_compacted_broken(void);
/* Components a guest may enable in XCR0. */
uint64_t fpu_guest_xcr0_allowed(void);
/* Decides once, on CPU 0 after fpu_init_cpu(), whether guests get XSAVES/XRSTORS
 * and IA32_XSS (xsave_offer_xsaves(); vmx_control: VMX allows "enable
 * XSAVES/XRSTORS"), says so at boot and returns the decision; later calls
 * return it again. */
bool fpu_offer_xsaves(bool vmx_control);
/* The decision (false before fpu_offer_xsaves()). */
bool fpu_guest_xsaves(void);
/* Supervisor components a guest may enable in IA32_XSS (its CPUID.(0xD,1):EDX:ECX). */
uint64_t fpu_guest_xss_allowed(void);

/* Gives v its FPU context in the init state (XCR0 = x87, PKRU = 0), with no
 * buffer yet (fpu_switch.c allocates one when the state is first used). 0. */
int fpu_guest_init(struct vcpu *v);
/* Reports and frees v's save buffer (heap memory, so 0 frames; a second call does nothing). */
size_t fpu_guest_free(struct vcpu *v);
/* On a vCPU switch: saves prev's XSAVE image (prev may be NULL), loads next's. */
void fpu_switch_to(struct vcpu *prev, struct vcpu *next);
/* Sets v's XCR0 (its state live here) to val, which the caller checked
 * (xsetbv_check() for the guest's XSETBV; x87 only at INIT): 0, or -ENOMEM
 * (the caller stops the VM). */
int fpu_set_xcr0(struct vcpu *v, uint64_t val);
uint64_t fpu_guest_xcr0(const struct vcpu *v);
/* Gives v's save buffer at least size bytes while its state is live: 0 or -ENOMEM. */
int fpu_guest_grow(struct vcpu *v, uint32_t size);
/* WRMSR to IA32_XSS by v (its state live here): 0, or -EINVAL when guests have
 * no IA32_XSS or xss_check() refuses val (the caller injects #GP), -ENOMEM. */
int fpu_set_xss(struct vcpu *v, uint64_t val);
uint64_t fpu_guest_xss(const struct vcpu *v);
/* v's saved state as a standard-format XSAVE image in dst (fpu/fpu_dump.c),
 * for v's XCR0 and PKRU (*mask); the init state if it has none. v's state must
 * be saved (not live): the caller switched it out (hv/pause.c). 0 or -EINVAL. */
int fpu_guest_standard_image(const struct vcpu *v, void *dst, size_t len, uint64_t *mask);

#endif
