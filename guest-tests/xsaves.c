// SPDX-License-Identifier: MIT
/*
 * xsaves: XSAVES/XRSTORS and IA32_XSS as the guest's CPUID describes them
 * (SDM Vol. 1 sec. 13.4.3, 13.11, 13.12; Vol. 2D "XSAVES", "XRSTORS").
 *   xsaves-cpuid   CPUID.(0xD,1): without XSAVES (EAX[3]) no IA32_XSS
 *                  component (ECX = EDX = 0); with XSAVES or XSAVEC, EBX is
 *                  the compacted size computed from the subleaves for XCR0
 *                  (IA32_XSS is 0 then), for each XCR0 the guest sets
 *   xsaves-insn    without XSAVES: XSAVES and XRSTORS raise #UD; with it:
 *                  both run
 *   xsaves-xss     without XSAVES: RDMSR and WRMSR of IA32_XSS raise #GP;
 *                  with it: it reads 0 at start, WRMSR of each bit 0-63 is
 *                  accepted (and reads back) exactly for the bits
 *                  CPUID.(0xD,1):EDX:ECX offers, #GP for any other and the
 *                  value stays
 *   xsaves         the round trip (SKIP without XSAVES): patterns in XMM0-7,
 *                  the YMM and ZMM0-7 upper halves and k0-7, XSAVES with
 *                  every enabled component: XCOMP_BV bit 63 and XCOMP_BV =
 *                  RFBM & (XCR0 | XSS), each register at the compacted
 *                  offset computed from CPUID.(0xD,i) (64-byte alignment
 *                  bit honoured); then a changed image restored by XRSTORS
 *                  lands in the registers
 */
#include "guest.h"
#include "vecregs.h"

#define VEC_UD        6
#define VEC_GP        13
#define CR4_OSFXSR    (1u << 9)
#define MSR_IA32_XSS  0xda0
#define SUB1_XSAVEC   (1u << 1)
#define SUB1_XSAVES   (1u << 3)
#define COMP_ALIGN64  (1u << 1)
#define XCR0_SSE      0x3u
#define XCR0_AVX      0x4u
#define XCR0_AVX512   0xe0u
#define EXT_START     576u /* legacy region and header */
#define XSTATE_BV     512u
#define XCOMP_BV      520u
#define XMM_OFF       160u
#define XCOMP_COMPACT (1ull << 63)
#define NR_COMPONENTS 63u
#define AREA_SIZE     12288u

static uint8_t area[AREA_SIZE] __attribute__((aligned(64)));
static uint8_t xmm[8][16], yhi[8][16], zhi[8][32];
static uint16_t kreg[8];

static int xsaves_safe(uint64_t rfbm)
{
	fault_arm();
	asm volatile("1: xsaves %0\n2:\n\t" EXTABLE(1b, 2b)
	             : "+m"(*(uint8_t(*)[AREA_SIZE])area)
	             : "a"((uint32_t)rfbm), "d"((uint32_t)(rfbm >> 32)));
	return fault_vector >= 0 ? fault_vector : 0;
}

static int xrstors_safe(uint64_t rfbm)
{
	fault_arm();
	asm volatile("1: xrstors %0\n2:\n\t" EXTABLE(1b, 2b)
	             :
	             : "m"(*(uint8_t(*)[AREA_SIZE])area), "a"((uint32_t)rfbm),
	               "d"((uint32_t)(rfbm >> 32))
	             : "memory");
	return fault_vector >= 0 ? fault_vector : 0;
}

static uint64_t sub1_xss(void)
{
	struct cpuid_regs r;

	cpuid(0xd, 1, &r);
	return ((uint64_t)r.edx << 32) | r.ecx;
}

/* Compacted offsets of the components of mask (SDM Vol. 1 sec. 13.4.3);
 * returns the size of the image (the end of the last one). */
static uint32_t compacted_layout(uint64_t mask, uint32_t off[NR_COMPONENTS])
{
	uint32_t end = EXT_START;

	for (uint32_t i = 2; i < NR_COMPONENTS; i++) {
		struct cpuid_regs c;

		off[i] = 0;
		if (!(mask & (1ull << i)))
			continue;
		cpuid(0xd, i, &c);
		if (c.ecx & COMP_ALIGN64)
			end = (end + 63) & ~63u;
		off[i] = end;
		end += c.eax;
	}
	return end;
}

/* sizes: CPUID.(0xD,1) EBX is defined with XSAVEC or XSAVES */
static void test_cpuid(uint32_t offered, bool xs, bool sizes)
{
	static const uint32_t xcr0s[] = {0x1, 0x3, 0x7, 0xe7};
	uint32_t off[NR_COMPONENTS];
	struct cpuid_regs r;

	test_begin("xsaves-cpuid");
	if (!xs)
		CHECK(sub1_xss() == 0, "IA32_XSS components 0x%llx without XSAVES",
		      (unsigned long long)sub1_xss());
	for (unsigned i = 0; sizes && i < ARRAY_SIZE(xcr0s); i++) {
		if ((xcr0s[i] & offered) != xcr0s[i])
			continue;
		xsetbv(0, xcr0s[i]);
		cpuid(0xd, 1, &r);
		CHECK(r.ebx == compacted_layout(xcr0s[i], off),
		      "XCR0 0x%x: CPUID.(0xD,1).EBX %u, the subleaves give %u", xcr0s[i], r.ebx,
		      compacted_layout(xcr0s[i], off));
	}
	test_end();
}

static void test_insn(bool xs)
{
	uint64_t rfbm = xgetbv(0);

	test_begin("xsaves-insn");
	memset(area, 0, sizeof(area));
	if (!xs) {
		int v1 = xsaves_safe(rfbm), v2 = xrstors_safe(rfbm);

		CHECK(v1 == VEC_UD, "XSAVES without it in CPUID: vector %d, want #UD", v1);
		CHECK(v2 == VEC_UD, "XRSTORS without it in CPUID: vector %d, want #UD", v2);
	} else {
		int v1 = xsaves_safe(rfbm), v2 = xrstors_safe(rfbm);

		CHECK(v1 == 0 && v2 == 0, "XSAVES/XRSTORS offered: vectors %d, %d", v1, v2);
	}
	test_end();
}

static void test_xss(bool xs)
{
	uint64_t ok = sub1_xss(), val;
	int v;

	test_begin("xsaves-xss");
	if (!xs) {
		v = rdmsr_safe(MSR_IA32_XSS, &val);
		CHECK(v == VEC_GP, "RDMSR IA32_XSS without XSAVES: vector %d, want #GP", v);
		v = wrmsr_safe(MSR_IA32_XSS, 0);
		CHECK(v == VEC_GP, "WRMSR IA32_XSS without XSAVES: vector %d, want #GP", v);
		test_end();
		return;
	}
	CHECK(rdmsr_safe(MSR_IA32_XSS, &val) == 0 && val == 0, "IA32_XSS 0x%llx at start",
	      (unsigned long long)val);
	CHECK(wrmsr_safe(MSR_IA32_XSS, 0) == 0, "WRMSR IA32_XSS 0 refused");
	for (unsigned i = 0; i < 64; i++) {
		uint64_t bit = 1ull << i;

		v = wrmsr_safe(MSR_IA32_XSS, bit);
		if (ok & bit) {
			CHECK(v == 0, "WRMSR IA32_XSS bit %u (offered): vector %d", i, v);
			CHECK(rdmsr_safe(MSR_IA32_XSS, &val) == 0 && val == bit,
			      "IA32_XSS bit %u reads 0x%llx", i, (unsigned long long)val);
			wrmsr_safe(MSR_IA32_XSS, 0);
		} else {
			CHECK(v == VEC_GP,
			      "WRMSR IA32_XSS bit %u (not offered): vector %d, want #GP", i, v);
			CHECK(rdmsr_safe(MSR_IA32_XSS, &val) == 0 && val == 0,
			      "IA32_XSS 0x%llx after a refused WRMSR of bit %u",
			      (unsigned long long)val, i);
		}
	}
	test_end();
}

static void fill_patterns(uint32_t seed)
{
	for (unsigned r = 0; r < 8; r++) {
		for (unsigned b = 0; b < 16; b++) {
			xmm[r][b] = (uint8_t)(seed + r * 16 + b);
			yhi[r][b] = (uint8_t)(0x80 + seed + r * 16 + b);
		}
		for (unsigned b = 0; b < 32; b++)
			zhi[r][b] = (uint8_t)(0x40 ^ (seed + r * 32 + b));
		kreg[r] = (uint16_t)(0xa500 + seed + r);
	}
}

/* Each register class at its place in the compacted image. */
static void check_image(uint64_t rfbm, const uint32_t *off)
{
	for (unsigned r = 0; r < 8; r++) {
		CHECK(!memcmp(area + XMM_OFF + 16 * r, xmm[r], 16), "XMM%u not at %u", r,
		      XMM_OFF + 16 * r);
		if (rfbm & XCR0_AVX)
			CHECK(!memcmp(area + off[2] + 16 * r, yhi[r], 16),
			      "YMM%u upper half not at %u (component 2 at %u)", r, off[2] + 16 * r,
			      off[2]);
		if (rfbm & XCR0_AVX512) {
			uint64_t k;

			memcpy(&k, area + off[5] + 8 * r, 8);
			CHECK(k == kreg[r], "k%u: 0x%llx at %u, want 0x%x", r,
			      (unsigned long long)k, off[5] + 8 * r, kreg[r]);
			CHECK(!memcmp(area + off[6] + 32 * r, zhi[r], 32),
			      "ZMM%u upper half not at %u (component 6 at %u)", r, off[6] + 32 * r,
			      off[6]);
		}
	}
}

/* The registers against the patterns. */
static void check_regs(uint64_t rfbm, const char *when)
{
	uint8_t x[8][16], y[8][16], z[8][32];
	uint16_t k[8];

	store_vector_regs(x, y, rfbm & XCR0_AVX);
	CHECK(!memcmp(x, xmm, sizeof(x)), "XMM0-7 differ %s", when);
	if (rfbm & XCR0_AVX)
		CHECK(!memcmp(y, yhi, sizeof(y)), "YMM upper halves differ %s", when);
	if (rfbm & XCR0_AVX512) {
		store_avx512(z, k);
		CHECK(!memcmp(z, zhi, sizeof(z)), "ZMM upper halves differ %s", when);
		CHECK(!memcmp(k, kreg, sizeof(k)), "k0-7 differ %s", when);
	}
}

static void load_regs(uint64_t rfbm)
{
	load_vector_regs(xmm, yhi, rfbm & XCR0_AVX);
	if (rfbm & XCR0_AVX512)
		load_avx512(zhi, kreg);
}

static void test_roundtrip(uint32_t offered, bool xs)
{
	uint32_t off[NR_COMPONENTS], size;
	uint64_t rfbm, xcomp, xstate;
	struct cpuid_regs r;

	if (!xs) {
		test_skip("xsaves", "CPUID.(0xD,1):EAX[3] does not offer XSAVES/XRSTORS");
		return;
	}
	test_begin("xsaves");
	rfbm = offered & (0x3u | XCR0_AVX | XCR0_AVX512);
	if ((rfbm & XCR0_AVX512) != XCR0_AVX512 || !(rfbm & XCR0_AVX))
		rfbm &= ~(uint64_t)XCR0_AVX512;
	xsetbv(0, rfbm);
	/* IA32_XSS is 0 (xsaves-xss left it so): RFBM & (XCR0 | XSS) = RFBM */
	size = compacted_layout(rfbm, off);
	cpuid(0xd, 1, &r);
	CHECK(r.ebx >= size && size <= AREA_SIZE, "image %u bytes, CPUID.(0xD,1).EBX %u", size,
	      r.ebx);
	fill_patterns(0x21);
	load_regs(rfbm);
	memset(area, 0, sizeof(area));
	CHECK(xsaves_safe(rfbm) == 0, "XSAVES faulted");
	memcpy(&xcomp, area + XCOMP_BV, 8);
	memcpy(&xstate, area + XSTATE_BV, 8);
	CHECK(xcomp & XCOMP_COMPACT, "XCOMP_BV 0x%llx: bit 63 clear", (unsigned long long)xcomp);
	CHECK((xcomp & ~XCOMP_COMPACT) == rfbm, "XCOMP_BV 0x%llx, want 0x%llx",
	      (unsigned long long)xcomp, (unsigned long long)(rfbm | XCOMP_COMPACT));
	CHECK((xstate & rfbm & 0x66u) == (rfbm & 0x66u) && !(xstate & ~rfbm),
	      "XSTATE_BV 0x%llx with XMM/YMM/ZMM/k patterns, RFBM 0x%llx",
	      (unsigned long long)xstate, (unsigned long long)rfbm);
	check_image(rfbm, off);
	/* the other way: a changed image, registers cleared, XRSTORS */
	fill_patterns(0x5c);
	for (unsigned i = 0; i < 8; i++) {
		uint64_t k = kreg[i];

		memcpy(area + XMM_OFF + 16 * i, xmm[i], 16);
		if (rfbm & XCR0_AVX)
			memcpy(area + off[2] + 16 * i, yhi[i], 16);
		if (rfbm & XCR0_AVX512) {
			memcpy(area + off[5] + 8 * i, &k, 8);
			memcpy(area + off[6] + 32 * i, zhi[i], 32);
		}
	}
	{
		static const uint8_t zero16[8][16], zero32[8][32];
		static const uint16_t zk[8];

		load_vector_regs(zero16, zero16, rfbm & XCR0_AVX);
		if (rfbm & XCR0_AVX512)
			load_avx512(zero32, zk);
	}
	CHECK(xrstors_safe(rfbm) == 0, "XRSTORS faulted");
	check_regs(rfbm, "after XRSTORS of the changed image");
	test_end();
	xsetbv(0, 0x1);
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	uint32_t offered = xsave_offered_or_finish("xsaves");
	struct cpuid_regs r;
	bool xs;

	(void)magic;
	(void)mbi;
	write_cr4(read_cr4() | CR4_OSXSAVE | CR4_OSFXSR);
	cpuid(0xd, 1, &r);
	xs = r.eax & SUB1_XSAVES;
	info("xsaves: CPUID.(0xD,1) eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x\n", r.eax, r.ebx, r.ecx,
	     r.edx);
	test_cpuid(offered, xs, r.eax & (SUB1_XSAVEC | SUB1_XSAVES));
	xsetbv(0, offered & (XCR0_SSE | XCR0_AVX));
	test_insn(xs);
	test_xss(xs);
	test_roundtrip(offered, xs);
	tests_finish();
}
