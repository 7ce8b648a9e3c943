// SPDX-License-Identifier: MIT
/*
 * xsaveprobe: reads the CPU's XSAVE enumeration and checks it against what
 * XSAVE and XSAVEC really write. Meant to run on the bare CPU (Bochs without
 * a hypervisor, see tests/integration/run.sh), where it records the table
 * that tests/xsave_fixtures.h keeps; under a hypervisor it shows that
 * hypervisor's CPUID instead.
 * Prints `XSAVE-CPUID xcr0=<x> sub=<n> eax=.. ebx=.. ecx=.. edx=..` for
 * subleaves 0..18 with every supported user component enabled (subleaves 0
 * and 1 also with XCR0 = x87), then where a PKRU pattern lands in a
 * standard-format XSAVE and in a compacted XSAVEC image
 * (`XSAVE-PKRU standard=<offset> compacted=<offset> xcomp_bv=<x>`).
 */
#include "guest.h"

#define SCAN_SIZE    4096
#define PKRU_PATTERN 0x5ac3a5c0u
#define XCR0_PKRU    (1u << 9)

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

static void probe_pkru(uint64_t xcr0)
{
	struct cpuid_regs r;
	uint32_t xcomp_lo;
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
	if (r.eax & (1u << 1)) {
		xsave_into(xcr0, true);
		comp = find_pattern();
	}
	memcpy(&xcomp_lo, area + 520, 4);
	printf("XSAVE-PKRU standard=%d compacted=%d xcomp_bv=0x%x\n", std, comp, xcomp_lo);
	asm volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0" ::: "memory");
	xsave_into(0x207, true);
	for (int off = 0; off < SCAN_SIZE; off += 4) {
		uint32_t v;
		memcpy(&v, area + off, 4);
		if (v)
			printf("  YDUMP %d: 0x%x\n", off, v);
	}
	/* PKRU after one other component: that component's size in the compacted form */
	for (uint32_t i = 2; comp >= 0 && i < 9; i++) {
		if (!(xcr0 & (1u << i)))
			continue;
		xsave_into(1u << i | XCR0_PKRU, true);
		printf("XSAVE-PKRU-AFTER component=%u compacted=%d\n", i, find_pattern());
		for (int off = 0; off < SCAN_SIZE; off += 4) {
			uint32_t v;
			memcpy(&v, area + off, 4);
			if (v)
				printf("  DUMP %d: 0x%x\n", off, v);
		}
	}
	wrpkru(0);
	write_cr4(read_cr4() & ~CR4_PKE);
	test_pass("xsave-pkru-offset");
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	struct cpuid_regs r;
	uint64_t xcr0;

	(void)magic;
	(void)mbi;
	serial_init();
	cpuid(1, 0, &r);
	if (!(r.ecx & (1u << 26))) {
		test_skip("xsave-probe", "no XSAVE");
		tests_finish();
	}
	write_cr4(read_cr4() | CR4_OSXSAVE);
	print_sub(1, 0);
	print_sub(1, 1);
	cpuid(0xd, 0, &r);
	xcr0 = ((uint64_t)r.edx << 32) | r.eax;
	xsetbv(0, xcr0);
	for (uint32_t sub = 0; sub <= 18; sub++)
		print_sub(xcr0, sub);
	probe_pkru(xcr0);
	xsetbv(0, 1);
	test_pass("xsave-probe");
	tests_finish();
}
