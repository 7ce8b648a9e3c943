/* Time stamp counter: its rate (CPUID 0x15/0x16 checked against the PIT) and busy-wait delays. */
#ifndef SABLE_DRIVERS_TSC_H
#define SABLE_DRIVERS_TSC_H

#include "drivers/tsc_freq.h"
#include "types.h"

extern uint64_t tsc_hz;
extern uint64_t boot_tsc; /* TSC at the first instruction of boot/entry.asm */

/* Reads CPUID 0x15/0x16 into *c, measures the TSC over 10 ms of PIT channel
 * 2 and sets tsc_hz to the choice of tsc_choose(), which it returns. */
struct tsc_choice tsc_calibrate(struct tsc_cpuid *c);
void udelay(uint64_t us);
/* The TSC now. The host unit tests link their own fake clock; the hypervisor
 * reads the CPU's, inline, since the run loop asks before every entry. */
#ifdef SABLE_HOST_TEST
uint64_t tsc_now(void);
#else
#include "x86.h"
static inline uint64_t tsc_now(void)
{
	return rdtsc();
}
#endif

#endif
