// SPDX-License-Identifier: MIT
/*
 * Sable guest library: local APIC access in xAPIC and x2APIC mode, its timer,
 * IPIs and interrupt handlers (apic.h).
 */
#include "guest.h"
#include "apic.h"

#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_TSCDL  (1u << 24)
#define CPUID1_EDX_APIC   (1u << 9)
#define IDT_ENTRIES       256
#define FIRST_IRQ_VECTOR  32
#define NMI_VECTOR        2

bool apic_x2apic;
volatile uint32_t irq_count[256];
static uint32_t apic_mmio = APIC_DEFAULT_BASE;
static irq_handler_t handlers[256];

extern void (*const irq_stub_table[])(void);
extern uint64_t idt[];
extern void irq_nmi_stub(void);
void irq_dispatch(uint32_t vector);

static uint32_t cpuid1(bool edx)
{
	struct cpuid_regs r;

	cpuid(1, 0, &r);
	return edx ? r.edx : r.ecx;
}

bool apic_present(void)
{
	return cpuid1(true) & CPUID1_EDX_APIC;
}

bool apic_x2apic_offered(void)
{
	return cpuid1(false) & CPUID1_ECX_X2APIC;
}

bool apic_tsc_deadline_offered(void)
{
	return cpuid1(false) & CPUID1_ECX_TSCDL;
}

int apic_set_base(uint32_t base)
{
	int r = wrmsr_safe(MSR_IA32_APIC_BASE, base);

	if (r == 0) {
		apic_x2apic =
			(base & (APIC_BASE_EXTD | APIC_BASE_EN)) == (APIC_BASE_EXTD | APIC_BASE_EN);
		apic_mmio = base & 0xfffff000u;
	}
	return r;
}

int apic_set_x2apic(bool on)
{
	uint32_t base = (uint32_t)rdmsr(MSR_IA32_APIC_BASE);
	int r;

	if (on)
		return apic_set_base(base | APIC_BASE_EN | APIC_BASE_EXTD);
	/* x2APIC -> xAPIC is only legal through the disabled state (sec. 11.12.5) */
	r = apic_set_base(base & ~(APIC_BASE_EN | APIC_BASE_EXTD));
	return r ? r : apic_set_base((base & ~APIC_BASE_EXTD) | APIC_BASE_EN);
}

static volatile uint32_t *mmio(uint32_t off)
{
	return (volatile uint32_t *)(apic_mmio + off);
}

uint32_t apic_read(uint32_t off)
{
	return apic_x2apic ? (uint32_t)rdmsr(X2APIC_MSR(off)) : *mmio(off);
}

void apic_write(uint32_t off, uint32_t val)
{
	if (apic_x2apic)
		wrmsr(X2APIC_MSR(off), val);
	else
		*mmio(off) = val;
}

int apic_read_safe(uint32_t off, uint64_t *val)
{
	if (!apic_x2apic) {
		*val = *mmio(off);
		return 0;
	}
	return rdmsr_safe(X2APIC_MSR(off), val);
}

int apic_write_safe(uint32_t off, uint64_t val)
{
	if (!apic_x2apic) {
		*mmio(off) = (uint32_t)val;
		return 0;
	}
	return wrmsr_safe(X2APIC_MSR(off), val);
}

uint32_t apic_id(void)
{
	uint32_t id = apic_read(APIC_ID);

	return apic_x2apic ? id : id >> 24;
}

void apic_enable(void)
{
	uint32_t base = (uint32_t)rdmsr(MSR_IA32_APIC_BASE);

	if (!(base & APIC_BASE_EN))
		apic_set_base((base & 0xfffu & ~APIC_BASE_EXTD) | APIC_DEFAULT_BASE | APIC_BASE_EN);
	else
		apic_set_base(base);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVTERR, APIC_LVT_MASKED);
	apic_write(APIC_SPIV, APIC_SPIV_ENABLE | APIC_SPURIOUS_VECTOR);
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

void apic_send_ipi(uint32_t dest, uint32_t low)
{
	if (apic_x2apic) {
		wrmsr(X2APIC_MSR(APIC_ICR), ((uint64_t)dest << 32) | low);
		return;
	}
	*mmio(APIC_ICR2) = dest << 24;
	*mmio(APIC_ICR) = low;
	for (int i = 0; i < 1000000 && (*mmio(APIC_ICR) & APIC_ICR_BUSY); i++)
		cpu_relax();
}

void apic_self_ipi(uint8_t vector)
{
	if (apic_x2apic)
		wrmsr(X2APIC_MSR(APIC_SELF_IPI), vector);
	else
		apic_send_ipi(0, APIC_DEST_SELF | APIC_DM_FIXED | vector);
}

uint32_t apic_read_esr(void)
{
	apic_write(APIC_ESR, 0);
	return apic_read(APIC_ESR);
}

static void timer_start(uint8_t vector, uint32_t mode, uint32_t count, uint32_t divide)
{
	apic_write(APIC_TDCR, divide);
	apic_write(APIC_LVTT, mode | vector);
	apic_write(APIC_TMICT, count);
}

void apic_timer_oneshot(uint8_t vector, uint32_t count, uint32_t divide)
{
	timer_start(vector, APIC_TIMER_ONESHOT, count, divide);
}

void apic_timer_periodic(uint8_t vector, uint32_t count, uint32_t divide)
{
	timer_start(vector, APIC_TIMER_PERIODIC, count, divide);
}

void apic_timer_tsc_deadline(uint8_t vector, uint64_t tsc)
{
	apic_write(APIC_LVTT, APIC_TIMER_TSCDL | vector);
	/* the LVT write reaches the APIC before the deadline (SDM sec. 11.5.4.1) */
	asm volatile("mfence" ::: "memory");
	wrmsr(MSR_IA32_TSC_DEADLINE, tsc);
}

void apic_timer_stop(void)
{
	uint32_t lvt = apic_read(APIC_LVTT);

	if ((lvt & (3u << 17)) == APIC_TIMER_TSCDL)
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_LVTT, lvt | APIC_LVT_MASKED);
}

void irq_dispatch(uint32_t vector)
{
	irq_count[vector & 0xff]++;
	if (handlers[vector & 0xff])
		handlers[vector & 0xff]((uint8_t)vector);
}

void irq_set_handler(uint8_t vector, irq_handler_t fn)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) idtr = {IDT_ENTRIES * 8 - 1, (uint32_t)idt};

	if (vector < FIRST_IRQ_VECTOR && vector != NMI_VECTOR)
		return;
	handlers[vector] = fn;
	idt_set_gate(vector,
	             vector == NMI_VECTOR ? irq_nmi_stub
	                                  : irq_stub_table[vector - FIRST_IRQ_VECTOR],
	             GUEST_KERNEL_CS, 0);
	asm volatile("lidt %0" : : "m"(idtr));
}

static bool wait_for(uint8_t vector, uint32_t seen, uint64_t tsc_limit, bool hlt)
{
	uint64_t start = rdtsc();

	for (;;) {
		if (irq_count[vector] > seen)
			return true;
		if (rdtsc() - start > tsc_limit)
			return false;
		if (hlt) {
			sti_hlt();
		} else {
			irq_enable();
			cpu_relax();
			irq_disable();
		}
	}
}

bool irq_wait(uint8_t vector, uint32_t seen, uint64_t tsc_limit)
{
	return wait_for(vector, seen, tsc_limit, true);
}

bool irq_spin_wait(uint8_t vector, uint32_t seen, uint64_t tsc_limit)
{
	return wait_for(vector, seen, tsc_limit, false);
}
