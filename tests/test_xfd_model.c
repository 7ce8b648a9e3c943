/*
 * The CPU-model test of XFD (issue 15): fpu/xfd.c, fpu/xfd_vcpu.c and
 * fpu/fpstate.c, the object code the hypervisor links, driven through their
 * hardware table (struct xfd_hw_ops) by a software CPU (tests/xfd_cpu_model.c)
 * with Sapphire Rapids' leaf 0xD. The model's own rules are tested first; the
 * harness below stands where vmx/vmx_xfd.c and fpu/fpu_switch.c stand in the
 * hypervisor and follows their sequence: xfd_enter before every entry,
 * xfd_exit right after every exit, xfd_handle_nm on an intercepted #NM,
 * fpstate_switch_out + xfd_saved at switch-out, xfd_switch_in before restore.
 * Every scenario checks the MSR values, the intercept decisions and the buffer
 * sizes along the way; the figures for the README come from the same runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "fpu/fpstate.h"
#include "fpu/xcr0.h"
#include "fpu/xfd_vcpu.h"
#include "tests/xfd_cpu_model.h"
#include "xsave_table_fixture.h"

#define TILE     XFEATURE_MASK_XTILE_DATA
#define TILECFG  XFEATURE_MASK_XTILE_CFG
#define AMX_XCR0 0x602e7ull /* x87 SSE AVX AVX-512 PKRU XTILECFG XTILEDATA */
#define AVX_XCR0 0x7ull
#define AVX512   0xe0ull
#define X87      XFEATURE_MASK_FP
#define PKRU     XFEATURE_MASK_PKRU
#define SWITCH   (AMX_XCR0 | PKRU)
/* SPR compacted sizes (tests/xsave_fixtures.h): x87..XTILECFG = 2504 bytes,
 * with XTILEDATA (64-byte aligned at 2560) 10752; x87 SSE AVX 832. */
#define SIZE_NO_TILE 2504u
#define SIZE_TILE    10752u
#define SIZE_AVX     832u
#define NR_FIG_VCPUS 64u

static struct xsave_cpuid_table spr, bochs;
static struct cpu_model core[2], *cpu; /* two cores; cpu: the current one */
static const uint8_t init_image[XSAVE_EXT_OFFSET] = {
	[0] = 0x7f, [1] = 0x03, [24] = 0x80, [25] = 0x1f};

/* ---- the model's own rules ---- */

static void load(int which, struct xsave_cpuid_table *t)
{
	struct xsave_cpuid_table raw;

	fixture_table(which, &raw);
	xsave_table_repair(&raw, t);
}

static int setup_tables(void **state)
{
	(void)state;
	load(FIXTURE_SPR, &spr);
	load(FIXTURE_BOCHS, &bochs);
	return 0;
}

/* SDM Vol. 1 sec. 13.14: using a component armed in IA32_XFD raises #NM and
 * sets IA32_XFD_ERR to it; the registers stay untouched. */
static void test_model_xfd_nm(void **state)
{
	struct cpu_model m;

	(void)state;
	model_init(&m, &spr);
	m.xcr0 = AMX_XCR0;
	assert_int_equal(model_wrmsr(&m, MSR_IA32_XFD, TILE), MODEL_OK);
	assert_int_equal(model_use(&m, TILE, false, 5), MODEL_NM);
	assert_int_equal(m.xfd_err, TILE);
	assert_int_equal(m.reg[18], 0);
	assert_int_equal(model_xinuse(&m) & TILE, 0);
	assert_int_equal(model_wrmsr(&m, MSR_IA32_XFD, 0), MODEL_OK);
	assert_int_equal(model_use(&m, TILE, false, 5), MODEL_OK);
	assert_int_equal(m.reg[18], 5);
	m.xcr0 = AVX_XCR0; /* sec. 13.3: without XCR0[18] the instruction is #UD */
	assert_int_equal(model_use(&m, TILE, false, 5), MODEL_UD);
}

/* Sec. 13.14: an #NM from CR0.TS leaves IA32_XFD_ERR alone. */
static void test_model_ts_nm(void **state)
{
	struct cpu_model m;

	(void)state;
	model_init(&m, &spr);
	m.xcr0 = AMX_XCR0;
	m.xfd_err = TILE;
	m.cr0_ts = true;
	assert_int_equal(model_use(&m, X87, true, 1), MODEL_NM);
	assert_int_equal(m.xfd_err, TILE);
	assert_int_equal(m.xfd_nm, 0);
}

/* Sec. 13.14: XSAVE of a component armed in IA32_XFD writes it as init
 * (XSTATE_BV[i] = 0); XRSTOR of one with XSTATE_BV[i] = 1 raises #NM with
 * IA32_XFD_ERR naming it and loads nothing. */
static void test_model_xsave_xrstor_armed(void **state)
{
	static uint8_t buf[SIZE_TILE] __attribute__((aligned(64)));
	struct cpu_model m;

	(void)state;
	model_init(&m, &spr);
	m.xcr0 = AMX_XCR0;
	assert_int_equal(model_use(&m, TILE | XFEATURE_MASK_YMM, false, 9), MODEL_OK);
	assert_int_equal(model_xsave(&m, buf, sizeof(buf), AMX_XCR0, XSAVE_FMT_XSAVES), MODEL_OK);
	assert_int_equal(model_xstate_bv(buf), TILE | XFEATURE_MASK_YMM);
	m.xfd = TILE;
	assert_int_equal(model_xrstor(&m, buf, sizeof(buf), AMX_XCR0, XSAVE_FMT_XSAVES), MODEL_NM);
	assert_int_equal(m.xfd_err, TILE);
	m.xfd_err = 0;
	assert_int_equal(model_xsave(&m, buf, sizeof(buf), AMX_XCR0, XSAVE_FMT_XSAVES), MODEL_OK);
	assert_int_equal(model_xstate_bv(buf), XFEATURE_MASK_YMM);
	assert_int_equal(model_xrstor(&m, buf, sizeof(buf), AMX_XCR0, XSAVE_FMT_XSAVES), MODEL_OK);
	assert_int_equal(m.xfd_err, 0);
	/* a buffer too small for RFBM is an overflow, never a silent write */
	assert_int_equal(model_xsave(&m, buf, SIZE_NO_TILE, AMX_XCR0, XSAVE_FMT_XSAVES),
	                 MODEL_OVERFLOW);
	assert_int_equal(model_xsave(&m, buf, SIZE_NO_TILE, AMX_XCR0 & ~TILE, XSAVE_FMT_XSAVES),
	                 MODEL_OK);
}

/* Sec. 13.14: WRMSR of a bit that is not XFD-capable #GPs; without
 * CPUID.(0xD,1):EAX[4] (Bochs 2.7) both MSRs #GP. */
static void test_model_wrmsr_gp(void **state)
{
	struct cpu_model m;
	uint64_t v;

	(void)state;
	model_init(&m, &spr);
	assert_int_equal(model_wrmsr(&m, MSR_IA32_XFD, TILECFG), MODEL_GP);
	assert_int_equal(model_wrmsr(&m, MSR_IA32_XFD, 1ull << 63), MODEL_GP);
	assert_int_equal(model_wrmsr(&m, MSR_IA32_XFD_ERR, 2), MODEL_GP);
	assert_int_equal(model_wrmsr(&m, MSR_IA32_XFD_ERR, TILE), MODEL_OK);
	model_init(&m, &bochs);
	assert_int_equal(model_wrmsr(&m, MSR_IA32_XFD, 0), MODEL_GP);
	assert_int_equal(model_rdmsr(&m, MSR_IA32_XFD_ERR, &v), MODEL_GP);
}

/* ---- the harness: the hypervisor around the real fpu/ code ---- */

struct hvcpu {
	struct guest_fpu g;
	bool nm_trap;  /* exception bitmap bit 7, as the code programmed it */
	bool xfd_pass; /* WRMSR IA32_XFD reaches the model directly */
	bool stopped;  /* its VM was stopped */
	unsigned exits, guest_nm, grows;
};

static bool fail_alloc;
static unsigned hw_xfd_writes;

static void check_ok(enum model_fault f)
{
	assert_int_equal(f, MODEL_OK);
}

static uint64_t op_read_xfd(void)
{
	uint64_t v = 0;

	check_ok(model_rdmsr(cpu, MSR_IA32_XFD, &v));
	return v;
}

/* The hypervisor's own writes must be valid ones. */
static void op_write_xfd(uint64_t val)
{
	hw_xfd_writes++;
	check_ok(model_wrmsr(cpu, MSR_IA32_XFD, val));
}

static uint64_t op_read_err(void)
{
	uint64_t v = 0;

	check_ok(model_rdmsr(cpu, MSR_IA32_XFD_ERR, &v));
	return v;
}

static void op_write_err(uint64_t val)
{
	check_ok(model_wrmsr(cpu, MSR_IA32_XFD_ERR, val));
}

static void op_intercept_nm(void *vcpu, bool on)
{
	((struct hvcpu *)vcpu)->nm_trap = on;
}

static int op_pass_xfd_write(void *vcpu)
{
	((struct hvcpu *)vcpu)->xfd_pass = true;
	return 0;
}

/* As fpu_guest_grow(): a fresh buffer when the one there is too small. */
static int area_grow(struct guest_fpu *g, uint32_t size)
{
	void *p;

	if (fail_alloc)
		return -ENOMEM;
	p = aligned_alloc(64, (size + 63) & ~63u);
	assert_non_null(p);
	memset(p, 0, size);
	free(g->area);
	g->area = p;
	g->area_size = size;
	g->saved = false;
	return 0;
}

static int op_grow(void *vcpu, uint32_t size)
{
	struct hvcpu *v = vcpu;

	if (v->g.area && v->g.area_size >= size)
		return 0;
	v->grows++;
	return area_grow(&v->g, size);
}

static const struct xfd_hw_ops model_ops = {
	.read_xfd = op_read_xfd,
	.write_xfd = op_write_xfd,
	.read_err = op_read_err,
	.write_err = op_write_err,
	.intercept_nm = op_intercept_nm,
	.pass_xfd_write = op_pass_xfd_write,
	.grow = op_grow,
};

static void host_init(const struct xsave_cpuid_table *t, uint64_t allowed)
{
	xfd_caps_init(&xfd_host.caps, t, allowed);
	xfd_host.table = t;
	xfd_host.format = XSAVE_FMT_XSAVES;
	xfd_host.pkru_bit = PKRU;
	xfd_host.hw = &model_ops;
	model_init(&core[0], t);
	model_init(&core[1], t);
	cpu = &core[0];
	fail_alloc = false;
	hw_xfd_writes = 0;
}

static int setup_spr(void **state)
{
	setup_tables(state);
	host_init(&spr, AMX_XCR0);
	return 0;
}

static void vcpu_init(struct hvcpu *v)
{
	memset(v, 0, sizeof(*v));
	v->g.xcr0 = X87;
	xfd_vcpu_init(&v->g.xfd, &xfd_host.caps);
}

static void vcpu_free(struct hvcpu *v)
{
	free(v->g.area);
	v->g.area = NULL;
}

/* fpu_switch_to(): XCR0 = every switched component, save prev, next's
 * IA32_XFD, restore next (which must never #NM), next's XCR0. */
static void switch_to(struct hvcpu *prev, struct hvcpu *next)
{
	cpu->xcr0 = SWITCH;
	if (prev) {
		struct guest_fpu *g = &prev->g;
		struct fpstate_out s = {.has_area = g->area != NULL,
		                        .area_size = g->area_size,
		                        .xcr0 = g->xcr0,
		                        .pkru_bit = PKRU,
		                        .xinuse_known = true,
		                        .xinuse = model_xinuse(cpu),
		                        .mxcsr = XSAVE_MXCSR_INIT,
		                        .unbuffered = g->xfd.hv};
		uint32_t size;

		switch (fpstate_switch_out(&spr, XSAVE_FMT_XSAVES, &s, &size)) {
		case FPSTATE_NONE:
			g->saved = false;
			break;
		case FPSTATE_ALLOC:
			assert_int_equal(area_grow(g, size), 0);
			/* fall through */
		case FPSTATE_SAVE:
			check_ok(model_xsave(cpu, g->area, g->area_size, fpstate_save_mask(&s),
			                     XSAVE_FMT_XSAVES));
			g->saved = true;
			xfd_saved(g);
			/* the invariant: no image names a component armed for it */
			assert_int_equal(model_xstate_bv(g->area) & xfd_hw_value(&g->xfd), 0);
			break;
		}
	}
	xfd_switch_in(&next->g);
	if (next->g.saved)
		check_ok(model_xrstor(cpu, next->g.area, next->g.area_size, SWITCH,
		                      XSAVE_FMT_XSAVES));
	else
		check_ok(model_xrstor(cpu, init_image, sizeof(init_image), SWITCH,
		                      XSAVE_FMT_STANDARD));
	cpu->xcr0 = next->g.xcr0;
}

static void enter(struct hvcpu *v)
{
	xfd_enter(&v->g, v);
	assert_int_equal(cpu->xfd, xfd_hw_value(&v->g.xfd));
	assert_int_equal(cpu->xfd_err, 0); /* the guest's value never sits in the MSR */
}

/* An exit: the hypervisor then runs with IA32_XFD_ERR 0. */
static void leave(struct hvcpu *v, bool nm)
{
	v->exits++;
	xfd_exit(&v->g, v, nm);
	assert_int_equal(cpu->xfd_err, 0);
}

/* The guest executes an instruction using comps. Returns what the guest saw:
 * MODEL_OK, MODEL_NM (delivered to it) or MODEL_UD; -1: its VM was stopped. */
static int guest_use(struct hvcpu *v, uint64_t comps, bool ts, uint64_t token)
{
	for (int tries = 0; tries < 3; tries++) {
		uint32_t size;
		enum model_fault f;

		enter(v);
		f = model_use(cpu, comps, ts, token);
		if (f != MODEL_NM || !v->nm_trap) {
			v->guest_nm += f == MODEL_NM;
			leave(v, false); /* the next exit, whatever its reason */
			return f;
		}
		leave(v, true);
		switch (xfd_handle_nm(&v->g, v, &size)) {
		case XFD_NM_RETRY:
			continue;
		case XFD_NM_NOMEM:
			v->stopped = true;
			return -1;
		case XFD_NM_REFLECT:
			v->guest_nm++;
			return MODEL_NM;
		}
	}
	fail_msg("the instruction was retried without progress");
	return -1;
}

/* The guest's WRMSR: MODEL_OK or MODEL_GP. */
static int guest_wrmsr(struct hvcpu *v, uint32_t msr, uint64_t val)
{
	int r;

	enter(v);
	if (msr == MSR_IA32_XFD && v->xfd_pass) {
		r = model_wrmsr(cpu, msr, val); /* no exit: the CPU's own rule */
		leave(v, false);
		return r;
	}
	leave(v, false);
	return xfd_wrmsr(&v->g, msr, val) ? MODEL_GP : MODEL_OK;
}

/* The guest's RDMSR (always an exit); *val = what it reads. */
static int guest_rdmsr(struct hvcpu *v, uint32_t msr, uint64_t *val)
{
	enter(v);
	leave(v, false);
	return xfd_rdmsr(&v->g, msr, val) ? MODEL_GP : MODEL_OK;
}

/* XSETBV, as fpu_set_xcr0(): a buffer too small for the new XCR0 (without
 * the unbuffered components) is replaced. */
static void guest_xsetbv(struct hvcpu *v, uint64_t val)
{
	enter(v);
	leave(v, false);
	assert_true(xcr0_valid(val, AMX_XCR0));
	if (v->g.area && v->g.area_size < xfd_area_size(&v->g, v->g.xfd.hv))
		assert_int_equal(area_grow(&v->g, xfd_area_size(&v->g, v->g.xfd.hv)), 0);
	v->g.xcr0 = val;
	cpu->xcr0 = val;
}

/* A vCPU that enabled AMX in XCR0 and used AVX-512, switched out once. */
static void amx_ready(struct hvcpu *v)
{
	vcpu_init(v);
	switch_to(NULL, v);
	guest_xsetbv(v, AMX_XCR0);
	assert_int_equal(guest_use(v, AVX512 | XFEATURE_MASK_YMM, false, 0x51), MODEL_OK);
}

/* Enable AMX, then the first tile instruction: one #NM exit, the buffer
 * grows once to the size with XTILEDATA, the instruction retries, the guest
 * sees no #NM; then #NM and XFD writes stop exiting. */
static void test_first_tile_use(void **state)
{
	struct hvcpu v, other;
	uint64_t val = 1;

	(void)state;
	amx_ready(&v);
	vcpu_init(&other);
	assert_true(v.nm_trap); /* hv = XTILEDATA, enabled in XCR0 */
	assert_int_equal(v.g.xfd.hv, TILE);
	assert_int_equal(cpu->xfd, TILE);
	assert_false(v.xfd_pass);
	switch_to(&v, &other); /* first save: no room for tile data */
	assert_int_equal(v.g.area_size, SIZE_NO_TILE);
	switch_to(&other, &v);
	assert_int_equal(cpu->xfd, TILE);

	assert_int_equal(guest_use(&v, TILE, false, 0x7e), MODEL_OK);
	assert_int_equal(v.guest_nm, 0);
	assert_int_equal(v.g.xfd.nm_exits, 1);
	assert_int_equal(v.g.xfd.allocs, 1);
	assert_int_equal(v.grows, 1);
	assert_int_equal(v.g.area_size, SIZE_TILE);
	assert_int_equal(v.g.xfd.hv, 0);
	assert_int_equal(cpu->reg[18], 0x7e);
	assert_int_equal(cpu->xfd_err, 0);
	assert_int_equal(guest_rdmsr(&v, MSR_IA32_XFD_ERR, &val), MODEL_OK);
	assert_int_equal(val, 0); /* that #NM was never the guest's */
	/* the next entry: nothing left disabled, no #NM exits, XFD passes */
	enter(&v);
	leave(&v, false);
	assert_false(v.nm_trap);
	assert_true(v.xfd_pass);
	assert_int_equal(cpu->xfd, 0);
	assert_int_equal(guest_use(&v, TILE, false, 0x7f), MODEL_OK);
	assert_int_equal(v.g.xfd.nm_exits, 1);
	/* the tile data survives a switch out and back */
	switch_to(&v, &other);
	assert_int_equal(model_xstate_bv(v.g.area) & TILE, TILE);
	assert_int_equal(cpu->reg[18], 0);
	switch_to(&other, &v);
	assert_int_equal(cpu->reg[18], 0x7f);
	assert_int_equal(v.grows, 1);
	vcpu_free(&v);
	vcpu_free(&other);
}

/* The guest arms its own XFD: its #NM reaches it with IA32_XFD_ERR set; it
 * clears XFD and XFD_ERR, its next tile use is the hypervisor's allocation,
 * after which WRMSR IA32_XFD passes through and is re-read at every exit. */
static void test_guest_xfd(void **state)
{
	struct hvcpu v;
	uint64_t val = 0;

	(void)state;
	amx_ready(&v);
	assert_int_equal(guest_wrmsr(&v, MSR_IA32_XFD, TILE), MODEL_OK);
	assert_int_equal(v.g.xfd.wrmsr_exits, 1);
	assert_int_equal(guest_rdmsr(&v, MSR_IA32_XFD, &val), MODEL_OK);
	assert_int_equal(val, TILE);
	enter(&v);
	leave(&v, false);
	assert_false(v.nm_trap); /* armed by the guest too: its #NM is its own */
	assert_int_equal(guest_use(&v, TILE, false, 1), MODEL_NM);
	assert_int_equal(v.guest_nm, 1);
	assert_int_equal(v.g.xfd.nm_exits, 0);
	assert_int_equal(guest_rdmsr(&v, MSR_IA32_XFD_ERR, &val), MODEL_OK);
	assert_int_equal(val, TILE);
	/* its #NM handler: XFD = 0, XFD_ERR = 0, retry */
	assert_int_equal(guest_wrmsr(&v, MSR_IA32_XFD, 0), MODEL_OK);
	assert_int_equal(guest_wrmsr(&v, MSR_IA32_XFD_ERR, 0), MODEL_OK);
	assert_int_equal(v.g.xfd.wrmsr_exits, 2);
	assert_int_equal(guest_use(&v, TILE, false, 2), MODEL_OK);
	assert_int_equal(v.g.xfd.nm_exits, 1);
	assert_int_equal(v.guest_nm, 1);
	assert_int_equal(v.g.area_size, SIZE_TILE);
	assert_int_equal(guest_rdmsr(&v, MSR_IA32_XFD_ERR, &val), MODEL_OK);
	assert_int_equal(val, 0);
	/* passthrough: the write reaches the CPU, the exit reads it back */
	assert_true(v.xfd_pass);
	assert_int_equal(guest_wrmsr(&v, MSR_IA32_XFD, TILE), MODEL_OK);
	assert_int_equal(v.g.xfd.wrmsr_exits, 2);
	assert_int_equal(v.g.xfd.guest, TILE);
	assert_int_equal(guest_rdmsr(&v, MSR_IA32_XFD, &val), MODEL_OK);
	assert_int_equal(val, TILE);
	assert_int_equal(guest_use(&v, TILE, false, 3), MODEL_NM); /* no exit: not trapped */
	assert_int_equal(v.g.xfd.nm_exits, 1);
	assert_int_equal(guest_rdmsr(&v, MSR_IA32_XFD_ERR, &val), MODEL_OK);
	assert_int_equal(val, TILE);
	/* an invalid write under passthrough: the CPU's own #GP, nothing changes */
	assert_int_equal(guest_wrmsr(&v, MSR_IA32_XFD, TILECFG), MODEL_GP);
	assert_int_equal(guest_rdmsr(&v, MSR_IA32_XFD, &val), MODEL_OK);
	assert_int_equal(val, TILE);
	vcpu_free(&v);
}

/* CR0.TS: the #NM goes to the guest with its IA32_XFD_ERR unchanged, both
 * while #NM is intercepted (before allocation) and after. */
static void test_cr0_ts(void **state)
{
	struct hvcpu v;
	uint64_t val = 0;

	(void)state;
	amx_ready(&v);
	assert_int_equal(guest_wrmsr(&v, MSR_IA32_XFD_ERR, TILE), MODEL_OK);
	cpu->cr0_ts = true;
	assert_int_equal(guest_use(&v, X87, true, 4), MODEL_NM);
	assert_int_equal(v.g.xfd.nm_exits, 1); /* intercepted, and reflected */
	assert_int_equal(v.g.xfd.nm_reflected, 1);
	assert_int_equal(v.g.xfd.allocs, 0);
	assert_int_equal(v.g.xfd.hv, TILE);
	assert_int_equal(guest_rdmsr(&v, MSR_IA32_XFD_ERR, &val), MODEL_OK);
	assert_int_equal(val, TILE);
	cpu->cr0_ts = false;
	assert_int_equal(guest_wrmsr(&v, MSR_IA32_XFD_ERR, 0), MODEL_OK);
	assert_int_equal(guest_use(&v, TILE, false, 5), MODEL_OK);
	cpu->cr0_ts = true;
	assert_int_equal(guest_use(&v, X87, true, 6), MODEL_NM);
	assert_int_equal(v.g.xfd.nm_exits, 2); /* not intercepted any more */
	assert_int_equal(guest_rdmsr(&v, MSR_IA32_XFD_ERR, &val), MODEL_OK);
	assert_int_equal(val, 0);
	cpu->cr0_ts = false;
	vcpu_free(&v);
}

/* An AMX vCPU and a non-AMX one alternate on a core, then the AMX one moves
 * to the other core, whose IA32_XFD still arms tile data: each XRSTOR runs
 * under the incoming vCPU's IA32_XFD, no restore raises #NM, each keeps its
 * state and buffer size, and the non-AMX vCPU never intercepts #NM. */
static void test_two_vcpus_and_migration(void **state)
{
	struct hvcpu a, b;

	(void)state;
	amx_ready(&a);
	assert_int_equal(guest_use(&a, TILE, false, 0xa1), MODEL_OK);
	vcpu_init(&b);
	for (int round = 0; round < 3; round++) {
		switch_to(&a, &b);
		assert_int_equal(cpu->xfd, TILE); /* b: hv arms tile data, not in its XCR0 */
		if (!round)
			guest_xsetbv(&b, AVX_XCR0);
		assert_int_equal(guest_use(&b, XFEATURE_MASK_YMM, false, 0xb0 + round), MODEL_OK);
		assert_false(b.nm_trap);
		assert_int_equal(guest_use(&b, TILE, false, 1), MODEL_UD); /* not in XCR0 */
		switch_to(&b, &a);
		assert_int_equal(cpu->xfd, 0);
		assert_int_equal(cpu->reg[18], 0xa1);
		assert_int_equal(guest_use(&a, TILE, false, 0xa1), MODEL_OK);
		assert_int_equal(b.g.area_size, SIZE_AVX);
		assert_int_equal(model_xstate_bv(b.g.area) & TILE, 0);
	}
	assert_int_equal(a.g.xfd.nm_exits, 1);
	assert_int_equal(b.g.xfd.nm_exits, 0);
	assert_int_equal(b.g.xfd.hv, TILE);
	/* a moves: saved here, restored on core 1 (IA32_XFD = TILE there) */
	switch_to(&a, &b);
	cpu = &core[1];
	check_ok(model_wrmsr(cpu, MSR_IA32_XFD, TILE));
	cpu->xcr0 = SWITCH;
	switch_to(NULL, &a);
	assert_int_equal(cpu->xfd, 0);
	assert_int_equal(cpu->reg[18], 0xa1);
	assert_int_equal(guest_use(&a, TILE, false, 0xa2), MODEL_OK);
	assert_int_equal(a.g.xfd.nm_exits, 1);
	assert_int_equal(a.grows, 1);
	cpu = &core[0];
	vcpu_free(&a);
	vcpu_free(&b);
}

/* IA32_XFD_ERR survives the hypervisor's own work: after a's guest-visible
 * XFD #NM the exit clears the MSR, the core runs b (a reflected CR0.TS #NM
 * and an allocation #NM, whose reports go through the same MSR) and takes
 * a's switch back; a then reads its value, b its own. */
static void test_xfd_err_survives(void **state)
{
	struct hvcpu a, b;
	uint64_t val = 0;

	(void)state;
	amx_ready(&a);
	assert_int_equal(guest_use(&a, TILE, false, 1), MODEL_OK); /* allocated */
	assert_int_equal(guest_wrmsr(&a, MSR_IA32_XFD, TILE), MODEL_OK);
	assert_int_equal(guest_use(&a, TILE, false, 2), MODEL_NM);
	assert_int_equal(cpu->xfd_err, 0);
	vcpu_init(&b);
	switch_to(&a, &b);
	guest_xsetbv(&b, AMX_XCR0);
	cpu->cr0_ts = true;
	assert_int_equal(guest_use(&b, X87, true, 3), MODEL_NM);
	cpu->cr0_ts = false;
	assert_int_equal(guest_use(&b, TILE, false, 4), MODEL_OK);
	assert_int_equal(b.g.xfd.allocs, 1);
	switch_to(&b, &a);
	assert_int_equal(guest_rdmsr(&a, MSR_IA32_XFD_ERR, &val), MODEL_OK);
	assert_int_equal(val, TILE);
	switch_to(&a, &b);
	assert_int_equal(guest_rdmsr(&b, MSR_IA32_XFD_ERR, &val), MODEL_OK);
	assert_int_equal(val, 0);
	vcpu_free(&a);
	vcpu_free(&b);
}

/* WRMSR of a bit that is not XFD-capable or reserved, while intercepted:
 * #GP and no change; reads return the guest's value. */
static void test_invalid_wrmsr(void **state)
{
	static const uint64_t bad[] = {TILECFG, XFEATURE_MASK_YMM, 1ull << 63, 1ull << 19, 1};
	struct hvcpu v;
	uint64_t val = 0;

	(void)state;
	amx_ready(&v);
	assert_int_equal(guest_wrmsr(&v, MSR_IA32_XFD, TILE), MODEL_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(guest_wrmsr(&v, MSR_IA32_XFD, bad[i] | TILE), MODEL_GP);
		assert_int_equal(guest_wrmsr(&v, MSR_IA32_XFD_ERR, bad[i]), MODEL_GP);
	}
	assert_int_equal(guest_rdmsr(&v, MSR_IA32_XFD, &val), MODEL_OK);
	assert_int_equal(val, TILE);
	assert_int_equal(cpu->xfd, TILE);
	assert_int_equal(guest_rdmsr(&v, MSR_IA32_XFD_ERR, &val), MODEL_OK);
	assert_int_equal(val, 0);
	vcpu_free(&v);
}

/* No memory for the larger buffer: that VM stops (the hypervisor's
 * message: vmx/vmx_xfd.c), its state as it was; another vCPU runs on. */
static void test_allocation_failure(void **state)
{
	struct hvcpu v, other;

	(void)state;
	amx_ready(&v);
	vcpu_init(&other);
	switch_to(&v, &other);
	switch_to(&other, &v);
	fail_alloc = true;
	assert_int_equal(guest_use(&v, TILE, false, 1), -1);
	assert_true(v.stopped);
	assert_int_equal(v.g.xfd.hv, TILE);
	assert_int_equal(v.g.area_size, SIZE_NO_TILE);
	assert_int_equal(v.g.xfd.allocs, 0);
	fail_alloc = false;
	switch_to(&v, &other);
	assert_int_equal(guest_use(&other, X87, false, 9), MODEL_OK);
	assert_false(other.stopped);
	vcpu_free(&v);
	vcpu_free(&other);
}

/* Without XFD (Bochs 2.7): no MSR, no #NM intercept, IA32_XFD never written. */
static void test_no_xfd_cpu(void **state)
{
	struct hvcpu v;
	uint64_t val;

	(void)state;
	setup_tables(state);
	host_init(&bochs, 0x2e7);
	vcpu_init(&v);
	assert_false(xfd_host.caps.present);
	assert_int_equal(v.g.xfd.hv, 0);
	xfd_enter(&v.g, &v);
	xfd_switch_in(&v.g);
	xfd_exit(&v.g, &v, false);
	assert_false(v.nm_trap);
	assert_int_equal(hw_xfd_writes, 0);
	assert_int_equal(xfd_wrmsr(&v.g, MSR_IA32_XFD, 0), -EINVAL);
	assert_int_equal(xfd_wrmsr(&v.g, MSR_IA32_XFD_ERR, 0), -EINVAL);
	assert_int_equal(xfd_rdmsr(&v.g, MSR_IA32_XFD, &val), -EINVAL);
	assert_int_equal(xfd_rdmsr(&v.g, MSR_IA32_XFD_ERR, &val), -EINVAL);
}

/* The README's figures: save memory of 64 vCPUs that all enable AMX in
 * XCR0 and use AVX-512, of which one uses tiles, against a buffer sized
 * for XTILEDATA for every vCPU; and the exits the scheme adds. */
static void test_figures(void **state)
{
	static struct hvcpu v[NR_FIG_VCPUS];
	size_t sable = 0, upfront = 0;
	unsigned nm = 0, wr = 0;

	(void)state;
	for (unsigned i = 0; i < NR_FIG_VCPUS; i++) {
		amx_ready(&v[i]);
		/* a Linux guest writes IA32_XFD at its context switches */
		assert_int_equal(guest_wrmsr(&v[i], MSR_IA32_XFD, TILE), MODEL_OK);
		assert_int_equal(guest_wrmsr(&v[i], MSR_IA32_XFD, 0), MODEL_OK);
		if (i == 0)
			assert_int_equal(guest_use(&v[i], TILE, false, 1), MODEL_OK);
		assert_int_equal(guest_wrmsr(&v[i], MSR_IA32_XFD, 0), MODEL_OK);
		switch_to(&v[i], &v[i]);
		sable += v[i].g.area_size;
		upfront += xfd_area_size(&v[i].g, 0);
		nm += v[i].g.xfd.nm_exits;
		wr += v[i].g.xfd.wrmsr_exits;
	}
	assert_int_equal(v[0].g.area_size, SIZE_TILE);
	assert_int_equal(v[1].g.area_size, SIZE_NO_TILE);
	assert_int_equal(sable, SIZE_TILE + (NR_FIG_VCPUS - 1) * SIZE_NO_TILE);
	assert_int_equal(upfront, NR_FIG_VCPUS * SIZE_TILE);
	assert_int_equal(nm, 1);
	assert_int_equal(v[0].g.xfd.wrmsr_exits, 2); /* the third one passed through */
	printf("XFD figures (Sapphire Rapids leaf 0xD, XSAVES): %u vCPUs, 1 using AMX: "
	       "Sable %zu bytes of FPU save buffers, up-front %zu bytes (%zu%%); extra exits: "
	       "1 #NM for the AMX vCPU, 0 for the others; WRMSR IA32_XFD exits until the first "
	       "tile use, then none (here %u of the AMX vCPU's 3 writes; %u of 3 for a vCPU "
	       "that never uses tiles; %u in all)\n",
	       NR_FIG_VCPUS, sable, upfront, sable * 100 / upfront, v[0].g.xfd.wrmsr_exits,
	       v[1].g.xfd.wrmsr_exits, wr);
	for (unsigned i = 0; i < NR_FIG_VCPUS; i++)
		vcpu_free(&v[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_model_xfd_nm, setup_tables),
		cmocka_unit_test_setup(test_model_ts_nm, setup_tables),
		cmocka_unit_test_setup(test_model_xsave_xrstor_armed, setup_tables),
		cmocka_unit_test_setup(test_model_wrmsr_gp, setup_tables),
		cmocka_unit_test_setup(test_first_tile_use, setup_spr),
		cmocka_unit_test_setup(test_guest_xfd, setup_spr),
		cmocka_unit_test_setup(test_cr0_ts, setup_spr),
		cmocka_unit_test_setup(test_two_vcpus_and_migration, setup_spr),
		cmocka_unit_test_setup(test_xfd_err_survives, setup_spr),
		cmocka_unit_test_setup(test_invalid_wrmsr, setup_spr),
		cmocka_unit_test_setup(test_allocation_failure, setup_spr),
		cmocka_unit_test_setup(test_no_xfd_cpu, setup_tables),
		cmocka_unit_test_setup(test_figures, setup_spr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
