// SPDX-License-Identifier: MIT
/*
 * irqbench: interrupt costs in TSC ticks, run with 2 vCPUs on 2 cores. Timer
 * latency: from a TSC deadline to the first instructions of the handler (the
 * interrupt stub reads the TSC), with the vCPU spinning and halted. IPI round trip:
 * vCPU 0 sends a fixed IPI to vCPU 1, whose handler answers with one back; from
 * the ICR write to vCPU 0's handler, with vCPU 1 spinning and halted. Each figure
 * is the lowest of ROUNDS, with the median beside it.
 * Under Linux KVM (the one-vCPU runner of make bench) only the timer figures.
 */
#include "guest.h"
#include "apic.h"
#include "smp.h"

#define ROUNDS   16
#define V_TIMER  0xa0
#define V_PING   0x60
#define V_PONG   0x61
#define WAIT     50000000ull
#define DEADLINE 30000 /* ticks ahead */

static volatile uint32_t ap_ready, ap_halts;

static void pong(uint8_t vector)
{
	(void)vector;
	apic_send_ipi(0, APIC_DM_FIXED | V_PONG);
	apic_eoi();
}

static void eoi(uint8_t vector)
{
	(void)vector;
	apic_eoi();
}

static __attribute__((noreturn)) void ap(uint32_t apic_id)
{
	(void)apic_id;
	apic_enable();
	atomic_inc(&ap_ready);
	for (;;) {
		if (ap_halts)
			sti_hlt();
		else {
			irq_enable();
			cpu_relax();
			irq_disable();
		}
	}
}

static void sort(uint64_t *a, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && a[j - 1] > a[j]; j--) {
			uint64_t t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
}

static bool report(const char *name, uint64_t *t, unsigned n)
{
	if (n < ROUNDS) {
		test_fail(name, "%u of %u rounds completed", n, ROUNDS);
		return false;
	}
	sort(t, n);
	printf("BENCH %s ticks_per_op=%llu median=%llu\n", name, t[0], t[n / 2]);
	return true;
}

static bool timer_latency(const char *name, bool hlt)
{
	uint64_t t[ROUNDS];
	unsigned n;

	for (n = 0; n < ROUNDS; n++) {
		uint32_t seen = irq_count[V_TIMER];
		uint64_t deadline;
		bool ok;

		irq_disable();
		deadline = rdtsc() + DEADLINE;
		apic_timer_tsc_deadline(V_TIMER, deadline);
		ok = hlt ? irq_wait(V_TIMER, seen, WAIT) : irq_spin_wait(V_TIMER, seen, WAIT);
		if (ok && irq_entry_tsc < deadline) {
			/* a TSC-deadline interrupt never comes before its deadline */
			test_fail(name,
			          "round %u: the interrupt came %llu ticks before its deadline", n,
			          deadline - irq_entry_tsc);
			return false;
		}
		if (!ok)
			break;
		t[n] = irq_entry_tsc - deadline;
	}
	return report(name, t, n);
}

static bool ipi_roundtrip(const char *name, bool ap_halted)
{
	uint64_t t[ROUNDS];
	unsigned n;

	ap_halts = ap_halted;
	smp_delay(200000); /* the AP settles in its loop */
	for (n = 0; n < ROUNDS; n++) {
		uint32_t seen = irq_count[V_PONG];
		uint64_t t0;

		irq_disable();
		t0 = rdtsc();
		apic_send_ipi(1, APIC_DM_FIXED | V_PING);
		if (!irq_spin_wait(V_PONG, seen, WAIT))
			break;
		t[n] = irq_entry_tsc - t0;
		smp_delay(20000);
	}
	return report(name, t, n);
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	bool ok = true, kvm = under_kvm();

	(void)magic;
	(void)mbi;
	if (!under_sable() && !kvm) {
		test_skip("irqbench", "not under Sable");
		return 0;
	}
	irq_set_handler(V_TIMER, eoi);
	irq_set_handler(V_PING, pong);
	irq_set_handler(V_PONG, eoi);
	irq_set_handler(APIC_SPURIOUS_VECTOR, NULL);
	apic_enable();
	ok &= timer_latency("timer-latency", false);
	ok &= timer_latency("timer-latency-halted", true);
	if (kvm) {
		puts("BENCH ipi-roundtrip SKIP (one vCPU under the KVM runner)");
		puts("BENCH ipi-roundtrip-halted SKIP (one vCPU under the KVM runner)");
		if (ok)
			test_pass("irqbench");
		return ok ? 0 : 1;
	}
	smp_prepare(ap);
	smp_start_ap(1);
	if (!smp_wait_bits(&ap_ready, 1, WAIT)) {
		test_fail("irqbench", "vCPU 1 did not start");
		return 1;
	}
	ok &= ipi_roundtrip("ipi-roundtrip", false);
	ok &= ipi_roundtrip("ipi-roundtrip-halted", true);
	if (ok)
		test_pass("irqbench");
	return ok ? 0 : 1;
}
