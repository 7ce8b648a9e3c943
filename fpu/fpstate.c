/* Save-buffer sizing and the lazy-allocation decision. SDM Vol. 1 sec. 13.6
 * (XINUSE and the init optimization), 13.4 (sizes). */
#include "fpu/fpstate.h"
#include "fpu/xcr0.h"

#define MXCSR_INIT XSAVE_MXCSR_INIT

uint64_t fpstate_save_mask(const struct fpstate_out *s)
{
	uint64_t pkru = s->pkru_bit;

	if (s->xinuse_known && !(s->xinuse & XFEATURE_MASK_PKRU))
		pkru = 0;
	/* x87 and SSE (XMM, MXCSR) are usable whatever XCR0 says: XCR0 only
	 * decides what the guest's own XSAVE manages (SDM Vol. 1 sec. 13.3). */
	return (s->xcr0 | XFEATURE_MASK_FP | XFEATURE_MASK_SSE | pkru) & ~s->unbuffered;
}

uint32_t fpstate_image_size(const struct xsave_cpuid_table *t, enum xsave_format f, uint64_t mask)
{
	uint32_t std_size, compact_size;

	if (f == XSAVE_FMT_FXSR || !t || xsave_layout_sizes(t, mask, &std_size, &compact_size) < 0)
		return XSAVE_LEGACY_SIZE;
	return f == XSAVE_FMT_STANDARD ? std_size : compact_size;
}

enum fpstate_action fpstate_switch_out(const struct xsave_cpuid_table *t, enum xsave_format f,
                                       const struct fpstate_out *s, uint32_t *size)
{
	uint64_t mask = fpstate_save_mask(s);
	/* XINUSE[i] = 0 guarantees component i is in its init state; MXCSR
	 * is outside that tracking, so it must hold its reset value too. */
	bool init =
		s->xinuse_known && !(s->xinuse & (mask | s->pkru_bit)) && s->mxcsr == MXCSR_INIT;

	*size = fpstate_image_size(t, f, mask);
	if (!s->has_area && init)
		return FPSTATE_NONE;
	if (!s->has_area || s->area_size < *size)
		return FPSTATE_ALLOC;
	return FPSTATE_SAVE;
}
