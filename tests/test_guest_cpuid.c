/* Unit tests for hv/guest_cpuid.c against a fake Tiger Lake-like host CPU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/vdev/guest_cpuid.h"
#include "xsave_table_fixture.h"

#define ANY 0xffffffffu /* table entry for a leaf that ignores the subleaf */

struct fake_leaf {
	uint32_t leaf, sub;
	struct cpuid_regs r;
};

/*
 * A Tiger Lake (i7-1165G7-like) CPUID dump. A few bits a real part lacks
 * (SGX, WAITPKG, SGX_LC, PKS) are set so the masks have something to clear.
 */
static const struct fake_leaf tiger_lake[] = {
	{0x0, ANY, {0x1b, 0x756e6547, 0x6c65746e, 0x49656e69}},
	{0x1, ANY, {0x000806c1, 0x00100800, 0x7ffafbbf, 0xbfebfbff}},
	{0x2, ANY, {0x00feff01, 0, 0, 0x000000f0}},
	{0x4, 0, {0x1c004121, 0x02c0003f, 0x0000003f, 0}},
	{0x4, 1, {0x1c004122, 0x01c0003f, 0x0000003f, 0}},
	{0x4, 2, {0x1c004143, 0x03c0003f, 0x000003ff, 0}},
	{0x4, 3, {0x1c03c163, 0x02c0003f, 0x00003fff, 6}},
	{0x5, ANY, {0x40, 0x40, 3, 0x11121020}},
	{0x6, ANY, {0x0017aff7, 2, 9, 0}},
	{0x7, 0, {0, 0xf3bfa7ef, 0xc040013e, 0xfc000510}},
	{0x7, 1, {0x10, 0x4, 0x20, 0x40000000}},
	{0xa, ANY, {0x08300805, 0, 0, 0x8603}},
	{0xb, 0, {1, 2, 0x100, 4}},
	{0xb, 1, {4, 8, 0x201, 4}},
	{0xd, 0, {0x2e7, 0x240, 0xa88, 0}},
	{0xd, 1, {0xf, 0x240, 0x100, 0}},
	{0xd, 2, {256, 576, 0, 0}},
	{0xd, 5, {64, 1088, 0, 0}},
	{0xd, 6, {512, 1152, 0, 0}},
	{0xd, 7, {1024, 1664, 0, 0}},
	{0xd, 8, {0x48, 0, 1, 0}},
	{0xd, 9, {8, 2688, 0, 0}},
	{0x15, ANY, {2, 0xe8, 0x0249f000, 0}},
	{0x16, ANY, {0xaf0, 0x11f8, 0x64, 0}},
	{0x1b, 0, {1, 1, 0, 0}},
	{0x80000000, ANY, {0x80000008, 0, 0, 0}},
	{0x80000001, ANY, {0, 0, 0x121, 0x2c100800}},
	{0x80000006, ANY, {0, 0, 0x05007040, 0}},
	{0x80000007, ANY, {0, 0, 0, 0x100}},
	{0x80000008, ANY, {0x3027, 0, 0, 0}},
};

static const char brand[48] = "11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz";

/* The fake host: patches override the table; unknown leaves read as zero. */
struct fake_cpu {
	struct fake_leaf patch[8];
	size_t npatch;
	unsigned calls;
};

static bool match(const struct fake_leaf *e, uint32_t leaf, uint32_t sub)
{
	return e->leaf == leaf && (e->sub == ANY || e->sub == sub);
}

static void fake_host(void *ctx, uint32_t leaf, uint32_t sub, struct cpuid_regs *out)
{
	struct fake_cpu *cpu = ctx;

	cpu->calls++;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < cpu->npatch; i++) {
		if (match(&cpu->patch[i], leaf, sub)) {
			*out = cpu->patch[i].r;
			return;
		}
	}
	if (leaf >= 0x80000002 && leaf <= 0x80000004) {
		memcpy(out, brand + 16 * (leaf - 0x80000002), 16);
		return;
	}
	for (size_t i = 0; i < sizeof(tiger_lake) / sizeof(tiger_lake[0]); i++) {
		if (match(&tiger_lake[i], leaf, sub)) {
			*out = tiger_lake[i].r;
			return;
		}
	}
}

static void patch(struct fake_cpu *cpu, uint32_t leaf, uint32_t sub, uint32_t a, uint32_t b,
                  uint32_t c, uint32_t d)
{
	assert_true(cpu->npatch < sizeof(cpu->patch) / sizeof(cpu->patch[0]));
	cpu->patch[cpu->npatch++] = (struct fake_leaf){leaf, sub, {a, b, c, d}};
}

static struct fake_cpu cpu;
static struct guest_cpuid_ctx ctx;
static struct xsave_cpuid_table host_xsave; /* what the hypervisor reads at boot */
static bool fixed_table;                    /* host_xsave set by the test, not read from cpu */

/* Fresh fake CPU and a 4-vCPU context for vCPU 2 with x87|SSE|AVX allowed. */
static int setup(void **state)
{
	memset(&cpu, 0, sizeof(cpu));
	fixed_table = false;
	ctx = (struct guest_cpuid_ctx){
		.host = fake_host,
		.host_ctx = &cpu,
		.vcpu_id = 2,
		.nvcpus = 4,
		.cr4_osxsave = false,
		.guest_xcr0 = 0x3,
		.xcr0_allowed = 0x2e7,
		.xsave = &host_xsave,
	};
	return 0;
}

static struct cpuid_regs q(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;

	memset(&r, 0xcc, sizeof(r));
	if (leaf == 0xd && !fixed_table && ctx.xsave) {
		unsigned calls = cpu.calls;

		xsave_table_read(fake_host, &cpu, 0, 0, &host_xsave);
		cpu.calls = calls;
	}
	guest_cpuid(&ctx, leaf, sub, &r);
	return r;
}

static void expect_regs(struct cpuid_regs r, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	assert_int_equal(r.eax, a);
	assert_int_equal(r.ebx, b);
	assert_int_equal(r.ecx, c);
	assert_int_equal(r.edx, d);
}

static void expect_same(struct cpuid_regs a, struct cpuid_regs b)
{
	expect_regs(a, b.eax, b.ebx, b.ecx, b.edx);
}

static void test_leaf0_max_and_vendor(void **state)
{
	expect_regs(q(0, 0), 0x1b, 0x756e6547, 0x6c65746e, 0x49656e69);
	patch(&cpu, 0, ANY, 0x23, 0x756e6547, 0x6c65746e, 0x49656e69);
	expect_regs(q(0, 0), 0x1f, 0x756e6547, 0x6c65746e, 0x49656e69);
}

static void test_leaf1_feature_masks(void **state)
{
	struct cpuid_regs r = q(1, 0);

	assert_int_equal(r.eax, 0x000806c1);
	assert_int_equal(r.ecx, 0xf7fa7a07);
	assert_int_equal(r.edx, 0x1f8bfbff);
	assert_true(r.ecx & (1u << 31));
	assert_false(r.ecx & (1u << 5));
	assert_true(r.ecx & (1u << 21)); /* x2APIC */
	assert_true(r.ecx & (1u << 24)); /* TSC-deadline */
	assert_true(r.edx & (1u << 9));  /* APIC */
	assert_true(r.edx & (1u << 7));  /* MCE */
	assert_true(r.edx & (1u << 14)); /* MCA */
}

static void test_leaf1_osxsave(void **state)
{
	assert_false(q(1, 0).ecx & (1u << 27));
	ctx.cr4_osxsave = true;
	assert_int_equal(q(1, 0).ecx, 0xfffa7a07);
	patch(&cpu, 1, ANY, 0x000806c1, 0x00100800, 0x7ffafbbf & ~(1u << 26), 0xbfebfbff);
	assert_false(q(1, 0).ecx & (1u << 27));
	assert_false(q(1, 0).ecx & (1u << 26));
}

/* The virtual local APIC's features whatever the host has; APIC follows
 * IA32_APIC_BASE.EN (SDM Vol. 3A 11.4.3). */
static void test_leaf1_apic(void **state)
{
	patch(&cpu, 1, ANY, 0x000806c1, 0x00100800, 0x7ffafbbf & ~((1u << 21) | (1u << 24)),
	      0xbfebfbff & ~(1u << 9));
	assert_true(q(1, 0).ecx & (1u << 21));
	assert_true(q(1, 0).ecx & (1u << 24));
	assert_true(q(1, 0).edx & (1u << 9));
	ctx.apic_off = true;
	assert_false(q(1, 0).edx & (1u << 9));
	assert_true(q(1, 0).ecx & (1u << 21)); /* x2APIC stays enumerated */
}

static void test_leaf1_ids_and_htt(void **state)
{
	struct cpuid_regs r = q(1, 0);

	assert_int_equal(r.ebx, 0x02040800);
	assert_true(r.edx & (1u << 28));

	ctx.vcpu_id = 0;
	ctx.nvcpus = 1;
	r = q(1, 0);
	assert_int_equal(r.ebx, 0x00010800);
	assert_false(r.edx & (1u << 28));

	ctx.nvcpus = 0;
	r = q(1, 0);
	assert_int_equal(r.ebx, 0x00010800);
	assert_false(r.edx & (1u << 28));

	ctx.vcpu_id = 300;
	ctx.nvcpus = 300;
	r = q(1, 0);
	assert_int_equal(r.ebx, 0x2cff0800);
	assert_true(r.edx & (1u << 28));
}

static void test_leaf4_private_caches(void **state)
{
	expect_regs(q(4, 0), 0x0c000121, 0x02c0003f, 0x3f, 0);
	expect_regs(q(4, 1), 0x0c000122, 0x01c0003f, 0x3f, 0);
	expect_regs(q(4, 3), 0x0c000163, 0x02c0003f, 0x3fff, 6);
	expect_regs(q(4, 4), 0, 0, 0, 0);

	ctx.nvcpus = 1;
	assert_int_equal(q(4, 2).eax, 0x00000143);
	ctx.nvcpus = 100;
	assert_int_equal(q(4, 3).eax, 0xfc000163);
}

static void test_hidden_leaves(void **state)
{
	for (uint32_t sub = 0; sub < 3; sub++) {
		expect_regs(q(5, sub), 0, 0, 0, 0);
		expect_regs(q(6, sub), 0, 0, 0, 0);
		expect_regs(q(0xa, sub), 0, 0, 0, 0);
	}
}

static void test_leaf7(void **state)
{
	struct cpuid_regs r = q(7, 0);

	expect_regs(r, 0, 0xf1bfa7eb, 0x0040010e, 0x9c000510);
	assert_false(r.ebx & (1u << 2));
	assert_false(r.ebx & (1u << 25));
	assert_false(r.ecx & (1u << 5));
	assert_false(r.edx & (1u << 29));
	assert_true(r.ecx & (1u << 3));  /* PKU itself stays */
	assert_false(r.ecx & (1u << 4)); /* OSPKE follows the guest's CR4.PKE */
	ctx.cr4_pke = true;
	assert_true(q(7, 0).ecx & (1u << 4));
	patch(&cpu, 7, 0, 0, 0xf1bfa7eb, 0x0040010e & ~(1u << 3), 0x9c000510);
	assert_false(q(7, 0).ecx & (1u << 4)); /* never without PKU */
	expect_regs(q(7, 1), 0x10, 0x4, 0x20, 0x40000000);
	expect_regs(q(7, 2), 0, 0, 0, 0);
}

/* AMX is enumerated only where guests may enable its XCR0 bits, which Sable
 * allows only with XFD (README "AMX guests"): CPUID.(7,0):EDX[22,24,25],
 * CPUID.(7,1):EAX[21], EDX[8], leaves 0x1D and 0x1E. */
static void test_leaf7_amx(void **state)
{
	const uint32_t amx7 = (1u << 22) | (1u << 24) | (1u << 25);

	patch(&cpu, 0, 0, 0x1e, 0x756e6547, 0x6c65746e, 0x49656e69);
	patch(&cpu, 7, 0, 1, 0xf1bfa7eb, 0x0040010e, 0x9c000510 | amx7);
	patch(&cpu, 7, 1, 0x10 | (1u << 21), 0, 0, 1u << 8);
	patch(&cpu, 0x1d, 0, 1, 0, 0, 0);
	patch(&cpu, 0x1d, 1, 0x04002000, 0x00080040, 0x10, 0);
	assert_int_equal(q(7, 0).edx & amx7, 0);
	expect_regs(q(7, 1), 0x10, 0, 0, 0);
	expect_regs(q(0x1d, 0), 0, 0, 0, 0);
	expect_regs(q(0x1d, 1), 0, 0, 0, 0);
	ctx.xcr0_allowed = 0x202e7; /* XTILECFG alone is not AMX */
	assert_int_equal(q(7, 0).edx & amx7, 0);
	ctx.xcr0_allowed = 0x602e7;
	assert_int_equal(q(7, 0).edx & amx7, amx7);
	expect_regs(q(7, 1), 0x10 | (1u << 21), 0, 0, 1u << 8);
	expect_regs(q(0x1d, 1), 0x04002000, 0x00080040, 0x10, 0);
}

static void test_topology_0xb(void **state)
{
	ctx.vcpu_id = 3;
	expect_regs(q(0xb, 0), 0, 1, 0x100, 3);
	expect_regs(q(0xb, 1), 2, 4, 0x201, 3);
	expect_regs(q(0xb, 2), 0, 0, 2, 3);
	expect_regs(q(0xb, 7), 0, 0, 7, 3);

	ctx.vcpu_id = 0;
	ctx.nvcpus = 1;
	expect_regs(q(0xb, 1), 0, 1, 0x201, 0);
	ctx.nvcpus = 2;
	assert_int_equal(q(0xb, 1).eax, 1);
	ctx.nvcpus = 5;
	expect_regs(q(0xb, 1), 3, 5, 0x201, 0);
	ctx.nvcpus = 64;
	assert_int_equal(q(0xb, 1).eax, 6);
	ctx.nvcpus = 65;
	assert_int_equal(q(0xb, 1).eax, 7);
}

static void test_topology_0x1f(void **state)
{
	/* Host max 0x1b: 0x1f is out of range and reads as leaf 0x1b. */
	expect_regs(q(0x1f, 0), 1, 1, 0, 0);

	patch(&cpu, 0, ANY, 0x20, 0x756e6547, 0x6c65746e, 0x49656e69);
	expect_regs(q(0x1f, 0), 0, 1, 0x100, 2);
	expect_regs(q(0x1f, 1), 2, 4, 0x201, 2);
	expect_regs(q(0x1f, 2), 0, 0, 2, 2);
}

static void test_xsave_sub0_sizes(void **state)
{
	expect_regs(q(0xd, 0), 0x2e7, 576, 2696, 0);
	ctx.guest_xcr0 = 0x7;
	assert_int_equal(q(0xd, 0).ebx, 832);
	ctx.guest_xcr0 = 0xe7;
	assert_int_equal(q(0xd, 0).ebx, 2688);
	ctx.guest_xcr0 = 0x2e7;
	assert_int_equal(q(0xd, 0).ebx, 2696);
	ctx.guest_xcr0 = 0x1;
	assert_int_equal(q(0xd, 0).ebx, 576);
	/* A supervisor (IA32_XSS) component never counts toward the XCR0 size. */
	ctx.guest_xcr0 = 0x103;
	assert_int_equal(q(0xd, 0).ebx, 576);

	ctx.guest_xcr0 = 0x7;
	ctx.xcr0_allowed = 0x7;
	expect_regs(q(0xd, 0), 0x7, 832, 832, 0);
	ctx.xcr0_allowed = 0x3;
	ctx.guest_xcr0 = 0x3;
	expect_regs(q(0xd, 0), 0x3, 576, 576, 0);
}

static void test_xsave_sub0_high_word(void **state)
{
	patch(&cpu, 0xd, 0, 0x2e7, 0x240, 0xa88, 0x3);
	assert_int_equal(q(0xd, 0).edx, 0);
	ctx.xcr0_allowed = 0x1000002e7ull;
	assert_int_equal(q(0xd, 0).edx, 0x1);
}

/* XSAVEOPT, XSAVEC and XGETBV1 pass; XSAVES (bit 3) is hidden; XFD only with AMX
 * allowed; EBX is the compacted size for the guest's XCR0 (XSAVEC is offered). */
static void test_xsave_sub1(void **state)
{
	expect_regs(q(0xd, 1), 0x7, 576, 0, 0);
	ctx.guest_xcr0 = 0xe7;
	expect_regs(q(0xd, 1), 0x7, 2432, 0, 0);
	ctx.guest_xcr0 = 0x3;

	patch(&cpu, 0xd, 1, 0x1f, 0x2b00, 0x100, 0);
	expect_regs(q(0xd, 1), 0x7, 576, 0, 0);
	ctx.xcr0_allowed = 0x602e7;
	expect_regs(q(0xd, 1), 0x17, 576, 0, 0);

	cpu.npatch = 0;
	assert_int_equal(q(0xd, 1).eax, 0x7);
}

/* A CPU whose compacted format failed the boot self-test: XSAVEC is not offered. */
static void test_xsave_compacted_broken(void **state)
{
	ctx.guest_xcr0 = 0xe7;
	ctx.compacted_broken = true;
	expect_regs(q(0xd, 1), 0x5, 0, 0, 0);
	ctx.compacted_broken = false;
	expect_regs(q(0xd, 1), 0x7, 2432, 0, 0);
}

static void test_xsave_components(void **state)
{
	expect_regs(q(0xd, 2), 256, 576, 0, 0);
	expect_regs(q(0xd, 5), 64, 1088, 0, 0);
	expect_regs(q(0xd, 7), 1024, 1664, 0, 0);
	expect_regs(q(0xd, 9), 8, 2688, 0, 0);
	expect_regs(q(0xd, 8), 0, 0, 0, 0);
	expect_regs(q(0xd, 3), 0, 0, 0, 0);
	expect_regs(q(0xd, 63), 0, 0, 0, 0);
	expect_regs(q(0xd, 64), 0, 0, 0, 0);
	expect_regs(q(0xd, 0xffffffff), 0, 0, 0, 0);

	ctx.xcr0_allowed = 0x3;
	expect_regs(q(0xd, 2), 0, 0, 0, 0);
	expect_regs(q(0xd, 9), 0, 0, 0, 0);
}

static void test_xsave_amx(void **state)
{
	patch(&cpu, 0xd, 0, 0x602e7, 0x240, 0x2b00, 0);
	patch(&cpu, 0xd, 17, 64, 2752, 0, 0);
	patch(&cpu, 0xd, 18, 8192, 2816, 6, 0);

	/* AMX not allowed: not reported and not counted. */
	expect_regs(q(0xd, 0), 0x2e7, 576, 2696, 0);
	expect_regs(q(0xd, 18), 0, 0, 0, 0);

	ctx.xcr0_allowed = 0x602e7;
	ctx.guest_xcr0 = 0x2e7;
	expect_regs(q(0xd, 0), 0x602e7, 2696, 11008, 0);
	ctx.guest_xcr0 = 0x602e7;
	assert_int_equal(q(0xd, 0).ebx, 11008);
	/* the XFD flag only where XFD is offered (the host here has none) */
	expect_regs(q(0xd, 18), 8192, 2816, 2, 0);
	patch(&cpu, 0xd, 1, 0x1f, 0, 0, 0);
	expect_regs(q(0xd, 18), 8192, 2816, 6, 0);
	assert_int_equal(q(0xd, 1).eax, 0x17);
}

/* Bochs' own leaf 0xD, repaired as the hypervisor does at boot: PKRU is where
 * XSAVE writes it and the sizes follow the guest's XCR0. */
static void test_xsave_bochs_table(void **state)
{
	struct xsave_cpuid_table raw;

	fixture_table(FIXTURE_BOCHS, &raw);
	xsave_table_repair(&raw, &host_xsave);
	fixed_table = true;
	ctx.guest_xcr0 = 0x2e7;
	expect_regs(q(0xd, 0), 0x2e7, 2696, 2696, 0);
	expect_regs(q(0xd, 1), 0x7, 2440, 0, 0);
	expect_regs(q(0xd, 9), 8, 2688, 0, 0);
	ctx.xcr0_allowed = 0xe7; /* the hypervisor's allowed set today: no PKRU */
	expect_regs(q(0xd, 0), 0xe7, 2688, 2688, 0);
	expect_regs(q(0xd, 1), 0x7, 2432, 0, 0);
	expect_regs(q(0xd, 9), 0, 0, 0, 0);
	ctx.guest_xcr0 = 0x7;
	expect_regs(q(0xd, 0), 0xe7, 832, 2688, 0);
	expect_regs(q(0xd, 1), 0x7, 832, 0, 0);
	/* a current XCR0 with bits the guest may not have counts only what is offered */
	ctx.guest_xcr0 = ~0ull;
	expect_regs(q(0xd, 0), 0xe7, 2688, 2688, 0);
	ctx.guest_xcr0 = 0;
	expect_regs(q(0xd, 0), 0xe7, 576, 2688, 0);
	ctx.xsave = NULL; /* no XSAVE: the leaf is empty */
	expect_regs(q(0xd, 0), 0, 0, 0, 0);
}

/* Supervisor state: offered IA32_XSS components count in subleaf 1 EBX only. */
static void test_xsave_xss_components(void **state)
{
	fixture_table(FIXTURE_SPR, &host_xsave);
	fixed_table = true;
	ctx.xcr0_allowed = 0x602e7;
	ctx.xss_allowed = 0x100;
	ctx.guest_xcr0 = 0x2e7;
	ctx.guest_xss = 0x100;
	/* without XSAVES for the guest: no IA32_XSS component, XSAVES hidden */
	expect_regs(q(0xd, 1), 0x17, 2440, 0, 0);
	expect_regs(q(0xd, 8), 0, 0, 0, 0);
	ctx.xsaves = true;
	expect_regs(q(0xd, 0), 0x602e7, 2696, 11008, 0);
	expect_regs(q(0xd, 1), 0x1f, 2440 + 128, 0x100, 0);
	expect_regs(q(0xd, 8), 128, 0, 1, 0);
	expect_regs(q(0xd, 15), 0, 0, 0, 0); /* arch LBR: not offered */
	ctx.guest_xss = 0xdd00;              /* more than offered: only PT counts */
	assert_int_equal(q(0xd, 1).ebx, 2440 + 128);
	ctx.guest_xss = 0;
	assert_int_equal(q(0xd, 1).ebx, 2440);
	ctx.guest_xcr0 = 0x602e7;
	assert_int_equal(q(0xd, 1).ebx, 10752);
	expect_regs(q(0xd, 17), 64, 2752, 0, 0);
	expect_regs(q(0xd, 18), 8192, 2816, 6, 0);
}

static void test_hypervisor_leaves(void **state)
{
	struct cpuid_regs r = q(CPUID_LEAF_HV_BASE, 0);
	char sig[12];

	assert_int_equal(r.eax, 0x40000001);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	assert_memory_equal(sig, "SableSableHV", 12);
	assert_memory_equal(sig, SABLE_CPUID_SIGNATURE, 12);
	assert_int_equal(r.ebx, 0x6c626153);

	expect_regs(q(0x40000001, 0), 0, 0, 0, 0);
	expect_regs(q(0x40000002, 0), 0, 0, 0, 0);
	expect_regs(q(0x400000ff, 5), 0, 0, 0, 0);
	expect_regs(q(0x40000100, 0), 0, 0, 0, 0);
	expect_regs(q(0x4fffffff, 0), 0, 0, 0, 0);
	assert_int_equal(cpu.calls, 0);
}

static void test_extended_leaves(void **state)
{
	struct cpuid_regs b[3];

	expect_regs(q(0x80000000, 0), 0x80000008, 0, 0, 0);
	expect_regs(q(0x80000001, 0), 0, 0, 0x121, 0x2c100800);
	for (uint32_t i = 0; i < 3; i++)
		b[i] = q(0x80000002 + i, 0);
	assert_memory_equal(b, brand, sizeof(brand));
	expect_regs(q(0x80000005, 0), 0, 0, 0, 0);
	expect_regs(q(0x80000006, 0), 0, 0, 0x05007040, 0);
	expect_regs(q(0x80000007, 0), 0, 0, 0, 0x100);
	expect_regs(q(0x80000008, 0), 0x3027, 0, 0, 0);

	patch(&cpu, 0x80000000, ANY, 0x80000021, 0, 0, 0);
	assert_int_equal(q(0x80000000, 0).eax, 0x80000008);
}

static void test_out_of_range(void **state)
{
	static const uint32_t leaves[] = {0x1c,       0x20,       0x3fffffff, 0x50000000,
	                                  0x7fffffff, 0x80000009, 0x80000021, 0xffffffff};
	struct cpuid_regs top = q(0x1b, 0);

	expect_regs(top, 1, 1, 0, 0);
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
		expect_same(q(leaves[i], 0), top);

	/* The subleaf applies to the highest basic leaf. */
	patch(&cpu, 0, ANY, 0xb, 0x756e6547, 0x6c65746e, 0x49656e69);
	expect_regs(q(0xd, 1), 2, 4, 0x201, 2);
	expect_regs(q(0x80000009, 0), 0, 1, 0x100, 2);

	/* An extended max below the cap ends the extended range there. */
	patch(&cpu, 0x80000000, ANY, 0x80000004, 0, 0, 0);
	assert_int_equal(q(0x80000000, 0).eax, 0x80000004);
	expect_regs(q(0x80000006, 1), 2, 4, 0x201, 2);

	/* No extended range at all: even 0x80000000 is out of range. */
	cpu.npatch = 0;
	patch(&cpu, 0x80000000, ANY, 0x0, 0, 0, 0);
	expect_same(q(0x80000000, 0), top);
	expect_same(q(0x80000001, 0), top);
}

static void test_pass_through(void **state)
{
	expect_regs(q(2, 0), 0x00feff01, 0, 0, 0xf0);
	expect_regs(q(0x15, 0), 2, 0xe8, 0x0249f000, 0);
	expect_regs(q(0x16, 0), 0xaf0, 0x11f8, 0x64, 0);
	expect_regs(q(3, 0), 0, 0, 0, 0);
}

/* With the TSC rate known, leaves 0x15/0x16 report it instead of the host's. */
static void test_tsc_leaves(void **state)
{
	ctx.tsc_hz = 2500000000ull;
	expect_regs(q(0x15, 0), 1, 1, 2500000000u, 0);
	expect_regs(q(0x16, 0), 2500, 2500, 100, 0);
	ctx.tsc_hz = 5000000000ull; /* crystal above 32 bits: ratio 2/1 */
	expect_regs(q(0x15, 0), 1, 2, 2500000000u, 0);
	ctx.tsc_hz = 0;
	expect_regs(q(0x15, 0), 2, 0xe8, 0x0249f000, 0);
}

/* A host maximum known in advance (read once at boot) replaces the leaf 0 query. */
static void test_known_host_max_basic(void **state)
{
	struct cpuid_regs top;

	ctx.host_max_basic = 0xb;
	top = q(0xb, 1);
	expect_same(q(0x10, 1), top); /* clamped to the given maximum, not the CPU's 0x1b */
	cpu.calls = 0;
	q(2, 0);
	assert_int_equal(cpu.calls, 1); /* leaf 2 itself only */
	ctx.host_max_basic = 0;
	q(2, 0);
	assert_int_equal(cpu.calls, 3);
}

static unsigned state_calls;

static void fake_vcpu_state(void *host_ctx, struct guest_cpuid_ctx *c)
{
	assert_ptr_equal(host_ctx, &cpu);
	state_calls++;
	c->cr4_osxsave = true;
	c->cr4_pke = true;
	c->apic_off = true;
	c->guest_xcr0 = 0x7;
}

/* The vCPU state is asked for by leaves 1, 7 and 0xD alone, and what it gives is
 * what they show; the caller's context stays as it was. */
static void test_vcpu_state_on_demand(void **state)
{
	struct cpuid_regs plain_d = q(0xd, 0);

	ctx.vcpu_state = fake_vcpu_state;
	state_calls = 0;
	q(0, 0);
	q(2, 0);
	q(4, 0);
	q(0xb, 1);
	q(0x40000000, 0);
	q(0x80000000, 0);
	q(0x80000001, 0);
	assert_int_equal(state_calls, 0);
	assert_true(q(1, 0).ecx & (1u << 27)); /* OSXSAVE from the state */
	assert_false(q(1, 0).edx & (1u << 9)); /* APIC off from the state */
	assert_true(q(7, 0).ecx & (1u << 4));  /* OSPKE from the state */
	assert_int_equal(state_calls, 3);
	assert_true(q(0xd, 0).ebx > plain_d.ebx); /* XCR0 0x7 (AVX) instead of 0x3 */
	assert_int_equal(state_calls, 4);
	assert_false(ctx.cr4_osxsave);
	assert_int_equal(ctx.guest_xcr0, 0x3);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_leaf0_max_and_vendor),
		T(test_leaf1_feature_masks),
		T(test_leaf1_osxsave),
		T(test_leaf1_apic),
		T(test_leaf1_ids_and_htt),
		T(test_leaf4_private_caches),
		T(test_hidden_leaves),
		T(test_leaf7),
		T(test_leaf7_amx),
		T(test_topology_0xb),
		T(test_topology_0x1f),
		T(test_xsave_sub0_sizes),
		T(test_xsave_sub0_high_word),
		T(test_xsave_sub1),
		T(test_xsave_components),
		T(test_xsave_amx),
		T(test_xsave_bochs_table),
		T(test_xsave_xss_components),
		T(test_hypervisor_leaves),
		T(test_extended_leaves),
		T(test_out_of_range),
		T(test_pass_through),
		T(test_vcpu_state_on_demand),
		T(test_known_host_max_basic),
		T(test_tsc_leaves),
		T(test_xsave_compacted_broken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
