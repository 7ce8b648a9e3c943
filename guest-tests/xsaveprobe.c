// SPDX-License-Identifier: MIT
/*
 * xsaveprobe: the CPU's XSAVE enumeration (CPUID leaf 0xD) and what XSAVE
 * really writes.
 * - Prints `XSAVE-CPUID xcr0=<x> sub=<n> eax=.. ebx=.. ecx=.. edx=..` for
 *   subleaves 0..18 with every offered XCR0 component enabled (subleaves 0
 *   and 1 first also with XCR0 = x87). Booted by GRUB straight on Bochs this
 *   records the table tests/xsave_fixture_bochs.h keeps.
 * - `xsave-pkru-offset`: with PKRU offered, where a PKRU pattern lands in a
 *   standard XSAVE image and in an XSAVEC image of every offered component
 *   (`XSAVE-PKRU standard=<off> compacted=<off> compacted_expected=<off>`,
 *   the expectation computed from the subleaves per SDM Vol. 1 sec. 13.4.3).
 * - `cpuid-0xd` (under Sable only; elsewhere SKIP: a bare CPU's table is
 *   recorded, not judged): the leaf is self-consistent for each XCR0 the
 *   guest sets: subleaf 0 EBX is the end of the last enabled component, ECX
 *   that of all offered ones, subleaf 1 EBX the compacted size, every offered
 *   component lies past the legacy region and header, none overlap.
 */
#include "guest.h"

#define SCAN_SIZE    12288
#define PKRU_PATTERN 0x5ac3a5c0u
#define XCR0_PKRU    (1u << 9)
#define EXT_START    576u
#define SUB1_XSAVEC  (1u << 1)
#define COMP_XSS     (1u << 0)
#define COMP_ALIGN64 (1u << 1)
#define NR_SUBLEAVES 19u
#define MAX(a, b)    ((a) > (b) ? (a) : (b))

static uint8_t area[SCAN_SIZE] __attribute__((aligned(64)));

static void print_sub(uint64_t xcr0, uint32_t sub)
{
	struct cpuid_regs r;

	cpuid(0xd, sub, &r);
	printf("XSAVE-CPUID xcr0=0x%x sub=%u eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n",
	       (uint32_t)xcr0, sub, r.eax, r.ebx, r.ecx, r.edx);
}

/* Offset of the first 4-byte-aligned PKRU_PATTERN in area, or -1. */
static int find_pattern(void)
{
	for (int off = 0; off + 4 <= SCAN_SIZE; off += 4) {
		uint32_t v;

		memcpy(&v, area + off, 4);
		if (v == PKRU_PATTERN)
			return off;
	}
	return -1;
}

static void xsave_into(uint64_t rfbm, bool compacted)
{
	memset(area, 0, sizeof(area));
	if (compacted)
		asm volatile("xsavec %0"
		             : "+m"(*(uint8_t(*)[SCAN_SIZE])area)
		             : "a"((uint32_t)rfbm), "d"((uint32_t)(rfbm >> 32)));
	else
		asm volatile("xsave %0"
		             : "+m"(*(uint8_t(*)[SCAN_SIZE])area)
		             : "a"((uint32_t)rfbm), "d"((uint32_t)(rfbm >> 32)));
}

/* Compacted offset of component `which` for XCOMP_BV = mask, from the subleaves. */
static uint32_t compacted_offset(uint32_t mask, uint32_t which)
{
	uint32_t off = EXT_START;

	for (uint32_t i = 2; i < 32; i++) {
		struct cpuid_regs r;

		if (!(mask & (1u << i)))
			continue;
		cpuid(0xd, i, &r);
		if (r.ecx & COMP_ALIGN64)
			off = (off + 63) & ~63u;
		if (i == which)
			return off;
		off += r.eax;
	}
	return off;
}

static void probe_pkru(uint32_t xcr0)
{
	struct cpuid_regs r;
	int std, comp = -1;

	if (!(xcr0 & XCR0_PKRU)) {
		test_skip("xsave-pkru-offset", "XCR0 offers no PKRU");
		return;
	}
	write_cr4(read_cr4() | CR4_PKE);
	wrpkru(PKRU_PATTERN);
	xsave_into(xcr0, false);
	std = find_pattern();
	cpuid(0xd, 1, &r);
	if (r.eax & SUB1_XSAVEC) {
		xsave_into(xcr0, true);
		comp = find_pattern();
	}
	printf("XSAVE-PKRU standard=%d compacted=%d compacted_expected=%u\n", std, comp,
	       compacted_offset(xcr0, 9));
	wrpkru(0);
	write_cr4(read_cr4() & ~CR4_PKE);
	if (std < 0)
		test_fail("xsave-pkru-offset", "XSAVE did not store PKRU in %u bytes", SCAN_SIZE);
	else
		test_pass("xsave-pkru-offset");
}

/* Checks the leaf for the XCR0 in force. */
static void check_leaf(uint32_t xcr0, uint32_t offered)
{
	struct cpuid_regs s0, s1, c[NR_SUBLEAVES];
	uint32_t end = EXT_START, all = EXT_START;

	cpuid(0xd, 0, &s0);
	cpuid(0xd, 1, &s1);
	for (uint32_t i = 2; i < NR_SUBLEAVES; i++) {
		cpuid(0xd, i, &c[i]);
		if (!(offered & (1u << i)))
			continue;
		CHECK(c[i].eax && c[i].ebx >= EXT_START && !(c[i].ecx & COMP_XSS),
		      "xcr0=0x%x: component %u size %u at %u flags 0x%x", xcr0, i, c[i].eax,
		      c[i].ebx, c[i].ecx);
		for (uint32_t j = 2; j < i; j++)
			if ((offered & (1u << j)) && c[i].ebx < c[j].ebx + c[j].eax &&
			    c[j].ebx < c[i].ebx + c[i].eax)
				CHECK(false, "components %u and %u overlap", j, i);
		if (xcr0 & (1u << i))
			end = MAX(end, c[i].ebx + c[i].eax);
		all = MAX(all, c[i].ebx + c[i].eax);
	}
	CHECK(s0.eax == offered, "subleaf 0 EAX 0x%x changed to 0x%x", offered, s0.eax);
	CHECK(s0.ebx == end, "xcr0=0x%x: subleaf 0 EBX %u, components end at %u", xcr0, s0.ebx,
	      end);
	CHECK(s0.ecx == all, "subleaf 0 ECX %u, all offered components end at %u", s0.ecx, all);
	if (s1.eax & SUB1_XSAVEC)
		CHECK(s1.ebx == compacted_offset(xcr0, 32), "xcr0=0x%x: subleaf 1 EBX %u, want %u",
		      xcr0, s1.ebx, compacted_offset(xcr0, 32));
}

static void test_leaf_consistent(uint32_t offered)
{
	static const uint32_t tries[] = {0x1, 0x3, 0x7, 0xe7, 0x207, 0x2e7, 0x602e7};

	if (!under_sable()) {
		test_skip("cpuid-0xd",
		          "not under Sable: the bare CPU's table is recorded, not judged");
		return;
	}
	test_begin("cpuid-0xd");
	for (uint32_t k = 0; k < ARRAY_SIZE(tries); k++) {
		if ((tries[k] & offered) != tries[k])
			continue;
		xsetbv(0, tries[k]);
		CHECK(xgetbv(0) == tries[k], "XGETBV 0x%x after XSETBV 0x%x", (uint32_t)xgetbv(0),
		      tries[k]);
		check_leaf(tries[k], offered);
	}
	xsetbv(0, 1);
	test_end();
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	uint32_t offered = xsave_offered_or_finish("xsave-probe");

	(void)magic;
	(void)mbi;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	print_sub(1, 0);
	print_sub(1, 1);
	xsetbv(0, offered);
	for (uint32_t sub = 0; sub < NR_SUBLEAVES; sub++)
		print_sub(offered, sub);
	probe_pkru(offered);
	xsetbv(0, 1);
	test_leaf_consistent(offered);
	tests_finish();
}
