/* Conversion between the compacted and the standard XSAVE formats (pure),
 * for dumps, the debug console and tests. SDM Vol. 1 sec. 13.4 (format),
 * 13.6 (initial values), 13.8 (what XRSTOR takes from an image). */
#ifndef SABLE_FPU_XSAVE_CONVERT_H
#define SABLE_FPU_XSAVE_CONVERT_H

#include "fpu/xsave_layout.h"

/*
 * Writes into dst a standard-format image of the user components of xcr0
 * from src: each component whose XSTATE_BV bit is set is copied, every
 * other one gets its initial value (FCW 0x37F, MXCSR 0x1F80, zero
 * elsewhere); XSTATE_BV = the source's & xcr0, XCOMP_BV = 0. src may be
 * compacted (XCOMP_BV[63] set: offsets from XCOMP_BV[62:0]) or standard
 * (XCOMP_BV = 0; its MXCSR counts as saved when xcr0 has SSE or AVX).
 * 0, or -EINVAL for an image XRSTOR would refuse (XSTATE_BV outside
 * XCOMP_BV, a component the table lacks, reserved header bytes set), an
 * xcr0 with supervisor or unknown bits, or a buffer too small.
 */
int xsave_to_standard(const struct xsave_cpuid_table *t, const void *src, size_t src_len, void *dst,
                      size_t dst_len, uint64_t xcr0);

/*
 * Writes into dst the compacted image for XCOMP_BV = mask | bit 63 of the
 * standard image src. The standard format holds no supervisor state: the
 * IA32_XSS components of mask come out in their initial state (XSTATE_BV
 * bit clear). 0 or -EINVAL as above.
 */
int xsave_to_compacted(const struct xsave_cpuid_table *t, const void *src, size_t src_len,
                       void *dst, size_t dst_len, uint64_t mask);

#endif
