/* A vCPU's saved FPU image in the standard XSAVE format, for the monitor. */
#include "err.h"
#include "fpu/fpu.h"
#include "fpu/fpu_host.h"
#include "fpu/xcr0.h"
#include "fpu/xsave_convert.h"
#include "hv/vcpu.h"
#include "kstring.h"

int fpu_guest_standard_image(const struct vcpu *v, void *dst, size_t len, uint64_t *mask)
{
	const struct guest_fpu *g = &v->fpu;
	uint64_t m = g->xcr0 | fpu_host.pkru_bit;

	if (len < XSAVE_EXT_OFFSET)
		return -EINVAL;
	if (fpu_host.format == XSAVE_FMT_FXSR) {
		/* FXSAVE's image is the legacy region; the header says x87 and SSE */
		memcpy(dst, g->saved ? g->area : fpu_init_image, XSAVE_LEGACY_SIZE);
		memset((uint8_t *)dst + XSAVE_LEGACY_SIZE, 0, XSAVE_HEADER_SIZE);
		m = XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
		*(uint64_t *)((uint8_t *)dst + XSAVE_XSTATE_BV_OFFSET) = g->saved ? m : 0;
		*mask = m;
		return 0;
	}
	*mask = m;
	if (!g->saved || !g->area) /* its state is the init state */
		return xsave_to_standard(fpu_xsave_table(), fpu_init_image, XSAVE_EXT_OFFSET, dst,
		                         len, m);
	return xsave_to_standard(fpu_xsave_table(), g->area, g->area_size, dst, len, m);
}
