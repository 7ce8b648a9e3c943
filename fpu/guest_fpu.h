/* A vCPU's FPU context, owned by fpu/ (DESIGN.md mechanisms 2 and 3). */
#ifndef SABLE_FPU_GUEST_FPU_H
#define SABLE_FPU_GUEST_FPU_H

#include "types.h"

struct guest_fpu {
	/* XSAVE image (x87, SSE, AVX, AVX-512 and PKRU) while another vCPU owns
	 * the CPU; INVALID_HPA: none */
	hpa_t area;
	uint64_t xcr0; /* the guest's XCR0, live in hardware only while the guest runs */
};

#endif
