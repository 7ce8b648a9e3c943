/* The compacted-format self-test and the format choice. SDM Vol. 1 sec. 13.4
 * (XSAVE area), 13.9 (XSAVEC), 13.11 (XSAVES). */
#include "fpu/xsave_selftest.h"
#include "err.h"
#include "fpu/xcr0.h"
#include "kstring.h"

#define XMM_OFFSET  160u
#define XMM_SIZE    256u
#define FCW_PATTERN 0x027fu /* not FNINIT's 0x37f, so x87 is not in its init state */
#define MXCSR_TEST  0x1fc0u /* DAZ set: legal, and not the init value */
#define FIND_LEN    16u     /* bytes of a pattern searched for when misplaced */

/* Byte k of component i: a hash of both, so that no run of one component's
 * bytes reappears shifted inside another's (a misplaced component is found). */
static uint8_t pattern(unsigned i, uint32_t k)
{
	uint32_t x = (i << 16) + k + 1u;

	x ^= x >> 7;
	x *= 0x2545f491u;
	return (uint8_t)(x >> 24);
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void fill_comp(uint8_t *p, unsigned i, uint32_t size)
{
	for (uint32_t k = 0; k < size; k++)
		p[k] = pattern(i, k);
}

static bool comp_matches(const uint8_t *p, unsigned i, uint32_t size)
{
	for (uint32_t k = 0; k < size; k++)
		if (p[k] != pattern(i, k))
			return false;
	return true;
}

static int32_t find_comp(const uint8_t *img, size_t len, unsigned i, uint32_t size)
{
	uint32_t n = size < FIND_LEN ? size : FIND_LEN;

	for (size_t off = 0; off + n <= len; off++)
		if (comp_matches(img + off, i, n))
			return (int32_t)off;
	return -1;
}

int xsave_selftest_fill(const struct xsave_layout *l, void *img, size_t len)
{
	uint8_t *p = img;
	uint16_t fcw = FCW_PATTERN;
	uint32_t mxcsr = MXCSR_TEST;
	uint64_t user = l->mask;

	if (len < l->std_size || len < XSAVE_EXT_OFFSET)
		return -EINVAL;
	memset(p, 0, len);
	if (user & XFEATURE_MASK_FP)
		memcpy(p + XSAVE_FCW_OFFSET, &fcw, sizeof(fcw));
	if (user & XFEATURE_MASK_SSE) {
		memcpy(p + XSAVE_MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
		fill_comp(p + XMM_OFFSET, 1, XMM_SIZE);
	}
	for (unsigned i = XSAVE_FIRST_EXT; i < XSAVE_NR_COMPONENTS; i++) {
		if (!(user & BIT(i)))
			continue;
		if (!l->std_offset[i] || l->std_offset[i] + l->size[i] > len)
			return -EINVAL; /* a supervisor component has no standard place */
		fill_comp(p + l->std_offset[i], i, l->size[i]);
	}
	memcpy(p + XSAVE_XSTATE_BV_OFFSET, &user, sizeof(user));
	return 0;
}

static void fail(struct xsave_selftest_result *r, const char *why, int comp, uint32_t expected,
                 int32_t found)
{
	r->rc = -EINVAL;
	r->why = why;
	r->comp = comp;
	r->expected = expected;
	r->found = found;
}

static bool legacy_ok(const struct xsave_layout *l, const uint8_t *p,
                      struct xsave_selftest_result *r)
{
	uint16_t fcw;
	uint32_t mxcsr;

	memcpy(&fcw, p + XSAVE_FCW_OFFSET, sizeof(fcw));
	memcpy(&mxcsr, p + XSAVE_MXCSR_OFFSET, sizeof(mxcsr));
	if ((l->mask & XFEATURE_MASK_FP) && fcw != FCW_PATTERN) {
		fail(r, "x87 control word not saved at offset 0", 0, XSAVE_FCW_OFFSET, -1);
		return false;
	}
	if ((l->mask & XFEATURE_MASK_SSE) && mxcsr != MXCSR_TEST) {
		fail(r, "MXCSR not saved at offset 24", 1, XSAVE_MXCSR_OFFSET, -1);
		return false;
	}
	if ((l->mask & XFEATURE_MASK_SSE) && !comp_matches(p + XMM_OFFSET, 1, XMM_SIZE)) {
		fail(r, "XMM registers not saved at offset 160", 1, XMM_OFFSET, -1);
		return false;
	}
	return true;
}

static void check(const struct xsave_layout *l, const void *img, size_t len, bool compacted,
                  struct xsave_selftest_result *r)
{
	const uint8_t *p = img;
	uint64_t want_xcomp = compacted ? (l->mask | XCOMP_BV_COMPACTED) : 0;
	uint32_t size = compacted ? l->compact_size : l->std_size;

	*r = (struct xsave_selftest_result){.comp = -1, .found = -1};
	if (len < size || len < XSAVE_EXT_OFFSET) {
		fail(r, "image larger than the buffer", -1, size, -1);
		return;
	}
	r->xcomp_bv = rd64(p + XSAVE_XCOMP_BV_OFFSET);
	if (r->xcomp_bv != want_xcomp) {
		fail(r, "XCOMP_BV is not the saved components", -1, XSAVE_XCOMP_BV_OFFSET, -1);
		return;
	}
	if (rd64(p + XSAVE_XSTATE_BV_OFFSET) != l->mask) {
		fail(r, "XSTATE_BV is not the components in use", -1, XSAVE_XSTATE_BV_OFFSET, -1);
		return;
	}
	if (!legacy_ok(l, p, r))
		return;
	for (unsigned i = XSAVE_FIRST_EXT; i < XSAVE_NR_COMPONENTS; i++) {
		uint32_t off = compacted ? l->compact_offset[i] : l->std_offset[i];

		if (!(l->mask & BIT(i)) || comp_matches(p + off, i, l->size[i]))
			continue;
		fail(r,
		     compacted ? "component not at its compacted offset"
		               : "component lost in the compacted round trip",
		     (int)i, off, find_comp(p, len, i, l->size[i]));
		return;
	}
}

void xsave_selftest_check_compacted(const struct xsave_layout *l, const void *img, size_t len,
                                    struct xsave_selftest_result *r)
{
	check(l, img, len, true, r);
}

void xsave_selftest_check_standard(const struct xsave_layout *l, const void *img, size_t len,
                                   struct xsave_selftest_result *r)
{
	check(l, img, len, false, r);
}

enum xsave_format xsave_choose_format(bool has_xsave, uint32_t sub1_eax,
                                      const struct xsave_selftest_result *test, const char **why)
{
	if (!has_xsave) {
		*why = "the CPU has no XSAVE";
		return XSAVE_FMT_FXSR;
	}
	if (!(sub1_eax & (XSAVE_1_EAX_XSAVEC | XSAVE_1_EAX_XSAVES))) {
		*why = "the CPU has neither XSAVEC nor XSAVES";
		return XSAVE_FMT_STANDARD;
	}
	if (!test || test->rc) {
		*why = "the CPU's compacted format is wrong (self-test failed)";
		return XSAVE_FMT_STANDARD;
	}
	if (sub1_eax & XSAVE_1_EAX_XSAVES) {
		*why = "XSAVES/XRSTORS present, compacted self-test passed";
		return XSAVE_FMT_XSAVES;
	}
	*why = "XSAVEC present (no XSAVES), compacted self-test passed";
	return XSAVE_FMT_XSAVEC;
}

bool xsave_offer_xsaves(uint32_t sub1_eax, bool vmx_control, enum xsave_format f, const char **why)
{
	if (!(sub1_eax & XSAVE_1_EAX_XSAVES))
		*why = "the CPU has no XSAVES";
	else if (!vmx_control)
		*why = "VMX lacks the enable XSAVES/XRSTORS control";
	else if (f != XSAVE_FMT_XSAVES)
		*why = "the CPU's compacted format failed the self-test";
	else
		*why = "compacted self-test passed";
	return f == XSAVE_FMT_XSAVES && vmx_control && (sub1_eax & XSAVE_1_EAX_XSAVES);
}

const char *xsave_format_name(enum xsave_format f)
{
	static const char *const names[] = {
		[XSAVE_FMT_FXSR] = "FXSAVE",
		[XSAVE_FMT_STANDARD] = "standard XSAVE/XRSTOR",
		[XSAVE_FMT_XSAVEC] = "compacted XSAVEC/XRSTOR",
		[XSAVE_FMT_XSAVES] = "compacted XSAVES/XRSTORS",
	};

	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "?";
}
