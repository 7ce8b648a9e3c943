/* Extended FPU state of the host and of vCPUs: the hardware-facing part. */
#ifndef SABLE_FPU_FPU_H
#define SABLE_FPU_FPU_H

#include "types.h"

struct vcpu;

/* Enables XSAVE on this CPU (CR4.OSXSAVE) and sets the host XCR0. */
void fpu_init_cpu(void);
/* True if this CPU has PKRU: guests may load it (WRPKRU with their own CR4.PKE)
 * and the host XCR0 does not save it, so it is switched with the vCPU. */
bool fpu_pkru_switched(void);
/* Loads PKRU with v and returns its previous value (only if fpu_pkru_switched()). */
uint32_t fpu_swap_pkru(uint32_t v);
/* XCR0 while the hypervisor runs: every user component the CPU has that guests may use. */
uint64_t fpu_host_xcr0(void);
/* Components a guest may enable in XCR0. */
uint64_t fpu_guest_xcr0_allowed(void);
/* A save area for a vCPU in its init state; INVALID_HPA without memory. */
hpa_t fpu_alloc_state(void);
void fpu_free_state(hpa_t area);
/* Eager switch of the vCPU FPU state (never lazy through CR0.TS). */
void fpu_save(hpa_t area);
void fpu_restore(hpa_t area);

#endif
