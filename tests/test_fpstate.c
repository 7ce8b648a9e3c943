/* Unit tests for fpu/fpstate.c: buffer sizes for a vCPU's XCR0 and the
 * lazy-allocation decision at switch-out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fpu/fpstate.h"
#include "fpu/xcr0.h"
#include "xsave_table_fixture.h"

#define X87_SSE (XFEATURE_MASK_FP | XFEATURE_MASK_SSE)
#define AVX     (X87_SSE | XFEATURE_MASK_YMM)
#define AVX512  (AVX | XFEATURE_MASK_AVX512)

static struct xsave_cpuid_table t;

static void load(int which)
{
	struct xsave_cpuid_table raw;

	fixture_table(which, &raw);
	xsave_table_repair(&raw, &t);
}

/* A vCPU whose state is all in its init state. */
static struct fpstate_out idle(uint64_t xcr0)
{
	return (struct fpstate_out){.xcr0 = xcr0,
	                            .pkru_bit = XFEATURE_MASK_PKRU,
	                            .xinuse_known = true,
	                            .xinuse = 0,
	                            .mxcsr = XSAVE_MXCSR_INIT};
}

/* Sizes follow the vCPU's XCR0, not the host's maximum (Skylake-X, SDM offsets). */
static void test_sizes_follow_xcr0(void **state)
{
	(void)state;
	load(FIXTURE_SKX);
	assert_int_equal(fpstate_image_size(&t, XSAVE_FMT_STANDARD, X87_SSE), 576);
	assert_int_equal(fpstate_image_size(&t, XSAVE_FMT_STANDARD, AVX), 832);
	assert_int_equal(fpstate_image_size(&t, XSAVE_FMT_STANDARD, AVX512), 2688);
	assert_int_equal(fpstate_image_size(&t, XSAVE_FMT_STANDARD, X87_SSE | XFEATURE_MASK_PKRU),
	                 2696);
	assert_int_equal(fpstate_image_size(&t, XSAVE_FMT_XSAVES, X87_SSE | XFEATURE_MASK_PKRU),
	                 584);
	assert_int_equal(fpstate_image_size(&t, XSAVE_FMT_XSAVEC, AVX512), 2432);
	assert_int_equal(fpstate_image_size(&t, XSAVE_FMT_FXSR, AVX512), 512);
	assert_int_equal(fpstate_image_size(NULL, XSAVE_FMT_STANDARD, AVX), 512);
}

/* Never used: no buffer. Any component in use, or MXCSR changed: a buffer. */
static void test_lazy_allocation(void **state)
{
	struct fpstate_out s;
	uint32_t size;

	(void)state;
	load(FIXTURE_BOCHS);
	s = idle(XFEATURE_MASK_FP);
	assert_int_equal(fpstate_switch_out(&t, XSAVE_FMT_STANDARD, &s, &size), FPSTATE_NONE);

	s.xinuse = XFEATURE_MASK_FP;
	assert_int_equal(fpstate_switch_out(&t, XSAVE_FMT_STANDARD, &s, &size), FPSTATE_ALLOC);
	assert_int_equal(size, 576);

	s = idle(X87_SSE);
	s.mxcsr = 0x1fc0; /* outside XINUSE's tracking */
	assert_int_equal(fpstate_switch_out(&t, XSAVE_FMT_STANDARD, &s, &size), FPSTATE_ALLOC);

	/* PKRU in use without XCR0[9]: saved, and the buffer holds it */
	s = idle(X87_SSE);
	s.xinuse = XFEATURE_MASK_PKRU;
	assert_int_equal(fpstate_switch_out(&t, XSAVE_FMT_STANDARD, &s, &size), FPSTATE_ALLOC);
	assert_int_equal(fpstate_save_mask(&s), X87_SSE | XFEATURE_MASK_PKRU);
	assert_int_equal(size, 2696);

	/* without XINUSE nothing is known: allocate at the first switch-out */
	s = idle(XFEATURE_MASK_FP);
	s.xinuse_known = false;
	assert_int_equal(fpstate_switch_out(&t, XSAVE_FMT_STANDARD, &s, &size), FPSTATE_ALLOC);
	assert_int_equal(fpstate_save_mask(&s), X87_SSE | XFEATURE_MASK_PKRU);

	/* XMM registers in use while XCR0 = x87 only: SSE works whatever XCR0 says */
	s = idle(XFEATURE_MASK_FP);
	s.xinuse = XFEATURE_MASK_SSE;
	assert_int_equal(fpstate_switch_out(&t, XSAVE_FMT_STANDARD, &s, &size), FPSTATE_ALLOC);
	assert_int_equal(fpstate_save_mask(&s) & X87_SSE, X87_SSE);

	/* a CPU without protection keys never saves PKRU */
	s = idle(X87_SSE);
	s.pkru_bit = 0;
	s.xinuse = ~0ull;
	assert_int_equal(fpstate_save_mask(&s), X87_SSE);
}

/* A buffer that exists is saved into while it is large enough, else replaced. */
static void test_save_and_growth(void **state)
{
	struct fpstate_out s;
	uint32_t size;

	(void)state;
	load(FIXTURE_BOCHS);
	s = idle(X87_SSE);
	s.has_area = true;
	s.area_size = 576;
	assert_int_equal(fpstate_switch_out(&t, XSAVE_FMT_STANDARD, &s, &size), FPSTATE_SAVE);
	s.xinuse = X87_SSE;
	assert_int_equal(fpstate_switch_out(&t, XSAVE_FMT_STANDARD, &s, &size), FPSTATE_SAVE);
	s.xcr0 = AVX512; /* XSETBV enabled AVX-512 since */
	assert_int_equal(fpstate_switch_out(&t, XSAVE_FMT_STANDARD, &s, &size), FPSTATE_ALLOC);
	assert_int_equal(size, 2688);
	s.area_size = 2688;
	assert_int_equal(fpstate_switch_out(&t, XSAVE_FMT_STANDARD, &s, &size), FPSTATE_SAVE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_follow_xcr0),
		cmocka_unit_test(test_lazy_allocation),
		cmocka_unit_test(test_save_and_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
