/* Machine-level services: which emulator (if any) we run under, power off. */
#ifndef SABLE_DRIVERS_PLATFORM_H
#define SABLE_DRIVERS_PLATFORM_H

#include "drivers/acpi.h"
#include "types.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4 /* isa-debug-exit: QEMU exits with (v << 1) | 1 */

extern struct acpi_info acpi;

/* True when QEMU's fw_cfg interface answers (only probed under a hypervisor). */
bool platform_is_qemu(void);

/* Powers the machine off: QEMU's debug-exit device with code, then ACPI S5
 * through the FADT's PM1 control blocks. Returns only if both failed. */
void platform_poweroff(int code);
/* Resets the machine: the PCI reset control register (port 0xCF9), then the
 * keyboard controller's reset line. Returns only if neither worked. */
void platform_reset(void);

#endif
