#include "drivers/lapic.h"
#include "cpuid_bits.h"
#include "drivers/tsc.h"
#include "hv/trap.h"
#include "param.h"
#include "x86.h"

/* Register offsets (xAPIC MMIO; x2APIC MSR = 0x800 + offset / 16). */
#define LAPIC_ID        0x020
#define LAPIC_EOI       0x0b0
#define LAPIC_SVR       0x0f0
#define LAPIC_ISR       0x100 /* eight 32-bit registers, 16 bytes apart */
#define LAPIC_ICR_LO    0x300
#define LAPIC_ICR_HI    0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0

#define SVR_ENABLE             BIT(8)
#define ICR_DELIVERY_PENDING   BIT(12)
#define ICR_FIXED              (0u << 8)
#define ICR_NMI                (4u << 8)
#define ICR_INIT               (5u << 8)
#define ICR_STARTUP            (6u << 8)
#define ICR_LEVEL_ASSERT       BIT(14)
#define ICR_ALL_BUT_SELF       (3u << 18)
#define LVT_MASKED             BIT(16)
#define LVT_DELIVERY_NMI       (4u << 8)
#define LVT_TIMER_TSC_DEADLINE (2u << 17)
#define TIMER_DIVIDE_BY_1      0xb
#define MSR_IA32_TSC_DEADLINE  0x6e0
#define CALIBRATE_US           1000 /* TSC time over which the one-shot rate is measured */

#define APIC_BASE_EXTD   BIT(10)
#define APIC_BASE_ENABLE BIT(11)
#define ICR_SPIN_LIMIT   1000000

static volatile uint32_t *mmio;
static bool x2apic;
static bool ready;

static uint32_t lapic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return mmio[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		mmio[reg / 4] = v;
}

/*
 * LINT0 is masked on every core: the only thing wired there is the 8259A's
 * INTR (virtual-wire mode), and the PICs are masked too. LINT1 carries the
 * platform NMI (IOCHK, watchdog, front-panel button); the MP specification
 * (1.4, sec. 3.6.2.2) and the usual MADT entries wire it to the bootstrap
 * processor only, so it is an NMI there and masked on the APs: such an NMI is
 * then reported and survived by the NMI handler instead of being lost.
 */
static void lapic_enable(bool bsp)
{
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, bsp ? LVT_DELIVERY_NMI : LVT_MASKED);
}

void lapic_init_bsp(uint64_t mmio_pa)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	x2apic = (base & APIC_BASE_EXTD) != 0;
	mmio = (volatile uint32_t *)(uintptr_t)(mmio_pa ? mmio_pa : LAPIC_DEFAULT_PA);
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic_enable(true);
	ready = true;
}

void lapic_init_ap(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	/* An AP starts in xAPIC mode; follow the BSP's mode. */
	if (x2apic && !(base & APIC_BASE_EXTD))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_EXTD);
	lapic_enable(false);
}

bool lapic_ready(void)
{
	return ready;
}

bool lapic_x2apic_mode(void)
{
	return x2apic;
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);
	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

bool lapic_in_service(uint8_t vector)
{
	return lapic_read(LAPIC_ISR + (vector / 32u) * 0x10) & BIT(vector % 32u);
}

static bool icr_wait_idle(void)
{
	if (x2apic)
		return true; /* x2APIC has no delivery-status bit (SDM sec. 11.12.9) */
	for (unsigned i = 0; i < ICR_SPIN_LIMIT; i++) {
		if (!(lapic_read(LAPIC_ICR_LO) & ICR_DELIVERY_PENDING))
			return true;
		cpu_relax();
	}
	return false;
}

static bool send_icr(uint32_t dest, uint32_t lo)
{
	if (!icr_wait_idle())
		return false;
	if (x2apic) {
		wrmsr(0x830, ((uint64_t)dest << 32) | lo);
		return true;
	}
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	return icr_wait_idle();
}

bool lapic_send_init(uint32_t apic_id)
{
	return send_icr(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
}

bool lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
	return send_icr(apic_id, ICR_STARTUP | ICR_LEVEL_ASSERT | page);
}

bool lapic_send_fixed(uint32_t apic_id, uint8_t vector)
{
	return send_icr(apic_id, ICR_FIXED | ICR_LEVEL_ASSERT | vector);
}

bool lapic_send_nmi(uint32_t apic_id)
{
	return send_icr(apic_id, ICR_NMI | ICR_LEVEL_ASSERT);
}

/* Per CPU: TSC-deadline mode, or the one-shot rate in APIC timer counts per
 * TSC tick (32.32 fixed point), measured by lapic_timer_init. */
static bool timer_tsc_deadline[MAX_CPUS];
static uint64_t timer_counts_per_tsc[MAX_CPUS];

void lapic_timer_init(uint32_t cpu)
{
	uint64_t t0, t1;
	uint32_t left;

	if (cpuid(1).ecx & CPUID_1_ECX_TSC_DEADLINE) {
		/* the mode first: a deadline written before it is ignored (SDM Vol. 3A
		 * sec. 11.5.4.1) */
		lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_TSC_DEADLINE | VEC_WAKEUP);
		timer_tsc_deadline[cpu] = true;
		return;
	}
	lapic_write(LAPIC_TIMER_DCR, TIMER_DIVIDE_BY_1);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_WAKEUP);
	lapic_write(LAPIC_TIMER_ICR, UINT32_MAX);
	t0 = rdtsc();
	while ((t1 = rdtsc()) - t0 < CALIBRATE_US * (tsc_hz / 1000000))
		cpu_relax();
	left = lapic_read(LAPIC_TIMER_CCR);
	lapic_write(LAPIC_TIMER_ICR, 0);
	timer_counts_per_tsc[cpu] = ((uint64_t)(UINT32_MAX - left) << 32) / (t1 - t0 ? t1 - t0 : 1);
	lapic_write(LAPIC_LVT_TIMER, VEC_WAKEUP); /* one-shot, unmasked */
}

void lapic_timer_arm(uint32_t cpu, uint64_t deadline)
{
	uint64_t now = rdtsc(), counts;

	if (timer_tsc_deadline[cpu]) {
		wrmsr(MSR_IA32_TSC_DEADLINE, deadline ? deadline : 1);
		return;
	}
	if (!timer_counts_per_tsc[cpu])
		return; /* not calibrated: the CPU wakes on IPIs only */
	counts = deadline > now ? ((deadline - now) * timer_counts_per_tsc[cpu] >> 32) + 1 : 1;
	lapic_write(LAPIC_TIMER_ICR, counts > UINT32_MAX ? UINT32_MAX : (uint32_t)counts);
}
