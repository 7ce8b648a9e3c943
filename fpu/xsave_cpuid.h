/* CPUID leaf 0xD as a guest sees it, built from the host's (repaired) table (pure). */
#ifndef SABLE_FPU_XSAVE_CPUID_H
#define SABLE_FPU_XSAVE_CPUID_H

#include "fpu/xsave_layout.h"

struct xsave_guest_view {
	uint64_t xcr0_allowed;     /* XCR0 bits the guest may enable */
	uint64_t xss_allowed;      /* IA32_XSS bits the guest may enable */
	uint64_t xcr0, xss;        /* the guest's current values */
	uint32_t sub1_eax_allowed; /* subleaf 1 EAX features (XSAVE_1_EAX_*) offered */
};

/*
 * CPUID.(0xD, subleaf) for the guest (SDM Vol. 2A "CPUID", leaf 0DH; Vol. 1
 * sec. 13.2): subleaf 0 offers supported & xcr0_allowed, EBX = standard size
 * for the current XCR0, ECX = for every offered bit; subleaf 1 EAX = the
 * table's & sub1_eax_allowed, EBX = compacted size for the current
 * XCR0|IA32_XSS when XSAVEC or XSAVES is offered (else 0), ECX/EDX = offered
 * IA32_XSS bits; subleaf i in 2..62 = the table's size, offset and flags for
 * an offered component (the XFD flag only with XFD offered), else zeros, as
 * is every subleaf from 63 on.
 */
void xsave_guest_cpuid(const struct xsave_cpuid_table *t, const struct xsave_guest_view *g,
                       uint32_t subleaf, struct cpuid_regs *out);

#endif
