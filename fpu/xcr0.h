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
/* Every user-state component this code knows; any other XCR0 bit is reserved
 * or supervisor state (IA32_XSS only), SDM Vol. 1 sec. 13.1. */
#define XCR0_USER_COMPONENTS                                                                       \
	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM | XFEATURE_MASK_BNDS |           \
	 XFEATURE_MASK_AVX512 | XFEATURE_MASK_PKRU | XFEATURE_MASK_XTILE)

/* What XSETBV raises (the values are the exception vectors). */
enum xsetbv_fault {
	XSETBV_OK = 0,
	XSETBV_UD = 6,
	XSETBV_GP = 13,
};

/* One XSETBV as the guest executed it. */
struct xsetbv_op {
	uint32_t xcr;     /* ECX */
	uint64_t value;   /* EDX:EAX */
	unsigned cpl;     /* the guest's CPL */
	bool cr4_osxsave; /* the guest's CR4.OSXSAVE */
	uint64_t allowed; /* XCR0 bits the guest's CPUID leaf 0xD offers */
};

/* XSETBV's checks in the SDM's order (Vol. 2D "XSETBV"): #UD without
 * CR4.OSXSAVE, #GP(0) at CPL > 0, for an ECX other than 0 and for an XCR0 that
 * xcr0_check() rejects. *why (if non-NULL) gets the rule in words, or NULL. */
enum xsetbv_fault xsetbv_check(const struct xsetbv_op *op, const char **why);
/* True if XSETBV(0, value) is legal when the guest may enable `allowed`:
 * x87 set, no reserved bit, no bit outside allowed, AVX needs SSE, AVX-512 all-or-none and needs
 * AVX, MPX both-or-none, AMX both-or-none. */
bool xcr0_valid(uint64_t value, uint64_t allowed);
/* The same rules: NULL if legal, else the first rule value breaks, in words. */
const char *xcr0_check(uint64_t value, uint64_t allowed);

/* WRMSR to IA32_XSS (SDM Vol. 4 "IA32_XSS", Vol. 1 sec. 13.3): #GP for any bit
 * the guest's CPUID.(0xD,1):EDX:ECX does not offer (`offered`), which covers
 * the user-state components (XCR0 only) and the reserved bits. NULL if legal,
 * else the rule in words. */
const char *xss_check(uint64_t value, uint64_t offered);

#endif
