/* Compile-time limits and tunables of the hypervisor, in one place. */
#ifndef SABLE_PARAM_H
#define SABLE_PARAM_H

#include "types.h"

#define MAX_CPUS         64  /* physical CPUs the hypervisor will bring up */
#define MAX_MEM_REGIONS  128 /* memory-map entries kept from the boot loader */
#define MAX_BOOT_MODULES 16  /* GRUB modules kept from the boot loader */
#define MAX_FREE_RANGES  128 /* disjoint free ranges in the frame allocator */
#define MAX_IOAPICS      8   /* I/O APICs recorded from the MADT */

#define CPU_STACK_SIZE     (16 * 1024) /* per-CPU hypervisor stack */
#define CPU_IST_STACK_SIZE (4 * 1024)  /* NMI / double-fault / machine-check stacks */
#define HEAP_SIZE          MiB(4)      /* hypervisor object heap */

#define AP_TRAMPOLINE_PA    0x8000ull /* real-mode entry page for INIT-SIPI-SIPI (below 1 MiB) */
#define AP_START_TIMEOUT_US 200000    /* how long the BSP waits for one AP to come online */

/* Exits for one guest exception vector at one RIP in a row before the VM is
 * stopped as caught in its own event delivery (vmx/exit_event.c). */
#define GUEST_EXC_LOOP_LIMIT 64

/* selftest=events: rounds of NMIs and stray vectors, and the time between them. */
#define SELFTEST_EVENT_ROUNDS 4
#define SELFTEST_EVENT_GAP_US 50000

/* The screen console's character grid; a larger screen uses its top-left part. */
#define SCREEN_MAX_COLS  240
#define SCREEN_MAX_ROWS  135
#define SCREEN_EARLY_BUF 4096 /* console bytes kept until the screen is set up */
/* A periodic guest APIC timer fires at most once per this many TSC ticks (its
 * count stays exact): a tiny period would otherwise make the vCPU and its
 * core-mates exit for nothing but timer polls. */
#define VLAPIC_MIN_PERIOD_TICKS 10000
/* The same floor for the PIT's periodic IRQ 0 (hv/vdev/pit8254.h). */
#define PIT_MIN_PERIOD_TICKS 10000
/* Every guest's CMOS clock starts at this wall time (seconds since 1970, UTC:
 * 2026-01-01 00:00:00) when its VM is built, and then runs with the TSC. */
#define RTC_EPOCH_SECS 1767225600ull

#define LOG_LINE_MAX    512                 /* one console line, prefix included */
#define MAX_PHYS_MAPPED ((uint64_t)1 << 39) /* the direct map stops at 512 GiB */

#endif
