/*
 * The XFD state machine (pure): DESIGN.md mechanism 4. Extended Feature
 * Disable: SDM Vol. 1 sec. 13.14 (IA32_XFD 0x1C4, IA32_XFD_ERR 0x1C5),
 * enumerated by CPUID.(0xD,1):EAX[4] and, per component, CPUID.(0xD,i):ECX[2].
 *
 * Two disable masks per vCPU: `hv` (DESIGN's guest_fpu->xfd) holds the
 * XFD-capable components whose room in the save buffer is not allocated yet;
 * `guest` (DESIGN's vcpu->xfd) is the guest's architectural IA32_XFD. While the
 * guest runs the hardware holds hv | guest. The guest's IA32_XFD_ERR lives in
 * `err`: the hardware MSR is 0 whenever the hypervisor runs and while the guest
 * runs (RDMSR/WRMSR of it are always emulated), so an #NM of the hypervisor's
 * own cannot clobber it and a fresh non-zero value at an exit is always the
 * CPU's report of an XFD #NM taken during that run.
 */
#ifndef SABLE_FPU_XFD_H
#define SABLE_FPU_XFD_H

#include "fpu/xsave_layout.h"

#define MSR_IA32_XFD     0x1c4
#define MSR_IA32_XFD_ERR 0x1c5

/* What the host CPU offers (read once at boot). */
struct xfd_caps {
	/* CPUID.(0xD,1):EAX[4] and a capable component: guests have IA32_XFD and
	 * IA32_XFD_ERR, and the XFD code runs */
	bool present;
	uint64_t capable; /* components with CPUID.(0xD,i):ECX[2] that guests may enable */
};

/* A vCPU's XFD state (lives in its struct guest_fpu). */
struct xfd_state {
	uint64_t hv;      /* components without buffer room: armed for the hypervisor */
	uint64_t guest;   /* the guest's IA32_XFD */
	uint64_t err;     /* the guest's IA32_XFD_ERR */
	uint64_t nm_err;  /* IA32_XFD_ERR the CPU reported with the current #NM exit */
	uint64_t entered; /* hardware IA32_XFD during the last run (0: no XFD #NM possible) */
	bool nm_on;       /* #NM intercepted (exception bitmap bit 7), as programmed */
	bool wr_on;       /* WRMSR of IA32_XFD intercepted, as programmed */
	/* accounting, printed when the VM stops */
	uint32_t nm_exits, nm_reflected, wrmsr_exits, allocs;
};

/* What to do with an intercepted #NM. */
struct xfd_nm_decision {
	uint64_t alloc; /* components to allocate room for (then clear from hv) */
	bool reflect;   /* deliver #NM to the guest (else re-enter: the instruction retries) */
	uint64_t err;   /* the guest's IA32_XFD_ERR from now on */
};

/* caps from the host's (repaired) leaf 0xD; xcr0_allowed: what guests may enable. */
void xfd_caps_init(struct xfd_caps *c, const struct xsave_cpuid_table *t, uint64_t xcr0_allowed);
/* A new vCPU: every capable component armed for the hypervisor, the guest's
 * IA32_XFD and IA32_XFD_ERR 0 (their reset values), WRMSR intercepted. */
void xfd_vcpu_init(struct xfd_state *s, const struct xfd_caps *c);

/* Hardware IA32_XFD while the guest runs: hv | guest. */
uint64_t xfd_hw_value(const struct xfd_state *s);
/* #NM is intercepted only while a component is armed by the hypervisor alone
 * and enabled in the guest's XCR0: hv & ~guest & xcr0 != 0. */
bool xfd_nm_intercepted(const struct xfd_state *s, uint64_t xcr0);
/* WRMSR of IA32_XFD is intercepted while hv != 0; afterwards it passes
 * through and the value is re-read at every exit (xfd_exit_xfd). */
bool xfd_wrmsr_intercepted(const struct xfd_state *s);
/* Components a save image must hold as init (XSTATE_BV clear): hv | guest. */
uint64_t xfd_image_init_mask(const struct xfd_state *s);

/* Guest WRMSR/RDMSR: 0, or -EINVAL (#GP) without XFD or for a bit that is not
 * XFD-capable (reserved, SDM Vol. 1 sec. 13.14; IA32_XFD_ERR has the same bits). */
int xfd_write_xfd(struct xfd_state *s, const struct xfd_caps *c, uint64_t val);
int xfd_write_err(struct xfd_state *s, const struct xfd_caps *c, uint64_t val);
int xfd_read_xfd(const struct xfd_state *s, const struct xfd_caps *c, uint64_t *val);
int xfd_read_err(const struct xfd_state *s, const struct xfd_caps *c, uint64_t *val);

/* At an exit: must IA32_XFD_ERR be read (an XFD #NM was possible in the run)? */
bool xfd_exit_reads_err(const struct xfd_state *s);
/* At an exit with the value read: records it (as the guest's, or for the
 * #NM exit being handled); true if the hardware MSR must be cleared. */
bool xfd_exit_err(struct xfd_state *s, uint64_t hw_err, bool nm_exit);
/* At an exit while WRMSR passes through: the guest's IA32_XFD is what the
 * hardware holds (hv is 0 then). */
void xfd_exit_xfd(struct xfd_state *s, uint64_t hw_xfd);

/* An intercepted #NM, with the XFD_ERR the CPU reported (s->nm_err):
 * - nothing reported: CR0.TS or another non-XFD cause; reflect, err unchanged
 *   (such an #NM does not write IA32_XFD_ERR, sec. 13.14);
 * - reported components armed by the guest: reflect with err = those (what
 *   the CPU writes under the guest's own IA32_XFD);
 * - otherwise (armed by the hypervisor alone): allocate, err unchanged, retry.
 * Hypervisor-only components in the report are allocated in every case. */
void xfd_on_nm(const struct xfd_state *s, struct xfd_nm_decision *d);
/* Room for mask now exists: the hypervisor disarms it. */
void xfd_allocated(struct xfd_state *s, uint64_t mask);

/* Clears the XSTATE_BV bits of armed components in a save image header
 * (image: the XSAVE area, at least XSAVE_EXT_OFFSET bytes). */
void xfd_clean_image(void *image, uint64_t armed);

#endif
