/* SPDX-License-Identifier: MIT */
/* revcheck: what its parts share (revcheck.c, revcheck_rm.c). */
#ifndef REVCHECK_H
#define REVCHECK_H

#include "guest.h"

/* revcheck.c's GDT: the library's entries, then these. The real-mode blob
 * in revcheck_rm.c names the two 16-bit segments by number. */
#define SEL_CODE16 0x38
#define SEL_DATA16 0x40
#define SEL_TASK2  0x48

/* A pointer to low guest memory that the compiler cannot see as a constant. */
static inline void *low_ptr(uintptr_t addr)
{
	asm("" : "+r"(addr));
	return (void *)addr;
}

/* real-mode-gp: RDMSR of an absent MSR in real mode takes #GP through the IVT, no error code. */
void revcheck_real_mode_gp(void);

#endif
