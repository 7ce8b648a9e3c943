/* Unit tests for fpu/xfd.c, the XFD state machine (DESIGN.md mechanism 4;
 * SDM Vol. 1 sec. 13.14), with Sapphire Rapids' leaf 0xD. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fpu/xcr0.h"
#include "err.h"
#include "fpu/xfd.h"
#include "xsave_table_fixture.h"

#define TILE     XFEATURE_MASK_XTILE_DATA
#define AMX_XCR0 0x602e7ull
#define AVX_XCR0 0x7ull

static struct xsave_cpuid_table spr, bochs;
static struct xfd_caps caps;

static int setup(void **state)
{
	struct xsave_cpuid_table raw;

	(void)state;
	fixture_table(FIXTURE_SPR, &raw);
	xsave_table_repair(&raw, &spr);
	fixture_table(FIXTURE_BOCHS, &raw);
	xsave_table_repair(&raw, &bochs);
	xfd_caps_init(&caps, &spr, AMX_XCR0);
	return 0;
}

/* CPUID.(0xD,1):EAX[4] enumerates XFD, CPUID.(0xD,i):ECX[2] each capable
 * component (SDM Vol. 2A CPUID leaf 0DH): on SPR only XTILEDATA; none on
 * Bochs 2.7 (no XFD), none when guests may not enable it (then guests get no
 * XFD at all, as their CPUID leaf 0xD hides it). */
static void test_caps(void **state)
{
	struct xfd_caps c;

	(void)state;
	assert_true(caps.present);
	assert_int_equal(caps.capable, TILE);
	xfd_caps_init(&c, &spr, 0x2e7); /* AMX not allowed: nothing to disable, no XFD */
	assert_false(c.present);
	assert_int_equal(c.capable, 0);
	xfd_caps_init(&c, &bochs, 0x2e7);
	assert_false(c.present);
	xfd_caps_init(&c, NULL, ~0ull);
	assert_false(c.present);
}

/* A new vCPU: every capable component armed by the hypervisor (no buffer
 * room), the guest's IA32_XFD = 0 (its reset value, sec. 13.14). */
static void test_init_and_hw_value(void **state)
{
	struct xfd_state s;

	(void)state;
	xfd_vcpu_init(&s, &caps);
	assert_int_equal(s.hv, TILE);
	assert_int_equal(s.guest, 0);
	assert_int_equal(s.err, 0);
	assert_int_equal(xfd_hw_value(&s), TILE);
	s.guest = TILE;
	xfd_allocated(&s, TILE);
	assert_int_equal(xfd_hw_value(&s), TILE); /* the guest's own bit stays armed */
	s.guest = 0;
	assert_int_equal(xfd_hw_value(&s), 0);
}

/* #NM is intercepted only for a component armed by the hypervisor alone and
 * enabled in XCR0 (an #NM for a component outside XCR0 cannot happen: the
 * instruction raises #UD, sec. 13.3). */
static void test_nm_intercept_rule(void **state)
{
	struct xfd_state s;

	(void)state;
	xfd_vcpu_init(&s, &caps);
	assert_false(xfd_nm_intercepted(&s, AVX_XCR0));
	assert_true(xfd_nm_intercepted(&s, AMX_XCR0));
	s.guest = TILE; /* the guest's own XFD: its #NM is its own */
	assert_false(xfd_nm_intercepted(&s, AMX_XCR0));
	s.guest = 0;
	xfd_allocated(&s, TILE);
	assert_false(xfd_nm_intercepted(&s, AMX_XCR0));
}

/* WRMSR IA32_XFD is intercepted until nothing is left unallocated. */
static void test_wrmsr_intercept_rule(void **state)
{
	struct xfd_state s;

	(void)state;
	xfd_vcpu_init(&s, &caps);
	assert_true(xfd_wrmsr_intercepted(&s));
	xfd_allocated(&s, TILE);
	assert_false(xfd_wrmsr_intercepted(&s));
}

/* Sec. 13.14: bits of IA32_XFD (and IA32_XFD_ERR) for components that are
 * not XFD-capable are reserved: WRMSR #GP; without XFD the MSRs do not exist. */
static void test_msr_rules(void **state)
{
	struct xfd_caps none = {0};
	struct xfd_state s;
	uint64_t v = 1;

	(void)state;
	xfd_vcpu_init(&s, &caps);
	assert_int_equal(xfd_write_xfd(&s, &caps, TILE), 0);
	assert_int_equal(xfd_read_xfd(&s, &caps, &v), 0);
	assert_int_equal(v, TILE);
	assert_int_equal(xfd_write_xfd(&s, &caps, XFEATURE_MASK_XTILE_CFG), -EINVAL);
	assert_int_equal(xfd_write_xfd(&s, &caps, XFEATURE_MASK_YMM), -EINVAL);
	assert_int_equal(xfd_write_xfd(&s, &caps, BIT(63)), -EINVAL);
	assert_int_equal(s.guest, TILE); /* unchanged by a refused write */
	assert_int_equal(xfd_write_err(&s, &caps, TILE), 0);
	assert_int_equal(xfd_read_err(&s, &caps, &v), 0);
	assert_int_equal(v, TILE);
	assert_int_equal(xfd_write_err(&s, &caps, 1), -EINVAL);
	assert_int_equal(s.err, TILE);
	assert_int_equal(xfd_write_xfd(&s, &none, 0), -EINVAL);
	assert_int_equal(xfd_write_err(&s, &none, 0), -EINVAL);
	assert_int_equal(xfd_read_xfd(&s, &none, &v), -EINVAL);
	assert_int_equal(xfd_read_err(&s, &none, &v), -EINVAL);
}

/* Sec. 13.14: the CPU writes IA32_XFD_ERR only for an XFD-caused #NM, so it
 * needs reading only after a run under a non-zero IA32_XFD (or with WRMSR
 * passing through); a report seen at an ordinary exit is the guest's (it took
 * that #NM itself), one seen at an #NM exit is for xfd_on_nm. */
static void test_exit_err(void **state)
{
	struct xfd_state s;

	(void)state;
	xfd_vcpu_init(&s, &caps);
	assert_false(xfd_exit_reads_err(&s));
	s.entered = TILE;
	assert_true(xfd_exit_reads_err(&s));
	s.entered = 0;
	s.wr_on = false;
	assert_true(xfd_exit_reads_err(&s));
	assert_false(xfd_exit_err(&s, 0, false));
	assert_true(xfd_exit_err(&s, TILE, false));
	assert_int_equal(s.err, TILE);
	s.err = 0;
	assert_true(xfd_exit_err(&s, TILE, true));
	assert_int_equal(s.err, 0);
	assert_int_equal(s.nm_err, TILE);
	xfd_allocated(&s, TILE);
	xfd_exit_xfd(&s, TILE);
	assert_int_equal(s.guest, TILE);
}

/* The #NM decision (DESIGN.md mechanism 4). */
static void test_on_nm(void **state)
{
	struct xfd_nm_decision d;
	struct xfd_state s;

	(void)state;
	xfd_vcpu_init(&s, &caps);
	s.err = 0;
	/* hypervisor-only: allocate, retry, the guest's XFD_ERR stays */
	s.nm_err = TILE;
	xfd_on_nm(&s, &d);
	assert_int_equal(d.alloc, TILE);
	assert_false(d.reflect);
	assert_int_equal(d.err, 0);
	/* CR0.TS (no XFD report): reflect, XFD_ERR left as it was */
	s.err = TILE;
	s.nm_err = 0;
	xfd_on_nm(&s, &d);
	assert_int_equal(d.alloc, 0);
	assert_true(d.reflect);
	assert_int_equal(d.err, TILE);
	/* the guest's own XFD: reflect with XFD_ERR as the CPU wrote it */
	s.err = 0;
	s.guest = TILE;
	s.nm_err = TILE;
	xfd_on_nm(&s, &d);
	assert_true(d.reflect);
	assert_int_equal(d.err, TILE);
	assert_int_equal(d.alloc, 0);
	/* a report naming nothing armed by the hypervisor is never retried */
	xfd_allocated(&s, TILE);
	s.guest = 0;
	xfd_on_nm(&s, &d);
	assert_true(d.reflect);
}

/* Sec. 13.14: XRSTOR of a component armed in IA32_XFD with its XSTATE_BV bit
 * set raises #NM: such bits are cleared from saved images. */
static void test_clean_image(void **state)
{
	uint8_t img[XSAVE_EXT_OFFSET];
	uint64_t bv = 0x402e7, got;

	(void)state;
	memset(img, 0, sizeof(img));
	memcpy(img + XSAVE_XSTATE_BV_OFFSET, &bv, sizeof(bv));
	xfd_clean_image(img, XFEATURE_MASK_YMM);
	memcpy(&got, img + XSAVE_XSTATE_BV_OFFSET, sizeof(got));
	assert_int_equal(got, 0x402e3);
	xfd_clean_image(img, TILE);
	memcpy(&got, img + XSAVE_XSTATE_BV_OFFSET, sizeof(got));
	assert_int_equal(got, 0x2e3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_caps, setup),
		cmocka_unit_test_setup(test_init_and_hw_value, setup),
		cmocka_unit_test_setup(test_nm_intercept_rule, setup),
		cmocka_unit_test_setup(test_wrmsr_intercept_rule, setup),
		cmocka_unit_test_setup(test_msr_rules, setup),
		cmocka_unit_test_setup(test_exit_err, setup),
		cmocka_unit_test_setup(test_on_nm, setup),
		cmocka_unit_test_setup(test_clean_image, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
