// SPDX-License-Identifier: MIT
/*
 * Sable guest library: AP start-up and multi-CPU helpers (smp.h).
 */
#include "guest.h"
#include "apic.h"
#include "smp.h"

#define INIT_DELAY_TICKS  10000000ull /* ~10 ms at 1 GHz (SDM Vol. 3A sec. 9.4.4.1) */
#define SIPI_DELAY_TICKS  200000ull   /* ~200 us */
#define ICR_TRIGGER_LEVEL (1u << 15)

struct desc_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

extern const uint8_t ap_trampoline[], ap_trampoline_end[], ap_trampoline_gdtr[];

volatile struct smp_ap_entry smp_ap_entry[SMP_MAX_CPUS];
volatile uint64_t smp_sipi_tsc[SMP_MAX_CPUS];
static smp_ap_fn ap_fn;
static struct desc_ptr ap_idtr;
static volatile uint32_t console_lock;

void ap_main(uint32_t apic_id);

void ap_main(uint32_t apic_id)
{
	asm volatile("lidt %0" : : "m"(ap_idtr));
	ap_fn(apic_id);
	halt_forever();
}

void smp_prepare(smp_ap_fn fn)
{
	uint8_t *dst = (uint8_t *)SMP_TRAMPOLINE_PA;
	struct desc_ptr gdtr;

	ap_fn = fn;
	asm volatile("sgdt %0" : "=m"(gdtr));
	asm volatile("sidt %0" : "=m"(ap_idtr));
	memcpy(dst, ap_trampoline, (size_t)(ap_trampoline_end - ap_trampoline));
	memcpy(dst + (ap_trampoline_gdtr - ap_trampoline), &gdtr, sizeof(gdtr));
}

void smp_delay(uint64_t ticks)
{
	uint64_t start = rdtsc();

	while (rdtsc() - start < ticks)
		cpu_relax();
}

void smp_start_ap(uint32_t apic_id)
{
	apic_send_ipi(apic_id, APIC_DM_INIT | APIC_ICR_LEVEL_ASSERT | ICR_TRIGGER_LEVEL);
	apic_send_ipi(apic_id, APIC_DM_INIT | ICR_TRIGGER_LEVEL);
	smp_delay(INIT_DELAY_TICKS);
	if (apic_id < SMP_MAX_CPUS)
		smp_sipi_tsc[apic_id] = rdtsc();
	for (int i = 0; i < 2; i++) {
		apic_send_ipi(apic_id, APIC_DM_SIPI | SMP_SIPI_VECTOR);
		smp_delay(SIPI_DELAY_TICKS);
	}
}

void smp_lock(void)
{
	while (__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

void smp_unlock(void)
{
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

bool smp_barrier(volatile uint32_t *count, uint32_t n, uint64_t tsc_limit)
{
	uint64_t start = rdtsc();

	atomic_inc(count);
	while (__atomic_load_n(count, __ATOMIC_SEQ_CST) < n)
		if (rdtsc() - start > tsc_limit)
			return false;
		else
			cpu_relax();
	return true;
}

bool smp_wait_bits(volatile uint32_t *word, uint32_t want, uint64_t tsc_limit)
{
	uint64_t start = rdtsc();
	bool ok;

	irq_enable();
	while (!(ok = (*word & want) == want) && rdtsc() - start <= tsc_limit)
		cpu_relax();
	irq_disable();
	return ok;
}
