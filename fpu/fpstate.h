/* Sizing of a vCPU's save buffer and the decision at switch-out (pure).
 * DESIGN.md mechanism 5: no buffer until the state first leaves its init
 * state; a buffer sized for the components the vCPU has enabled, never the
 * host's maximum; a larger one when more are enabled. */
#ifndef SABLE_FPU_FPSTATE_H
#define SABLE_FPU_FPSTATE_H

#include "fpu/xsave_selftest.h"

#define FPSTATE_ALIGN 64u /* XSAVE area alignment (SDM Vol. 1 sec. 13.4) */

/* What the CPU-independent state of a vCPU's FPU context is at switch-out. */
struct fpstate_out {
	bool has_area;       /* a buffer exists */
	uint32_t area_size;  /* its size */
	uint64_t xcr0;       /* the guest's XCR0 */
	uint64_t pkru_bit;   /* XFEATURE_MASK_PKRU if the CPU has PKRU, else 0 */
	bool xinuse_known;   /* XGETBV(1) was read */
	uint64_t xinuse;     /* its value (components not in their init state) */
	uint32_t mxcsr;      /* MXCSR: not covered by XINUSE */
	uint64_t unbuffered; /* XFD-armed components without room in the buffer (fpu/xfd.h) */
};

enum fpstate_action {
	FPSTATE_NONE,  /* everything in its init state and no buffer: nothing to save */
	FPSTATE_SAVE,  /* save into the buffer there is */
	FPSTATE_ALLOC, /* (re)allocate a buffer of the size given, then save */
};

/* The components to save: the guest's XCR0, x87 and SSE always, plus PKRU
 * (guest state whatever XCR0[9] says, as RDPKRU/WRPKRU need only CR4.PKE)
 * unless XINUSE says it is 0; never an unbuffered one (XFD keeps it in its
 * init state: SDM Vol. 1 sec. 13.14). */
uint64_t fpstate_save_mask(const struct fpstate_out *s);

/* Bytes of the image for mask in format f (the layout must be for a superset
 * of mask: its offsets are those of mask's components in the table). */
uint32_t fpstate_image_size(const struct xsave_cpuid_table *t, enum xsave_format f, uint64_t mask);

/* What to do at switch-out; *size: the buffer size needed. */
enum fpstate_action fpstate_switch_out(const struct xsave_cpuid_table *t, enum xsave_format f,
                                       const struct fpstate_out *s, uint32_t *size);

#endif
