/* The four registers CPUID returns; shared by x86.h and the pure CPUID modules. */
#ifndef SABLE_CPUID_REGS_H
#define SABLE_CPUID_REGS_H

#include <stdint.h>

#ifndef SABLE_CPUID_REGS_DEFINED
#define SABLE_CPUID_REGS_DEFINED
struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};
#endif

#endif
