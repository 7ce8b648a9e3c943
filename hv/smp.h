/* Starting the application processors (SDM Vol. 3A sec. 9.4.4, 9.4.4.1). */
#ifndef SABLE_HV_SMP_H
#define SABLE_HV_SMP_H

#include "types.h"

/* Parameter block inside the trampoline page (layout in boot/boot.inc). */
struct ap_boot_params {
	uint64_t cr3;
	uint64_t entry;
	uint64_t stack;
	uint64_t arg;
};

#define AP_PARAMS_OFFSET 0xf00

extern uint32_t cpus_online;

/* Starts every enabled CPU of the MADT (up to the cpus= limit) one at a time
 * and waits for each to report online; returns the number of CPUs online. */
uint32_t smp_boot_aps(void);

#endif
