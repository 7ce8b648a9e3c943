#include "fpu/xcr0.h"

bool xcr0_valid(uint64_t value, uint64_t allowed)
{
	uint64_t avx512 = value & XFEATURE_MASK_AVX512;

	if (!(value & XFEATURE_MASK_FP) || (value & ~allowed))
		return false;
	if ((value & XFEATURE_MASK_YMM) && !(value & XFEATURE_MASK_SSE))
		return false;
	if (avx512 && (avx512 != XFEATURE_MASK_AVX512 || !(value & XFEATURE_MASK_YMM)))
		return false;
	if ((value & XFEATURE_MASK_BNDS) && (value & XFEATURE_MASK_BNDS) != XFEATURE_MASK_BNDS)
		return false;
	if ((value & XFEATURE_MASK_XTILE) && (value & XFEATURE_MASK_XTILE) != XFEATURE_MASK_XTILE)
		return false;
	return true;
}
