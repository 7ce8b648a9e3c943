// SPDX-License-Identifier: MIT
/*
 * xsetbv: XSETBV's architectural checks as a guest sees them (SDM Vol. 2D
 * "XSETBV"); every refused XSETBV must leave XCR0 as it was.
 *   xsetbv-ud-no-osxsave   #UD while CR4.OSXSAVE is 0
 *   xsetbv-gp-cpl3         #GP at CPL 3 (user mode)
 *   xsetbv-gp-ecx          #GP for ECX = 1, 2, 0xffffffff
 *   xsetbv-gp-x87          #GP with bit 0 clear (0, 0x2, 0x6)
 *   xsetbv-gp-avx-no-sse   #GP for 0x5
 *   xsetbv-gp-avx512       #GP for AVX-512 bits not all-or-none, or without AVX
 *   xsetbv-gp-not-offered  #GP for each component group CPUID.(0xD,0) does not offer
 *   xsetbv-gp-reserved     #GP for bits 8, 10-16, 19, 31, 32, 63
 *   xsetbv-gp-amx          #GP for XTILECFG or XTILEDATA alone
 *   xsetbv-valid           each offered legal value reads back with XGETBV and
 *                          CPUID.(0xD,0).EBX is the end of its last component
 *   xsetbv-avx-gated       VEX (YMM) and EVEX (opmask, ZMM) instructions raise
 *                          #UD unless XCR0 enables their state, and run when it does
 */
#include "guest.h"

#define VEC_UD       6
#define VEC_GP       13
#define CR0_EM       (1u << 2)
#define CR0_TS       (1u << 3)
#define CR4_OSFXSR   (1u << 9)
#define XCR0_X87     0x1u
#define XCR0_SSE     0x3u
#define XCR0_AVX     0x7u
#define XCR0_AVX512  0xe7u
#define EXT_START    576u
#define NR_SUBLEAVES 19u

static uint32_t user_stack[1024] __attribute__((aligned(16)));
static volatile int user_vector;

static int xsetbv_safe(uint32_t xcr, uint64_t v)
{
	fault_arm();
	asm volatile("1: xsetbv\n2:\n\t" EXTABLE(1b, 2b)
	             :
	             : "c"(xcr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
	             : "memory");
	return fault_vector >= 0 ? fault_vector : 0;
}

static void user_xsetbv(void)
{
	user_vector = xsetbv_safe(0, XCR0_AVX);
}

/* XSETBV(xcr, v) must raise #GP and leave XCR0 alone. */
static void expect_gp(uint32_t xcr, uint64_t v)
{
	uint64_t before = xgetbv(0);
	int vec = xsetbv_safe(xcr, v);

	CHECK(vec == VEC_GP, "xsetbv(%u, 0x%llx): vector %d, want #GP", xcr, (unsigned long long)v,
	      vec);
	CHECK(xgetbv(0) == before, "xsetbv(%u, 0x%llx) changed XCR0 0x%llx -> 0x%llx", xcr,
	      (unsigned long long)v, (unsigned long long)before, (unsigned long long)xgetbv(0));
}

static int vex_ymm_safe(void)
{
	fault_arm();
	asm volatile("1: vxorps %%ymm1, %%ymm1, %%ymm1\n2:\n\t" EXTABLE(1b, 2b) : : : "memory");
	return fault_vector >= 0 ? fault_vector : 0;
}

static int evex_kmov_safe(void)
{
	fault_arm();
	asm volatile("1: kmovw %%eax, %%k1\n2:\n\t" EXTABLE(1b, 2b) : : "a"(0x5a5a) : "memory");
	return fault_vector >= 0 ? fault_vector : 0;
}

static int evex_zmm_safe(void)
{
	fault_arm();
	asm volatile("1: vpxord %%zmm1, %%zmm1, %%zmm1\n2:\n\t" EXTABLE(1b, 2b) : : : "memory");
	return fault_vector >= 0 ? fault_vector : 0;
}

/* CPUID.(0xD,0).EBX for xcr0: the end of its last enabled component. */
static uint32_t std_size(uint32_t xcr0)
{
	uint32_t end = EXT_START;

	for (uint32_t i = 2; i < NR_SUBLEAVES; i++) {
		struct cpuid_regs c;

		if (!(xcr0 & (1u << i)))
			continue;
		cpuid(0xd, i, &c);
		if (c.ebx + c.eax > end)
			end = c.ebx + c.eax;
	}
	return end;
}

static void test_ud_cpl(void)
{
	int vec;

	vec = xsetbv_safe(0, XCR0_X87);
	if (vec == VEC_UD)
		test_pass("xsetbv-ud-no-osxsave");
	else
		test_fail("xsetbv-ud-no-osxsave", "XSETBV with CR4.OSXSAVE 0: vector %d, want #UD",
		          vec);
	write_cr4(read_cr4() | CR4_OSXSAVE | CR4_OSFXSR);
	user_init();
	user_vector = -2;
	user_run(user_xsetbv, (uint32_t)&user_stack[ARRAY_SIZE(user_stack)]);
	if (user_vector == VEC_GP && xgetbv(0) == XCR0_X87)
		test_pass("xsetbv-gp-cpl3");
	else
		test_fail("xsetbv-gp-cpl3", "XSETBV at CPL 3: vector %d, XCR0 0x%llx", user_vector,
		          (unsigned long long)xgetbv(0));
}

static void test_gp_rules(uint32_t offered)
{
	static const uint32_t avx512_parts[] = {0x27, 0x47, 0x87, 0x67, 0xa7, 0xc7, 0xe3, 0xe1};
	/* MPX, AVX-512, PKRU, AMX: each group whole, on top of AVX */
	static const uint32_t groups[] = {0x18, 0xe0, 0x200, 0x60000};
	static const uint32_t reserved[] = {8, 10, 11, 12, 13, 14, 15, 16, 19, 31, 32, 63};

	test_begin("xsetbv-gp-ecx");
	expect_gp(1, XCR0_X87);
	expect_gp(2, XCR0_X87);
	expect_gp(0xffffffffu, XCR0_X87);
	test_end();
	test_begin("xsetbv-gp-x87");
	expect_gp(0, 0);
	expect_gp(0, 0x2);
	expect_gp(0, 0x6);
	test_end();
	test_begin("xsetbv-gp-avx-no-sse");
	expect_gp(0, 0x5);
	test_end();
	test_begin("xsetbv-gp-avx512");
	for (uint32_t i = 0; i < ARRAY_SIZE(avx512_parts); i++)
		expect_gp(0, avx512_parts[i]);
	test_end();
	test_begin("xsetbv-gp-not-offered");
	for (uint32_t i = 0; i < ARRAY_SIZE(groups); i++)
		if ((offered & groups[i]) != groups[i])
			expect_gp(0, XCR0_AVX | groups[i]);
	test_end();
	test_begin("xsetbv-gp-reserved");
	for (uint32_t i = 0; i < ARRAY_SIZE(reserved); i++)
		expect_gp(0, XCR0_SSE | (1ull << reserved[i]));
	test_end();
	test_begin("xsetbv-gp-amx");
	expect_gp(0, XCR0_AVX512 | (1u << 17));
	expect_gp(0, XCR0_AVX512 | (1u << 18));
	test_end();
}

static void test_valid(uint32_t offered)
{
	static const uint32_t tries[] = {XCR0_X87, XCR0_SSE, XCR0_AVX, XCR0_AVX512, XCR0_SSE};

	test_begin("xsetbv-valid");
	for (uint32_t k = 0; k < ARRAY_SIZE(tries); k++) {
		struct cpuid_regs r;
		int vec;

		if ((tries[k] & offered) != tries[k])
			continue;
		vec = xsetbv_safe(0, tries[k]);
		CHECK(vec == 0, "xsetbv(0, 0x%x): vector %d", tries[k], vec);
		CHECK(xgetbv(0) == tries[k], "XGETBV 0x%llx after XSETBV 0x%x",
		      (unsigned long long)xgetbv(0), tries[k]);
		cpuid(0xd, 0, &r);
		CHECK(r.ebx == std_size(tries[k]), "XCR0 0x%x: CPUID.(0xD,0).EBX %u, want %u",
		      tries[k], r.ebx, std_size(tries[k]));
	}
	test_end();
}

static void expect_vec(const char *what, uint32_t xcr0, int vec, int want)
{
	CHECK(vec == want, "%s with XCR0 0x%x: vector %d, want %d", what, xcr0, vec, want);
}

static void test_gated(uint32_t offered)
{
	if ((offered & XCR0_AVX512) != XCR0_AVX512) {
		test_skip("xsetbv-avx-gated", "CPUID.(0xD,0) offers no AVX-512 state");
		return;
	}
	write_cr0(read_cr0() & ~(CR0_EM | CR0_TS));
	test_begin("xsetbv-avx-gated");
	xsetbv(0, XCR0_SSE);
	expect_vec("vxorps ymm", XCR0_SSE, vex_ymm_safe(), VEC_UD);
	expect_vec("kmovw", XCR0_SSE, evex_kmov_safe(), VEC_UD);
	xsetbv(0, XCR0_AVX);
	expect_vec("vxorps ymm", XCR0_AVX, vex_ymm_safe(), 0);
	expect_vec("kmovw", XCR0_AVX, evex_kmov_safe(), VEC_UD);
	expect_vec("vpxord zmm", XCR0_AVX, evex_zmm_safe(), VEC_UD);
	xsetbv(0, XCR0_AVX512);
	expect_vec("kmovw", XCR0_AVX512, evex_kmov_safe(), 0);
	expect_vec("vpxord zmm", XCR0_AVX512, evex_zmm_safe(), 0);
	xsetbv(0, XCR0_AVX);
	expect_vec("kmovw", XCR0_AVX, evex_kmov_safe(), VEC_UD);
	test_end();
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	uint32_t offered = xsave_offered_or_finish("xsetbv");

	(void)magic;
	(void)mbi;
	test_ud_cpl();
	test_gp_rules(offered);
	test_valid(offered);
	test_gated(offered);
	xsetbv(0, XCR0_X87);
	tests_finish();
}
