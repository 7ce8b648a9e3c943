/* SPDX-License-Identifier: MIT */
/*
 * Sable guest library: the vector registers a guest fills with a pattern and
 * reads back to check that its FPU state survived a switch: XMM0-7, the YMM
 * upper halves, the ZMM0-7 upper halves and k0-7 (ZMM16-31 need 64-bit mode),
 * and XSETBV that reports its fault instead of dying.
 */
#ifndef GUEST_VECREGS_H
#define GUEST_VECREGS_H

#include "guest.h"

static inline int xsetbv_safe(uint64_t v)
{
	fault_arm();
	asm volatile("1: xsetbv\n2:\n\t" EXTABLE(1b, 2b)
	             :
	             : "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
	             : "memory");
	return fault_vector >= 0 ? fault_vector : 0;
}

static inline void load_vector_regs(const uint8_t (*x)[16], const uint8_t (*hi)[16], bool ymm)
{
	asm volatile("movdqu 0(%0), %%xmm0\n\tmovdqu 16(%0), %%xmm1\n\t"
	             "movdqu 32(%0), %%xmm2\n\tmovdqu 48(%0), %%xmm3\n\t"
	             "movdqu 64(%0), %%xmm4\n\tmovdqu 80(%0), %%xmm5\n\t"
	             "movdqu 96(%0), %%xmm6\n\tmovdqu 112(%0), %%xmm7"
	             :
	             : "r"(x)
	             : "memory");
	if (ymm) /* the upper halves, without touching the low ones */
		asm volatile("vinsertf128 $1, 0(%0), %%ymm0, %%ymm0\n\t"
		             "vinsertf128 $1, 16(%0), %%ymm1, %%ymm1\n\t"
		             "vinsertf128 $1, 32(%0), %%ymm2, %%ymm2\n\t"
		             "vinsertf128 $1, 48(%0), %%ymm3, %%ymm3\n\t"
		             "vinsertf128 $1, 64(%0), %%ymm4, %%ymm4\n\t"
		             "vinsertf128 $1, 80(%0), %%ymm5, %%ymm5\n\t"
		             "vinsertf128 $1, 96(%0), %%ymm6, %%ymm6\n\t"
		             "vinsertf128 $1, 112(%0), %%ymm7, %%ymm7"
		             :
		             : "r"(hi)
		             : "memory");
}

/* The upper 256 bits of ZMM0-7 and the opmask registers k0-7 (ZMM16-31 need
 * 64-bit mode, which this guest does not run in). */
static inline void load_avx512(const uint8_t (*zhi)[32], const uint16_t *k)
{
	asm volatile("vinserti64x4 $1, 0(%0), %%zmm0, %%zmm0\n\t"
	             "vinserti64x4 $1, 32(%0), %%zmm1, %%zmm1\n\t"
	             "vinserti64x4 $1, 64(%0), %%zmm2, %%zmm2\n\t"
	             "vinserti64x4 $1, 96(%0), %%zmm3, %%zmm3\n\t"
	             "vinserti64x4 $1, 128(%0), %%zmm4, %%zmm4\n\t"
	             "vinserti64x4 $1, 160(%0), %%zmm5, %%zmm5\n\t"
	             "vinserti64x4 $1, 192(%0), %%zmm6, %%zmm6\n\t"
	             "vinserti64x4 $1, 224(%0), %%zmm7, %%zmm7\n\t"
	             "kmovw 0(%1), %%k0\n\tkmovw 2(%1), %%k1\n\t"
	             "kmovw 4(%1), %%k2\n\tkmovw 6(%1), %%k3\n\t"
	             "kmovw 8(%1), %%k4\n\tkmovw 10(%1), %%k5\n\t"
	             "kmovw 12(%1), %%k6\n\tkmovw 14(%1), %%k7"
	             :
	             : "r"(zhi), "r"(k)
	             : "memory");
}

static inline void store_avx512(uint8_t (*zhi)[32], uint16_t *k)
{
	asm volatile("vextracti64x4 $1, %%zmm0, 0(%0)\n\t"
	             "vextracti64x4 $1, %%zmm1, 32(%0)\n\t"
	             "vextracti64x4 $1, %%zmm2, 64(%0)\n\t"
	             "vextracti64x4 $1, %%zmm3, 96(%0)\n\t"
	             "vextracti64x4 $1, %%zmm4, 128(%0)\n\t"
	             "vextracti64x4 $1, %%zmm5, 160(%0)\n\t"
	             "vextracti64x4 $1, %%zmm6, 192(%0)\n\t"
	             "vextracti64x4 $1, %%zmm7, 224(%0)\n\t"
	             "kmovw %%k0, 0(%1)\n\tkmovw %%k1, 2(%1)\n\t"
	             "kmovw %%k2, 4(%1)\n\tkmovw %%k3, 6(%1)\n\t"
	             "kmovw %%k4, 8(%1)\n\tkmovw %%k5, 10(%1)\n\t"
	             "kmovw %%k6, 12(%1)\n\tkmovw %%k7, 14(%1)"
	             :
	             : "r"(zhi), "r"(k)
	             : "memory");
}

static inline void store_vector_regs(uint8_t (*x)[16], uint8_t (*hi)[16], bool ymm)
{
	asm volatile("movdqu %%xmm0, 0(%0)\n\tmovdqu %%xmm1, 16(%0)\n\t"
	             "movdqu %%xmm2, 32(%0)\n\tmovdqu %%xmm3, 48(%0)\n\t"
	             "movdqu %%xmm4, 64(%0)\n\tmovdqu %%xmm5, 80(%0)\n\t"
	             "movdqu %%xmm6, 96(%0)\n\tmovdqu %%xmm7, 112(%0)"
	             :
	             : "r"(x)
	             : "memory");
	if (ymm)
		asm volatile("vextractf128 $1, %%ymm0, 0(%0)\n\t"
		             "vextractf128 $1, %%ymm1, 16(%0)\n\t"
		             "vextractf128 $1, %%ymm2, 32(%0)\n\t"
		             "vextractf128 $1, %%ymm3, 48(%0)\n\t"
		             "vextractf128 $1, %%ymm4, 64(%0)\n\t"
		             "vextractf128 $1, %%ymm5, 80(%0)\n\t"
		             "vextractf128 $1, %%ymm6, 96(%0)\n\t"
		             "vextractf128 $1, %%ymm7, 112(%0)"
		             :
		             : "r"(hi)
		             : "memory");
}

#endif
