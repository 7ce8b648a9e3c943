/*
 * CPUID leaf 0xD tables of real CPUs for the XSAVE layout tests, in the row
 * format of xsave_fixture_bochs.h: XSAVE_ROW(subleaf, eax, ebx, ecx, edx).
 * Not raw dumps of one machine (none was reachable from the build machines):
 * composed from the Intel SDM Vol. 1 sec. 13.2 and 13.5 (component numbers,
 * sizes and the standard offsets every Intel CPU uses: AVX 256 at 576, MPX 64
 * at 960 and 1024, opmask 64 at 1088, ZMM_Hi256 512 at 1152, Hi16_ZMM 1024 at
 * 1664, PKRU 8 at 2688), the Intel AMX chapter of the ISA Extensions
 * Programming Reference (XTILECFG 64 bytes at 2752, XTILEDATA 8192 bytes at
 * 2816, 64-byte aligned and XFD-capable; standard total 11008) and the sizes
 * of the supervisor components in SDM Vol. 1 sec. 13.5.6-13.5.11 (Intel PT
 * 128 bytes, as a VirtualBox leaf 0xD log of a Skylake host also shows:
 * "State #8, host: off=0x0000, cb=0x0080 IA32_XSS-bit"). Subleaf 0 EBX and
 * subleaf 1 EBX are the sizes for the *_XCR0_READ value with IA32_XSS = 0.
 */
#ifndef SABLE_TESTS_XSAVE_FIXTURES_H
#define SABLE_TESTS_XSAVE_FIXTURES_H

/* Skylake-X / Skylake-SP: x87 SSE AVX MPX AVX-512 PKRU, PT in IA32_XSS;
 * standard 2696 (0xa88) bytes, compacted for 0x2ff 2568 (0xa08). */
#define SKYLAKE_X_XCR0_READ 0x2ff
#define SKYLAKE_X_ROWS                                                                             \
	XSAVE_ROW(0, 0x000002ff, 0x00000a88, 0x00000a88, 0x00000000)                               \
	XSAVE_ROW(1, 0x0000000f, 0x00000a08, 0x00000100, 0x00000000)                               \
	XSAVE_ROW(2, 0x00000100, 0x00000240, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(3, 0x00000040, 0x000003c0, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(4, 0x00000040, 0x00000400, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(5, 0x00000040, 0x00000440, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(6, 0x00000200, 0x00000480, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(7, 0x00000400, 0x00000680, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(8, 0x00000080, 0x00000000, 0x00000001, 0x00000000)                               \
	XSAVE_ROW(9, 0x00000008, 0x00000a80, 0x00000000, 0x00000000)

/* Sapphire Rapids: x87 SSE AVX AVX-512 PKRU AMX (no MPX); IA32_XSS: PT (8),
 * PASID (10, 8 bytes), CET_U (11, 16), CET_S (12, 24), UINTR (14, 48), arch
 * LBR (15, 808); XFD. Standard total 11008 (0x2b00), compacted for 0x602e7
 * 10752 (0x2a00: XTILEDATA aligned up from 2504 to 2560). */
#define SAPPHIRE_RAPIDS_XCR0_READ 0x602e7
#define SAPPHIRE_RAPIDS_ROWS                                                                       \
	XSAVE_ROW(0, 0x000602e7, 0x00002b00, 0x00002b00, 0x00000000)                               \
	XSAVE_ROW(1, 0x0000001f, 0x00002a00, 0x0000dd00, 0x00000000)                               \
	XSAVE_ROW(2, 0x00000100, 0x00000240, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(5, 0x00000040, 0x00000440, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(6, 0x00000200, 0x00000480, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(7, 0x00000400, 0x00000680, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(8, 0x00000080, 0x00000000, 0x00000001, 0x00000000)                               \
	XSAVE_ROW(9, 0x00000008, 0x00000a80, 0x00000000, 0x00000000)                               \
	XSAVE_ROW(10, 0x00000008, 0x00000000, 0x00000001, 0x00000000)                              \
	XSAVE_ROW(11, 0x00000010, 0x00000000, 0x00000001, 0x00000000)                              \
	XSAVE_ROW(12, 0x00000018, 0x00000000, 0x00000001, 0x00000000)                              \
	XSAVE_ROW(14, 0x00000030, 0x00000000, 0x00000001, 0x00000000)                              \
	XSAVE_ROW(15, 0x00000328, 0x00000000, 0x00000001, 0x00000000)                              \
	XSAVE_ROW(17, 0x00000040, 0x00000ac0, 0x00000000, 0x00000000)                              \
	XSAVE_ROW(18, 0x00002000, 0x00000b00, 0x00000006, 0x00000000)

#endif
