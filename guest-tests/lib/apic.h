/* SPDX-License-Identifier: MIT */
/*
 * Sable guest library: the local APIC (Intel SDM Vol. 3A ch. 11) in xAPIC mode
 * (MMIO at IA32_APIC_BASE, paging off so the address is the physical one) and in
 * x2APIC mode (MSRs 0x800 + offset / 16), its timer in one-shot, periodic and
 * TSC-deadline mode, IPIs, EOI, and interrupt handlers for vectors 32-255.
 */
#ifndef GUEST_APIC_H
#define GUEST_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_IA32_APIC_BASE    0x1bu
#define MSR_IA32_TSC_DEADLINE 0x6e0u
#define APIC_BASE_BSP         (1u << 8)
#define APIC_BASE_EXTD        (1u << 10) /* x2APIC mode */
#define APIC_BASE_EN          (1u << 11)
#define APIC_DEFAULT_BASE     0xfee00000u
#define X2APIC_MSR(off)       (0x800u + ((off) >> 4))

/* Register offsets in the xAPIC page (SDM Vol. 3A table 11-1). */
#define APIC_ID       0x020
#define APIC_LVR      0x030
#define APIC_TPR      0x080
#define APIC_PPR      0x0a0
#define APIC_EOI      0x0b0
#define APIC_LDR      0x0d0
#define APIC_DFR      0x0e0
#define APIC_SPIV     0x0f0
#define APIC_ISR      0x100
#define APIC_TMR      0x180
#define APIC_IRR      0x200
#define APIC_ESR      0x280
#define APIC_ICR      0x300
#define APIC_ICR2     0x310
#define APIC_LVTT     0x320
#define APIC_LVT0     0x350
#define APIC_LVT1     0x360
#define APIC_LVTERR   0x370
#define APIC_TMICT    0x380
#define APIC_TMCCT    0x390
#define APIC_TDCR     0x3e0
#define APIC_SELF_IPI 0x3f0 /* x2APIC only */

#define APIC_SPIV_ENABLE      (1u << 8)
#define APIC_LVT_MASKED       (1u << 16)
#define APIC_TIMER_ONESHOT    (0u << 17)
#define APIC_TIMER_PERIODIC   (1u << 17)
#define APIC_TIMER_TSCDL      (2u << 17)
#define APIC_ICR_BUSY         (1u << 12) /* xAPIC delivery status */
#define APIC_ICR_LEVEL_ASSERT (1u << 14)
#define APIC_DM_FIXED         (0u << 8)
#define APIC_DM_NMI           (4u << 8)
#define APIC_DM_INIT          (5u << 8)
#define APIC_DM_SIPI          (6u << 8)
#define APIC_DEST_LOGICAL     (1u << 11)
#define APIC_DEST_SELF        (1u << 18)
#define APIC_DEST_ALL         (2u << 18)
#define APIC_DEST_OTHERS      (3u << 18)
#define APIC_ESR_SEND_ILLEGAL (1u << 5)
#define APIC_ESR_RECV_ILLEGAL (1u << 6)
#define APIC_SPURIOUS_VECTOR  0xff

/* CPUID.1: ECX[21] x2APIC, ECX[24] TSC-deadline, EDX[9] APIC. */
bool apic_present(void);
bool apic_x2apic_offered(void);
bool apic_tsc_deadline_offered(void);

/* True while the library accesses the APIC through MSRs (after apic_set_x2apic). */
extern bool apic_x2apic;

/* IA32_APIC_BASE: 0 or the exception vector of the WRMSR (13 = #GP). Keeps apic_x2apic
 * in step with EXTD. */
int apic_set_base(uint32_t base);
/* xAPIC -> x2APIC (EN|EXTD), or back through disabled (x2APIC -> xAPIC directly #GPs). */
int apic_set_x2apic(bool on);

/* One register by its xAPIC offset, in the current mode. */
uint32_t apic_read(uint32_t off);
void apic_write(uint32_t off, uint32_t val);
/* Faults instead of failing the run: 0 or the vector (x2APIC reserved/read-only: #GP). */
int apic_read_safe(uint32_t off, uint64_t *val);
int apic_write_safe(uint32_t off, uint64_t val);

/* APIC ID (xAPIC: bits 31:24 of the ID register). */
uint32_t apic_id(void);
/* Hardware-enables the APIC at the default base in xAPIC mode and software-enables
 * it with the spurious vector, TPR 0, LVT error masked off. */
void apic_enable(void);
void apic_eoi(void);

/* ICR: fixed/NMI/INIT/SIPI to dest (APIC ID or logical), low = vector | mode | flags.
 * Waits for the xAPIC's delivery status to clear. */
void apic_send_ipi(uint32_t dest, uint32_t low);
void apic_self_ipi(uint8_t vector);
/* ESR after the write that latches it (SDM sec. 11.5.3). */
uint32_t apic_read_esr(void);

/* Timer (sec. 11.5.4). divide: the TDCR value (0xb = by 1). */
void apic_timer_oneshot(uint8_t vector, uint32_t count, uint32_t divide);
void apic_timer_periodic(uint8_t vector, uint32_t count, uint32_t divide);
/* TSC-deadline mode with the deadline tsc (0 disarms). */
void apic_timer_tsc_deadline(uint8_t vector, uint64_t tsc);
void apic_timer_stop(void);

/* Interrupt handlers for vectors 32-255 and the NMI (2): fn(vector) runs with IF = 0
 * and must EOI itself (not for the NMI). Installs the IDT's gates and widens its limit to 256 entries. */
typedef void (*irq_handler_t)(uint8_t vector);
void irq_set_handler(uint8_t vector, irq_handler_t fn);
/* TSC read by the common interrupt stub a few instructions after the gate. */
extern volatile uint64_t irq_entry_tsc;
/* Interrupts taken per vector since boot. */
extern volatile uint32_t irq_count[256];

static inline void irq_enable(void)
{
	asm volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	asm volatile("cli" ::: "memory");
}

/* STI; HLT: the interrupt shadow of STI keeps an interrupt from arriving between
 * the two, so one already pending wakes the HLT. Returns with IF = 0. */
static inline void sti_hlt(void)
{
	asm volatile("sti; hlt; cli" ::: "memory");
}

/* Waits with sti; hlt until irq_count[vector] exceeds seen or tsc_limit ticks pass
 * (the timeout needs some interrupt to end the HLT: none arriving hangs, so tests
 * arm a timer first). True if it came. */
bool irq_wait(uint8_t vector, uint32_t seen, uint64_t tsc_limit);
/* Spins with IF = 1 (no HLT) for the same. */
bool irq_spin_wait(uint8_t vector, uint32_t seen, uint64_t tsc_limit);

#endif
