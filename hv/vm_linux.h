/* Linux guests (vm=<name>:linux=N[,initrd=M]): loading them into a VM. */
#ifndef SABLE_HV_VM_LINUX_H
#define SABLE_HV_VM_LINUX_H

#include "hv/vm.h"

/* Loads the bzImage of cfg->module with its initrd and command line into vm's
 * RAM, with the zero page and ACPI tables; *entry is the 32-bit entry point,
 * *boot_params the zero page (ESI). On a bad image or one that does not fit,
 * prints why and returns -errno. */
int vm_load_linux(struct vm *vm, const struct vm_config *cfg, uint64_t *entry,
                  uint64_t *boot_params);

#endif
