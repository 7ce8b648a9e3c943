/* SPDX-License-Identifier: MIT */
/*
 * Sable guest library: starting application processors as on a PC (Intel SDM
 * Vol. 3A sec. 9.4.4: INIT, SIPI, SIPI through the local APIC's ICR) with a
 * real-mode trampoline copied below 1 MiB, and what code running on several
 * CPUs at once needs: a lock for output lines, barriers, atomics.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <stdbool.h>
#include <stdint.h>

#define SMP_MAX_CPUS      16
#define SMP_TRAMPOLINE_PA 0x8000u /* SIPI vector 0x08 */
#define SMP_SIPI_VECTOR   (SMP_TRAMPOLINE_PA >> 12)

/* Runs on an AP that came through the trampoline, in 32-bit protected mode on
 * its own stack (by APIC ID), with the BSP's GDT and IDT, IF = 0. */
typedef void (*smp_ap_fn)(uint32_t apic_id);

/* What the trampoline saw when the AP started, before it changed anything. */
struct smp_ap_entry {
	uint32_t edx; /* EDX at the SIPI: the CPUID.1 signature */
	uint32_t cr0; /* CR0 at the SIPI */
	uint32_t cs;  /* CS selector at the SIPI (vector << 8) */
};
/* TSC right before smp_start_ap sent the first SIPI to each APIC ID. */
extern volatile uint64_t smp_sipi_tsc[SMP_MAX_CPUS];
extern volatile struct smp_ap_entry smp_ap_entry[SMP_MAX_CPUS];

/* Copies the trampoline to SMP_TRAMPOLINE_PA; APs started there run fn. Call
 * after the IDT is final (irq_set_handler), before smp_start_ap. */
void smp_prepare(smp_ap_fn fn);
/* INIT (assert, then the level de-assert a PC kernel sends too), ~10 ms, SIPI,
 * ~200 us, SIPI to the AP with this APIC ID (xAPIC mode). */
void smp_start_ap(uint32_t apic_id);
/* Busy-waits about ticks TSC ticks. */
void smp_delay(uint64_t ticks);

/* One line at a time on the console from any CPU. */
void smp_lock(void);
void smp_unlock(void);
/* Waits (bounded) until n CPUs have arrived at *count; true if all did. */
bool smp_barrier(volatile uint32_t *count, uint32_t n, uint64_t tsc_limit);
/* Waits (bounded) until (*word & want) == want; true if it came. IF = 1 while waiting. */
bool smp_wait_bits(volatile uint32_t *word, uint32_t want, uint64_t tsc_limit);

static inline uint32_t atomic_or(volatile uint32_t *p, uint32_t v)
{
	return __atomic_or_fetch(p, v, __ATOMIC_SEQ_CST);
}

static inline uint32_t atomic_inc(volatile uint32_t *p)
{
	return __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST);
}

#endif
