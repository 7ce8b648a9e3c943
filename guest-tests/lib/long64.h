/* SPDX-License-Identifier: MIT */
/*
 * Sable guest library: running a piece of 64-bit code from a 32-bit guest.
 * long64_call() enters IA-32e mode (PAE paging identity-mapping the first
 * GiB with 2 MiB pages, EFER.LME, CR0.PG; SDM Vol. 3A sec. 10.8.5), calls
 * body in 64-bit mode with RDI = arg, and comes back to 32-bit protected
 * mode with paging off (sec. 10.8.5.4), the guest's GDT and EFLAGS.IF as
 * they were. Interrupts stay off meanwhile (the IDT has 32-bit gates only).
 * body is 64-bit code (a .code64 label) that may clobber RAX, RCX, RDX, RSI,
 * RDI, R8-R15 and the vector registers, and ends with RET.
 */
#ifndef GUEST_LONG64_H
#define GUEST_LONG64_H

#include "guest.h"

/* True if CPUID.80000001H:EDX[29] offers long mode. */
bool long64_offered(void);
void long64_call(void (*body)(void), void *arg);

#endif
