/* Stopping the machine: panics, clean refusals and the end of the run. */
#ifndef SABLE_HV_PANIC_H
#define SABLE_HV_PANIC_H

#include "types.h"

enum stop_reason {
	STOP_DONE = 0,    /* all work finished */
	STOP_REFUSED = 1, /* the platform cannot run the hypervisor */
	STOP_PANIC = 2,   /* an internal error */
};

/* Prints "PANIC at file:line: reason" with the CPU, stops every core, then
 * performs the stop action (halt or power off). */
__noreturn void panic_at(const char *file, int line, const char *fmt, ...) __printf(3, 4);
#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

#define ASSERT(cond)                                                                               \
	do {                                                                                       \
		if (unlikely(!(cond)))                                                             \
			panic("assertion failed: %s", #cond);                                      \
	} while (0)

/* Stops every core and performs the stop action chosen by on_stop=. */
__noreturn void hv_stop(enum stop_reason why);
/* Stops every core and resets the machine (the monitor's reboot); halts if
 * the reset does not happen. */
__noreturn void hv_reboot(void);
/* True once any core has begun stopping the machine. */
bool panic_in_progress(void);
/* Halts the calling CPU for good (interrupts off; only NMI/INIT reach it). */
__noreturn void cpu_park(void);

#endif
