// SPDX-License-Identifier: MIT
/*
 * pcboot: start-up code as a test kernel written for QEMU's PC machine has
 * it, and nothing Sable-specific, so that it passes bare under QEMU TCG
 * (guest-tests/bare.sh) as well as in Sable. Before it prints anything it
 * reads its APIC ID at 0xFEE00020; it masks the 8259 PICs, enables the local APIC through SPIV
 * only (IA32_APIC_BASE as firmware left it), counts CPUs through fw_cfg,
 * starts each AP with INIT-SIPI-SIPI and waits for it to check in with its
 * APIC ID, then calibrates the APIC timer against the TSC (one-shot, divide
 * by 1, until the interrupt) and checks the TSC-deadline timer fires, not
 * before its deadline.
 */
#include "guest.h"
#include "apic.h"
#include "smp.h"

#define VEC_TIMER     0x40
#define TIMER_COUNT   1000000u
#define DEADLINE_TSC  2000000ull
#define WAIT_TICKS    400000000ull
#define TDCR_DIVIDE_1 0xb
#define PIC1_DATA     0x21
#define PIC2_DATA     0xa1

static volatile uint32_t checked_in, ap_ids[SMP_MAX_CPUS];

static uint32_t mmio_read(uint32_t off)
{
	return *(volatile uint32_t *)(APIC_DEFAULT_BASE + off);
}

static void mmio_write(uint32_t off, uint32_t val)
{
	*(volatile uint32_t *)(APIC_DEFAULT_BASE + off) = val;
}

/* Waits with IF = 1 throughout (no STI shadow games) until vector was taken
 * once more than seen; true if it was. */
static bool wait_irq(uint8_t vector, uint32_t seen)
{
	uint64_t start = rdtsc();
	bool ok;

	irq_enable();
	while (!(ok = irq_count[vector] > seen) && rdtsc() - start < WAIT_TICKS)
		cpu_relax();
	irq_disable();
	return ok;
}

static void on_timer(uint8_t vector)
{
	(void)vector;
	mmio_write(APIC_EOI, 0);
}

static void ap(uint32_t id)
{
	ap_ids[id] = mmio_read(APIC_ID) >> 24;
	mmio_write(APIC_SPIV, APIC_SPIV_ENABLE | APIC_SPURIOUS_VECTOR);
	atomic_or(&checked_in, 1u << id);
	halt_forever();
}

static void start_aps(uint32_t bsp, uint32_t ncpus)
{
	uint32_t want = 0;

	test_begin("pcboot-aps");
	if (!CHECK(ncpus >= 1 && ncpus <= SMP_MAX_CPUS, "fw_cfg says %u CPUs", ncpus)) {
		test_end();
		return;
	}
	smp_prepare(ap);
	/* APIC IDs 0..n-1, as QEMU and Sable number them */
	for (uint32_t id = 0; id < ncpus; id++) {
		if (id == bsp)
			continue;
		smp_start_ap(id);
		want |= 1u << id;
		CHECK(smp_wait_bits(&checked_in, 1u << id, WAIT_TICKS), "AP %u did not start", id);
	}
	for (uint32_t id = 0; id < ncpus; id++)
		if (want & (1u << id))
			CHECK(ap_ids[id] == id, "AP started as %u reads APIC ID %u", id,
			      ap_ids[id]);
	info("pcboot: %u AP(s) started: 0x%x", ncpus - 1, checked_in);
	test_end();
}

static void calibrate_apic_timer(void)
{
	uint32_t seen = irq_count[VEC_TIMER], mid;
	uint64_t t0, t1;

	test_begin("pcboot-apic-timer");
	mmio_write(APIC_TDCR, TDCR_DIVIDE_1);
	mmio_write(APIC_LVTT, VEC_TIMER); /* one-shot */
	t0 = rdtsc();
	mmio_write(APIC_TMICT, TIMER_COUNT);
	mid = mmio_read(APIC_TMCCT);
	CHECK(mid > 0 && mid <= TIMER_COUNT, "current count 0x%x after start", mid);
	if (CHECK(wait_irq(VEC_TIMER, seen), "no timer interrupt")) {
		t1 = irq_entry_tsc;
		CHECK(t1 > t0, "interrupt TSC %llu before start %llu", t1, t0);
		CHECK(mmio_read(APIC_TMCCT) == 0, "current count 0x%x after expiry",
		      mmio_read(APIC_TMCCT));
		info("pcboot: APIC timer: %u ticks in %llu TSC ticks (%llu.%03llu TSC ticks each)",
		     TIMER_COUNT, t1 - t0, (t1 - t0) / TIMER_COUNT,
		     (t1 - t0) % TIMER_COUNT * 1000 / TIMER_COUNT);
	}
	test_end();
}

static void check_tsc_deadline(void)
{
	uint32_t seen = irq_count[VEC_TIMER];
	uint64_t deadline;

	if (!apic_tsc_deadline_offered()) {
		test_skip("pcboot-tsc-deadline", "CPUID.1:ECX.TSC_DEADLINE is 0");
		return;
	}
	test_begin("pcboot-tsc-deadline");
	mmio_write(APIC_TMICT, 0); /* no one-shot left armed */
	seen = irq_count[VEC_TIMER];
	mmio_write(APIC_LVTT, APIC_TIMER_TSCDL | VEC_TIMER);
	asm volatile("mfence" ::: "memory");
	deadline = rdtsc() + DEADLINE_TSC;
	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
	if (CHECK(wait_irq(VEC_TIMER, seen), "no TSC-deadline interrupt")) {
		CHECK(irq_entry_tsc >= deadline, "fired at %llu, before the deadline %llu",
		      irq_entry_tsc, deadline);
		CHECK(rdmsr(MSR_IA32_TSC_DEADLINE) == 0, "deadline MSR not cleared");
		info("pcboot: TSC deadline interrupt %llu ticks after the deadline",
		     irq_entry_tsc - deadline);
	}
	test_end();
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	/* first thing, before any output: who am I */
	uint32_t bsp = mmio_read(APIC_ID) >> 24, ncpus;

	(void)magic;
	(void)mbi;
	outb(PIC1_DATA, 0xff); /* the legacy PICs masked: the local APIC only */
	outb(PIC2_DATA, 0xff);
	mmio_write(APIC_SPIV, APIC_SPIV_ENABLE | APIC_SPURIOUS_VECTOR);
	mmio_write(APIC_TPR, 0);
	ncpus = fw_cfg_present() ? fw_cfg_read_u16(FW_CFG_NB_CPUS) : 0;
	info("pcboot: BSP APIC ID %u, SPIV 0x%x, %u CPU(s) in fw_cfg", bsp, mmio_read(APIC_SPIV),
	     ncpus);
	irq_set_handler(VEC_TIMER, on_timer);
	start_aps(bsp, ncpus);
	calibrate_apic_timer();
	check_tsc_deadline();
	tests_finish();
}
