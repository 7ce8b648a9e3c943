/* A vCPU's FPU context, owned by fpu/ (DESIGN.md mechanisms 2, 3 and 5). */
#ifndef SABLE_FPU_GUEST_FPU_H
#define SABLE_FPU_GUEST_FPU_H

#include "fpu/xfd.h"

struct guest_fpu {
	/* Save image (x87, SSE, AVX, AVX-512, PKRU as enabled and in use) while
	 * another vCPU's state is live on the CPU; NULL until the state first
	 * leaves its init state, so a vCPU that never uses them costs nothing. */
	void *area;
	uint32_t area_size; /* bytes allocated for area */
	uint32_t peak_size; /* the most bytes it ever had, for the report at VM stop */
	bool saved;         /* area holds its state; false: its state is the init state */
	/* The guest's XCR0: in the hardware whenever this vCPU's state is live,
	 * from its switch-in to the next vCPU switch on that CPU. */
	uint64_t xcr0;
	/* XFD (mechanism 4): xfd.hv is DESIGN's guest_fpu->xfd (components whose
	 * room in area is not allocated yet), xfd.guest its vcpu->xfd. */
	struct xfd_state xfd;
	uint64_t xss; /* its IA32_XSS, in the hardware under the same rule */
};

#endif
