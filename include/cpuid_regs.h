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

/* Runs the real CPU's CPUID (leaf, subleaf) into *out; pure modules take one of these. */
typedef void (*cpuid_host_fn)(void *ctx, uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out);

#endif
