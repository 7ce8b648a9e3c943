/* Extended FPU state of the host and of vCPUs: the one place that switches it.
 * Everything is switched eagerly, never lazily through CR0.TS:
 * - the XSAVE image follows the vCPU that owns the CPU: fpu_switch_to() on
 *   every vCPU switch. It holds x87, SSE, AVX, AVX-512 and PKRU: PKRU is
 *   saved and loaded with the rest (XCR0[9] set only around that XSAVE and
 *   XRSTOR), so it belongs to the vCPU without any cost per VM exit. The
 *   hypervisor runs with CR4.PKE clear, so no guest's PKRU can restrict it.
 * - XCR0 is the guest's only while it runs: fpu_guest_enter() right before
 *   VM entry, fpu_guest_exit() right after the exit, each writing XCR0 only
 *   when the guest's and the host's values differ (DESIGN.md mechanism 2). */
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
/* Components a guest may enable in XCR0. */
uint64_t fpu_guest_xcr0_allowed(void);

/* Gives v its FPU context in the init state (XCR0 = x87, PKRU = 0). 0 or -ENOMEM. */
int fpu_guest_init(struct vcpu *v);
/* Frees v's save area (a second call does nothing); returns the frames freed. */
size_t fpu_guest_free(struct vcpu *v);
/* On a vCPU switch: saves prev's XSAVE image (prev may be NULL), loads next's. */
void fpu_switch_to(struct vcpu *prev, struct vcpu *next);
/* Around VM entry and exit: the guest's XCR0 in, the host's back. */
void fpu_guest_enter(struct vcpu *v);
void fpu_guest_exit(struct vcpu *v);
/* XSETBV to XCR0 by the guest: 0, or -EINVAL for an illegal value (the caller injects #GP). */
int fpu_set_xcr0(struct vcpu *v, uint64_t val);
uint64_t fpu_guest_xcr0(const struct vcpu *v);

#endif
