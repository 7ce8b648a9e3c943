/* Boot-time check of the CPU's compacted XSAVE format, and the choice of the
 * save format that follows from it (pure; fpu/fpu_hw.c runs the instructions).
 * A CPU, or an emulator, whose XSAVEC/XSAVES place components elsewhere than
 * the compacted layout the CPUID table implies (SDM Vol. 1 sec. 13.4.3) would
 * corrupt state that the conversion or a guest reads at computed offsets. */
#ifndef SABLE_FPU_XSAVE_SELFTEST_H
#define SABLE_FPU_XSAVE_SELFTEST_H

#include "fpu/xsave_layout.h"

enum xsave_format {
	XSAVE_FMT_FXSR,     /* no XSAVE: FXSAVE/FXRSTOR of x87 and SSE */
	XSAVE_FMT_STANDARD, /* XSAVE/XRSTOR (XSAVEOPT not used) */
	XSAVE_FMT_XSAVEC,   /* XSAVEC/XRSTOR, compacted */
	XSAVE_FMT_XSAVES,   /* XSAVES/XRSTORS, compacted, modified optimization */
};

/* What the self-test found: rc 0, or -EINVAL with the first difference. */
struct xsave_selftest_result {
	int rc;
	const char *why;   /* NULL when rc == 0 */
	int comp;          /* component concerned, -1: the header */
	uint32_t expected; /* offset the layout math gives */
	int32_t found;     /* offset where its pattern was found instead, -1: nowhere */
	uint64_t xcomp_bv; /* XCOMP_BV the instruction wrote */
};

/* Fills img (len bytes) with a standard-format image of every user component
 * of l->mask holding a pattern no component has in its init state:
 * XSTATE_BV = l->mask, XCOMP_BV = 0. -EINVAL if it does not fit. */
int xsave_selftest_fill(const struct xsave_layout *l, void *img, size_t len);

/* Checks a compacted image saved from the filled state with RFBM = l->mask:
 * XCOMP_BV, XSTATE_BV and each component's pattern at its compacted offset. */
void xsave_selftest_check_compacted(const struct xsave_layout *l, const void *img, size_t len,
                                    struct xsave_selftest_result *r);

/* Checks a standard image (the state saved again after restoring the
 * compacted image) against the pattern at the standard offsets. */
void xsave_selftest_check_standard(const struct xsave_layout *l, const void *img, size_t len,
                                   struct xsave_selftest_result *r);

/* The format to switch vCPUs with: compacted only when the CPU has the
 * instructions (leaf 0xD subleaf 1 EAX) and the self-test agreed. *why says
 * why, in words, for the boot line. */
enum xsave_format xsave_choose_format(bool has_xsave, uint32_t sub1_eax,
                                      const struct xsave_selftest_result *test, const char **why);

/* Whether guests get XSAVES/XRSTORS (CPUID.(0xD,1):EAX[3], the "enable
 * XSAVES/XRSTORS" control, IA32_XSS): only when the CPU has them, VMX allows
 * the control and the vCPU states are switched with them, i.e. the compacted
 * self-test passed. A CPU whose compacted format failed the self-test would
 * hand guests images at other offsets than their CPUID implies; with XSAVE
 * alone the switch could not save supervisor state either. *why: in words. */
bool xsave_offer_xsaves(uint32_t sub1_eax, bool vmx_control, enum xsave_format f, const char **why);

const char *xsave_format_name(enum xsave_format f);

#endif
