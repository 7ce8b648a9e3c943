/*
 * CPUID leaf 0xD of Bochs 2.7 (Debian bookworm package), `cpu: model=tigerlake`,
 * read live: guest-tests/xsaveprobe.c booted by GRUB directly on Bochs (no
 * hypervisor), XCR0 = 0x2e7, IA32_XSS = 0. The integration case
 * bochs-bare-xsave-probe boots it again and compares its output with the rows
 * below, so this file stays what Bochs really reports.
 * Quirks kept as read: subleaf 1 ECX/EDX are 0 (no IA32_XSS component) though
 * EAX offers XSAVES; subleaf 9 (PKRU) reads all zeros although subleaf 0
 * offers XCR0[9] and XSAVE stores PKRU at 2688 (the same probe finds it there);
 * subleaf 0 EBX = ECX = 2752 where the components end at 2696 (PKRU 8 bytes at
 * 2688); subleaf 1 EBX = 2752 where the compacted size of 0x2e7 is 2440.
 * Bochs 2.7's XSAVEC does not follow sec. 13.4.3 either: with XCR0 = 0x2e7 it
 * stores the upper half of YMM0 at 416 and PKRU at 2272 (architecturally 576
 * and 2432), i.e. its compacted extended region starts at 160 (+256 when SSE
 * is in XCOMP_BV) and runs over the XSAVE header.
 * Rows: XSAVE_ROW(subleaf, eax, ebx, ecx, edx).
 */
#ifndef SABLE_TESTS_XSAVE_FIXTURE_BOCHS_H
#define SABLE_TESTS_XSAVE_FIXTURE_BOCHS_H

#define BOCHS_TIGERLAKE_XCR0_READ 0x2e7
#define BOCHS_TIGERLAKE_ROWS                                                                       \
	XSAVE_ROW(0, 0x000002e7, 0x00000ac0, 0x00000ac0, 0x00000000)                               \
	XSAVE_ROW(1, 0x0000000f, 0x00000ac0, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(2, 0x00000100, 0x00000240, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(3, 0x00000000, 0x00000000, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(4, 0x00000000, 0x00000000, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(5, 0x00000040, 0x00000440, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(6, 0x00000200, 0x00000480, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(7, 0x00000400, 0x00000680, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(8, 0x00000000, 0x00000000, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(9, 0x00000000, 0x00000000, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(10, 0x00000000, 0x00000000, 0x00000000, 0x00000000)                              \
	XSAVE_ROW(11, 0x00000000, 0x00000000, 0x00000000, 0x00000000)                              \
	XSAVE_ROW(12, 0x00000000, 0x00000000, 0x00000000, 0x00000000)                              \
	XSAVE_ROW(13, 0x00000000, 0x00000000, 0x00000000, 0x00000000)                              \
	XSAVE_ROW(14, 0x00000000, 0x00000000, 0x00000000, 0x00000000)                              \
	XSAVE_ROW(15, 0x00000000, 0x00000000, 0x00000000, 0x00000000)                              \
	XSAVE_ROW(16, 0x00000000, 0x00000000, 0x00000000, 0x00000000)                              \
	XSAVE_ROW(17, 0x00000000, 0x00000000, 0x00000000, 0x00000000)                              \
	XSAVE_ROW(18, 0x00000000, 0x00000000, 0x00000000, 0x00000000)

/* Where the probe's XSAVE (standard format) stored a PKRU pattern. */
#define BOCHS_TIGERLAKE_PKRU_STD_OFFSET 2688

#endif
