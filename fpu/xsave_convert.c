/* Compacted <-> standard XSAVE images. SDM Vol. 1 sec. 13.4.1 (legacy region),
 * 13.4.2 (header: XSTATE_BV, XCOMP_BV, bytes 16..63 reserved), 13.4.3 (extended
 * region), 13.6 (initial configuration of each component), 13.8.1-13.8.2
 * (MXCSR is restored whenever SSE or AVX is requested, independent of
 * XSTATE_BV). */
#include "fpu/xsave_convert.h"
#include "err.h"
#include "fpu/xcr0.h"
#include "kstring.h"

#define X87_HEAD_SIZE 24u /* FCW .. FDP: bytes 0..23 */
#define X87_REGS      32u /* ST0-ST7: bytes 32..159 */
#define X87_REGS_SIZE 128u
#define MXCSR_SIZE    8u /* MXCSR and MXCSR_MASK */
#define XMM_OFFSET    160u
#define XMM_SIZE      256u
#define HDR_RESERVED  (XSAVE_HEADER_OFFSET + 16u)
#define MXCSR_USERS   (XFEATURE_MASK_SSE | XFEATURE_MASK_YMM)

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static bool header_reserved_clear(const uint8_t *s)
{
	for (uint32_t i = HDR_RESERVED; i < XSAVE_EXT_OFFSET; i++)
		if (s[i])
			return false;
	return true;
}

/* Legacy region of d (zeroed) from s: x87 if in bv, MXCSR if the source saved
 * it, XMM if in bv; initial values otherwise. */
static void copy_legacy(const uint8_t *s, uint8_t *d, uint64_t bv, bool mxcsr_saved)
{
	uint32_t mxcsr = XSAVE_MXCSR_INIT;
	uint16_t fcw = XSAVE_FCW_INIT;

	if (bv & XFEATURE_MASK_FP) {
		memcpy(d, s, X87_HEAD_SIZE);
		memcpy(d + X87_REGS, s + X87_REGS, X87_REGS_SIZE);
	} else {
		memcpy(d + XSAVE_FCW_OFFSET, &fcw, sizeof(fcw));
	}
	if (mxcsr_saved)
		memcpy(d + XSAVE_MXCSR_OFFSET, s + XSAVE_MXCSR_OFFSET, MXCSR_SIZE);
	else
		memcpy(d + XSAVE_MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
	if (bv & XFEATURE_MASK_SSE)
		memcpy(d + XMM_OFFSET, s + XMM_OFFSET, XMM_SIZE);
}

/* Copies the components 2..62 of bv from src offsets to dst offsets. */
static void copy_components(const uint8_t *s, const uint32_t *s_off, uint8_t *d,
                            const uint32_t *d_off, const uint32_t *size, uint64_t bv)
{
	for (uint32_t i = XSAVE_FIRST_EXT; i < XSAVE_NR_COMPONENTS; i++)
		if (bv & BIT(i))
			memcpy(d + d_off[i], s + s_off[i], size[i]);
}

int xsave_to_standard(const struct xsave_cpuid_table *t, const void *src, size_t src_len, void *dst,
                      size_t dst_len, uint64_t xcr0)
{
	const uint8_t *s = src;
	uint8_t *d = dst;
	uint64_t bv, xcomp, xss = xsave_supported_xss(t);
	struct xsave_layout sl, dl;
	const uint32_t *s_off;
	bool mxcsr_saved;

	if (src_len < XSAVE_EXT_OFFSET || !header_reserved_clear(s) || (xcr0 & xss) ||
	    !(xcr0 & XFEATURE_MASK_FP) || xsave_layout_mask(t, xcr0, &dl) || dst_len < dl.std_size)
		return -EINVAL;
	bv = get64(s + XSAVE_XSTATE_BV_OFFSET);
	xcomp = get64(s + XSAVE_XCOMP_BV_OFFSET);
	if (xcomp & XCOMP_BV_COMPACTED) {
		if (xsave_layout_mask(t, xcomp & ~XCOMP_BV_COMPACTED, &sl) || (bv & ~sl.mask) ||
		    src_len < sl.compact_size)
			return -EINVAL;
		s_off = sl.compact_offset;
		mxcsr_saved = sl.mask & MXCSR_USERS;
	} else {
		if (xcomp || (bv & xss) || xsave_layout_mask(t, bv, &sl) || src_len < sl.std_size)
			return -EINVAL;
		s_off = sl.std_offset;
		mxcsr_saved = xcr0 & MXCSR_USERS;
	}
	bv &= xcr0;
	memset(d, 0, dl.std_size);
	copy_legacy(s, d, bv, mxcsr_saved);
	copy_components(s, s_off, d, dl.std_offset, dl.size, bv);
	put64(d + XSAVE_XSTATE_BV_OFFSET, bv);
	return 0;
}

int xsave_to_compacted(const struct xsave_cpuid_table *t, const void *src, size_t src_len,
                       void *dst, size_t dst_len, uint64_t mask)
{
	const uint8_t *s = src;
	uint8_t *d = dst;
	uint64_t bv, xss = xsave_supported_xss(t);
	struct xsave_layout sl, dl;

	if (src_len < XSAVE_EXT_OFFSET || !header_reserved_clear(s) ||
	    get64(s + XSAVE_XCOMP_BV_OFFSET) || xsave_layout_mask(t, mask, &dl) ||
	    dst_len < dl.compact_size)
		return -EINVAL;
	bv = get64(s + XSAVE_XSTATE_BV_OFFSET);
	if ((bv & xss) || xsave_layout_mask(t, bv, &sl))
		return -EINVAL;
	bv &= mask & ~xss;
	if (xsave_layout_mask(t, bv, &sl) || src_len < sl.std_size)
		return -EINVAL;
	memset(d, 0, dl.compact_size);
	copy_legacy(s, d, bv, mask & MXCSR_USERS);
	copy_components(s, sl.std_offset, d, dl.compact_offset, dl.size, bv);
	put64(d + XSAVE_XSTATE_BV_OFFSET, bv);
	put64(d + XSAVE_XCOMP_BV_OFFSET, mask | XCOMP_BV_COMPACTED);
	return 0;
}
