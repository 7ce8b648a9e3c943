/* What fpu/fpu.c found at boot, shared with fpu/fpu_switch.c (fpu/ only). */
#ifndef SABLE_FPU_FPU_HOST_H
#define SABLE_FPU_FPU_HOST_H

#include "fpu/xsave_selftest.h"

struct fpu_host {
	enum xsave_format format; /* how vCPU states are saved (chosen on CPU 0) */
	uint64_t xcr0;            /* XCR0 at boot, before any vCPU state is live */
	/* Every component a vCPU state may hold (xcr0 and PKRU): XCR0 while a
	 * state is saved or restored, the RFBM of every restore. */
	uint64_t switch_mask;
	/* IA32_XSS components a vCPU state may hold (guests' allowed ones): IA32_XSS
	 * while a state is saved or restored, added to the RFBM of XRSTORS. */
	uint64_t switch_xss;
	uint64_t pkru_bit; /* XFEATURE_MASK_PKRU when the CPU has protection keys */
	bool guest_xsaves; /* guests get XSAVES/XRSTORS and IA32_XSS */
	bool xsaves_decided;
	bool xgetbv1; /* XGETBV(ECX=1) reads XINUSE */
	bool table_ready;
	bool compacted_broken;          /* XSAVEC/XSAVES failed the self-test (fpu.c) */
	struct xsave_cpuid_table table; /* leaf 0xD, repaired; read once, on CPU 0 */
};

extern struct fpu_host fpu_host;
/* Standard image with every component in its init state, MXCSR 0x1F80. */
extern const uint8_t fpu_init_image[];

#endif
