#include "fpu/xcr0.h"

const char *xcr0_check(uint64_t value, uint64_t allowed)
{
	uint64_t avx512 = value & XFEATURE_MASK_AVX512;

	if (!(value & XFEATURE_MASK_FP))
		return "x87 (bit 0) clear";
	if (value & ~XCR0_USER_COMPONENTS)
		return "a reserved bit (no user-state component)";
	if (value & ~allowed)
		return "a component that is not supported";
	if ((value & XFEATURE_MASK_YMM) && !(value & XFEATURE_MASK_SSE))
		return "AVX without SSE";
	if (avx512 && avx512 != XFEATURE_MASK_AVX512)
		return "AVX-512 components (bits 5-7) not all together";
	if (avx512 && !(value & XFEATURE_MASK_YMM))
		return "AVX-512 without AVX";
	if ((value & XFEATURE_MASK_BNDS) && (value & XFEATURE_MASK_BNDS) != XFEATURE_MASK_BNDS)
		return "MPX components (bits 3-4) not together";
	if ((value & XFEATURE_MASK_XTILE) && (value & XFEATURE_MASK_XTILE) != XFEATURE_MASK_XTILE)
		return "XTILECFG and XTILEDATA (bits 17-18) not together";
	return NULL;
}

bool xcr0_valid(uint64_t value, uint64_t allowed)
{
	return !xcr0_check(value, allowed);
}

enum xsetbv_fault xsetbv_check(const struct xsetbv_op *op, const char **why)
{
	enum xsetbv_fault f = XSETBV_GP;
	const char *w = NULL;

	if (!op->cr4_osxsave) {
		f = XSETBV_UD;
		w = "CR4.OSXSAVE clear";
	} else if (op->cpl != 0) {
		w = "CPL above 0";
	} else if (op->xcr != 0) {
		w = "an XCR other than XCR0 (ECX not 0)";
	} else {
		w = xcr0_check(op->value, op->allowed);
	}
	if (why)
		*why = w;
	return w ? f : XSETBV_OK;
}

const char *xss_check(uint64_t value, uint64_t offered)
{
	uint64_t bad = value & ~offered;

	if (!bad)
		return NULL;
	if (bad & XCR0_USER_COMPONENTS)
		return "a user-state component (XCR0 only, never IA32_XSS)";
	return "a bit CPUID.(0xD,1):EDX:ECX does not offer";
}
