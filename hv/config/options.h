/* The hypervisor's boot options (GRUB command line), parsed into one struct (pure). */
#ifndef SABLE_HV_OPTIONS_H
#define SABLE_HV_OPTIONS_H

#include "hv/log.h"
#include "hv/config/vmconfig.h"
#include "drivers/uart_cfg.h"
#include "types.h"

#define MAX_VM_CONFIGS 16

enum on_stop {
	ON_STOP_HALT = 0, /* halt every core, console stays readable */
	ON_STOP_POWEROFF, /* ACPI S5 (and QEMU's debug-exit device) */
};

enum console_out {
	CONSOLE_BOTH = 0, /* serial and screen (the screen when one exists) */
	CONSOLE_SERIAL,
	CONSOLE_SCREEN, /* serial off once the screen is set up (kept when there is no screen) */
};

enum selftest {
	SELFTEST_NONE = 0,
	SELFTEST_UD,      /* execute UD2 after boot: exercises the exception report */
	SELFTEST_PF,      /* read page 0 after boot: exercises the page-fault report */
	SELFTEST_VMENTRY, /* corrupt the last VM's guest state: exercises the failed-entry report */
	SELFTEST_EVENTS,  /* NMIs and stray interrupt vectors to every core while guests run */
	SELFTEST_VMREAD,  /* VMREAD of a field that does not exist in the last VM's first exit */
	SELFTEST_VPIDS,   /* only SELFTEST_VPID_POOL VPIDs: exercises running out of them */
};

#define SELFTEST_VPID_POOL 2

struct hv_options {
	enum log_level loglevel;
	enum on_stop on_stop;
	enum console_out console;
	bool monitor;                           /* the console monitor (off: console=log-only) */
	char console_in[VMCONFIG_NAME_MAX + 1]; /* console_in=: the VM typed to from boot */
	uint32_t max_cpus;                      /* bring up at most this many CPUs, BSP included */
	enum selftest selftest;
	bool vmx_ack;            /* use "acknowledge interrupt on exit" when the CPU has it */
	uint32_t sched_slice_us; /* time slice (hv/sched_policy.h bounds) */
	bool apicv;        /* use APIC-register virtualization and virtual-interrupt delivery */
	bool serial_given; /* serial= was given: it overrides ACPI's console UART */
	struct uart_cfg serial; /* from serial= */
	bool gdb_given;         /* gdb=<vm>[.<vcpu>]: the GDB stub on COM2 */
	char gdb_vm[VMCONFIG_NAME_MAX + 1];
	uint32_t gdb_vcpu;
	struct vm_config vms[MAX_VM_CONFIGS]; /* from vm= options, in order */
	uint32_t nvms;
};

extern struct hv_options hv_options;

/* Receives one warning line about an ignored option. */
typedef void (*options_warn_fn)(void *ctx, const char *msg);

/* Fills *o with defaults. */
void options_defaults(struct hv_options *o);

/*
 * Applies every well-formed, known option of cmdline to *o. A first token that
 * is a path (starts with '/' or '(') is the kernel's name and is skipped.
 * Malformed tokens, unknown keys and bad values are reported through warn and
 * ignored. Returns the number of warnings.
 */
int options_parse(const char *cmdline, struct hv_options *o, options_warn_fn warn, void *ctx);

#endif
