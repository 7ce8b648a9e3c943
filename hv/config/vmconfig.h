/* Parser of the hypervisor's vm= boot option: one guest VM's configuration (pure). */
#ifndef SABLE_HV_VMCONFIG_H
#define SABLE_HV_VMCONFIG_H

#include "types.h"

#define VMCONFIG_MAX_VCPUS   16
#define VMCONFIG_MAX_MODS    4
#define VMCONFIG_MIN_MEM     MiB(4)
#define VMCONFIG_MAX_MEM     GiB(64)
#define VMCONFIG_DEFAULT_MEM MiB(32)
#define VMCONFIG_LINUX_MEM   MiB(256) /* default for linux= guests */
#define VMCONFIG_NAME_MAX    15
#define VMCONFIG_MAX_RESTART 1000

struct vm_config {
	char name[VMCONFIG_NAME_MAX + 1]; /* NUL-terminated, [A-Za-z0-9_-] */
	uint32_t module;                  /* GRUB module index of the kernel */
	uint64_t mem;                     /* guest RAM bytes */
	uint32_t ncpus;
	uint32_t pin[VMCONFIG_MAX_VCPUS]; /* physical CPU index of each vCPU, if pinned */
	bool pinned;
	uint32_t mods[VMCONFIG_MAX_MODS]; /* GRUB module indexes passed to the guest */
	uint32_t nmods;
	uint32_t restart; /* times the VM is built again after it stops */
	uint32_t weight;  /* scheduler weight of each of its vCPUs (hv/sched_policy.h) */
	bool is_linux;    /* module is a bzImage (linux=N), not a multiboot kernel */
	bool has_initrd;
	uint32_t initrd; /* GRUB module index of the initrd (initrd=M, linux= only) */
};

/*
 * Parses value[0..len) (the text after "vm=", not NUL-terminated) into *cfg:
 *   <name>:module=N[,mem=SIZE][,cpus=N][,pin=A[+B...]][,mods=A[+B...]][,restart=N]
 *   [,weight=N]
 * or, for a Linux bzImage, linux=N[,initrd=M] in place of module=N (mods= is
 * multiboot only; mem= defaults to VMCONFIG_LINUX_MEM).
 * Module indexes must be below MAX_BOOT_MODULES and CPU indexes below MAX_CPUS.
 * A single pin= entry pins every vCPU to that CPU. Returns 0 or -EINVAL with a
 * one-line reason in err (errlen bytes, always NUL-terminated when errlen > 0);
 * after an error *cfg holds partial results and must not be used.
 */
int vmconfig_parse(const char *value, size_t len, struct vm_config *cfg, char *err, size_t errlen);

#endif
