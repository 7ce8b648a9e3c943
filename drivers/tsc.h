/* Time stamp counter: calibration against the PIT and busy-wait delays. */
#ifndef SABLE_DRIVERS_TSC_H
#define SABLE_DRIVERS_TSC_H

#include "types.h"

extern uint64_t tsc_hz;
extern uint64_t boot_tsc; /* TSC at the first instruction of boot/entry.asm */

/* Measures the TSC rate over 10 ms of PIT channel 2. Returns false (and
 * assumes 1 GHz) if the PIT never counted down. */
bool tsc_calibrate(void);
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
