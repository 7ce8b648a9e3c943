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
#include "fpu/xsave_convert.h"
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

static uint64_t rnd64(void)
{
	return ((uint64_t)rand() << 40) ^ ((uint64_t)rand() << 20) ^ (uint64_t)rand();
}

/*
 * The compacted (XSAVES/XRSTORS) switch of fpu/fpu_switch.c, modelled on a
 * CPU's table: the host saves with XCR0 = switch_mask, IA32_XSS = switch_xss
 * and RFBM = fpstate_save_mask(), so XSAVES writes XCOMP_BV = bit 63 | RFBM &
 * (XCR0 | XSS) and the components of XINUSE at their compacted offsets (SDM
 * Vol. 1 sec. 13.11); it restores with RFBM = switch_mask | switch_xss, which
 * loads what XSTATE_BV names and initializes the rest (sec. 13.12). The
 * buffer fpstate_switch_out() sizes must hold every byte XSAVES writes, and
 * the state read back (through xsave_to_standard(), which reads the image at
 * the offsets XCOMP_BV implies) must be the saved one plus init values only,
 * nothing of an earlier vCPU.
 */
static void compacted_switch(int which)
{
	static uint8_t img[16384], std_img[16384], back[16384];
	uint64_t switch_mask, switch_xss;
	struct xsave_layout l, host;

	load(which);
	switch_mask = xsave_supported_xcr0(&t) & (AVX512 | XFEATURE_MASK_PKRU);
	switch_xss = xsave_supported_xss(&t) & BIT(8); /* PT, where the mechanism is tried */
	assert_int_equal(xsave_layout_mask(&t, switch_mask, &host), 0);
	srand(77 + which);
	for (int n = 0; n < 2000; n++) {
		static const uint64_t xcr0s[] = {XFEATURE_MASK_FP, X87_SSE, AVX, AVX512};
		uint64_t xcr0 = xcr0s[rand() % 4], xss = switch_xss & rnd64();
		struct fpstate_out s = {
			.has_area = rand() % 2,
			.area_size = 576 + (uint32_t)(rand() % 3000),
			.xcr0 = xcr0 | xss,
			.pkru_bit = XFEATURE_MASK_PKRU,
			.xinuse_known = true,
			.xinuse = (xcr0 | xss | X87_SSE | XFEATURE_MASK_PKRU) & rnd64(),
			.mxcsr = rand() % 2 ? XSAVE_MXCSR_INIT : 0x1fc0,
		};
		uint64_t rfbm = fpstate_save_mask(&s), xcomp, bv;
		enum fpstate_action a;
		uint32_t size, buf;

		a = fpstate_switch_out(&t, XSAVE_FMT_XSAVES, &s, &size);
		if (a == FPSTATE_NONE)
			continue;
		buf = a == FPSTATE_ALLOC ? size : s.area_size;
		assert_true(buf >= size);
		xcomp = rfbm & (switch_mask | switch_xss);
		bv = s.xinuse & xcomp;
		assert_int_equal(xsave_layout_mask(&t, xcomp, &l), 0);
		assert_true(l.compact_size <= buf); /* XSAVES writes no byte past the buffer */
		/* what XSAVES leaves: the legacy region, the header and XINUSE's components */
		memset(img, 0, sizeof(img));
		for (uint32_t i = 0; i < 416; i++)
			img[i] = (uint8_t)rand();
		memcpy(img + XSAVE_MXCSR_OFFSET, &s.mxcsr, 4);
		memset(img + 28, 0xff, 4); /* MXCSR_MASK */
		memcpy(img + XSAVE_XSTATE_BV_OFFSET, &bv, 8);
		xcomp |= XCOMP_BV_COMPACTED;
		memcpy(img + XSAVE_XCOMP_BV_OFFSET, &xcomp, 8);
		for (uint32_t i = XSAVE_FIRST_EXT; i < XSAVE_NR_COMPONENTS; i++)
			if (bv & BIT(i))
				for (uint32_t b = 0; b < l.size[i]; b++)
					img[l.compact_offset[i] + b] = (uint8_t)(rand() | 1);
		/* the restore: every switched user component loaded or initialized */
		memset(std_img, 0xa5, sizeof(std_img));
		assert_int_equal(
			xsave_to_standard(&t, img, buf, std_img, host.std_size, switch_mask), 0);
		for (uint32_t i = XSAVE_FIRST_EXT; i < XSAVE_NR_COMPONENTS; i++) {
			if (!(switch_mask & BIT(i)))
				continue;
			if (bv & BIT(i)) {
				assert_memory_equal(std_img + host.std_offset[i],
				                    img + l.compact_offset[i], host.size[i]);
			} else {
				static const uint8_t zero[8192];

				assert_memory_equal(std_img + host.std_offset[i], zero,
				                    host.size[i]);
			}
		}
		/* and the user state comes back compacted for the same XCOMP_BV (the
		 * standard form holds no supervisor state) */
		memset(back, 0x5a, sizeof(back));
		assert_int_equal(xsave_to_compacted(&t, std_img, host.std_size, back,
		                                    l.compact_size, xcomp & ~XCOMP_BV_COMPACTED),
		                 0);
		for (uint32_t i = XSAVE_FIRST_EXT; i < XSAVE_NR_COMPONENTS; i++)
			if (bv & BIT(i) & ~switch_xss)
				assert_memory_equal(back + l.compact_offset[i],
				                    img + l.compact_offset[i], l.size[i]);
	}
}

/* Skylake-X: MPX outside the switched set, PKRU at 2688 standard; PT in IA32_XSS. */
static void test_compacted_switch_skylake_x(void **state)
{
	(void)state;
	compacted_switch(FIXTURE_SKX);
}

/* Sapphire Rapids: AMX beside it (not switched), PT in IA32_XSS. */
static void test_compacted_switch_sapphire_rapids(void **state)
{
	(void)state;
	compacted_switch(FIXTURE_SPR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_follow_xcr0),
		cmocka_unit_test(test_lazy_allocation),
		cmocka_unit_test(test_save_and_growth),
		cmocka_unit_test(test_compacted_switch_skylake_x),
		cmocka_unit_test(test_compacted_switch_sapphire_rapids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
