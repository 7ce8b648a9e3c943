/* XCR0 rules (pure). SDM Vol. 1 sec. 13.3, XSETBV instruction reference. */
#ifndef SABLE_FPU_XCR0_H
#define SABLE_FPU_XCR0_H

#include "types.h"

#define XFEATURE_MASK_FP         BIT(0)
#define XFEATURE_MASK_SSE        BIT(1)
#define XFEATURE_MASK_YMM        BIT(2)
#define XFEATURE_MASK_BNDREGS    BIT(3)
#define XFEATURE_MASK_BNDCSR     BIT(4)
#define XFEATURE_MASK_OPMASK     BIT(5)
#define XFEATURE_MASK_ZMM_HI256  BIT(6)
#define XFEATURE_MASK_HI16_ZMM   BIT(7)
#define XFEATURE_MASK_PKRU       BIT(9)
#define XFEATURE_MASK_XTILE_CFG  BIT(17)
#define XFEATURE_MASK_XTILE_DATA BIT(18)
#define XFEATURE_MASK_AVX512                                                                       \
	(XFEATURE_MASK_OPMASK | XFEATURE_MASK_ZMM_HI256 | XFEATURE_MASK_HI16_ZMM)
#define XFEATURE_MASK_XTILE (XFEATURE_MASK_XTILE_CFG | XFEATURE_MASK_XTILE_DATA)
#define XFEATURE_MASK_BNDS  (XFEATURE_MASK_BNDREGS | XFEATURE_MASK_BNDCSR)

/* True if XSETBV(0, value) is legal when the guest may enable `allowed`:
 * x87 set, no bit outside allowed, AVX needs SSE, AVX-512 all-or-none and needs
 * AVX, MPX both-or-none, AMX both-or-none. */
bool xcr0_valid(uint64_t value, uint64_t allowed);
/* The same rules: NULL if legal, else the first rule value breaks, in words. */
const char *xcr0_check(uint64_t value, uint64_t allowed);

#endif
