/* Local APIC of the running CPU, in xAPIC (MMIO) or x2APIC (MSR) mode as the
 * firmware left it (SDM Vol. 3A ch. 11). */
#ifndef SABLE_DRIVERS_LAPIC_H
#define SABLE_DRIVERS_LAPIC_H

#include "types.h"

#define LAPIC_DEFAULT_PA 0xfee00000ull

/* Records the MMIO base (from the MADT) and the mode; enables the BSP's APIC. */
void lapic_init_bsp(uint64_t mmio_pa);
/* Enables the calling AP's APIC. */
void lapic_init_ap(void);
bool lapic_ready(void);
bool lapic_x2apic_mode(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
/* True if vector is in service (its ISR bit set): only then does it want an EOI. */
bool lapic_in_service(uint8_t vector);

/* Sets up the calling CPU's timer to raise VEC_WAKEUP: TSC-deadline mode if the
 * CPU has it, else one-shot with its rate measured against the TSC. */
void lapic_timer_init(uint32_t cpu);
/* One interrupt of the calling CPU's timer at TSC time deadline (at once if past). */
void lapic_timer_arm(uint32_t cpu, uint64_t deadline);

/* Inter-processor interrupts. Each waits (bounded) for the previous one to be
 * accepted; false if the APIC never reported delivery. */
bool lapic_send_init(uint32_t apic_id);
bool lapic_send_sipi(uint32_t apic_id, uint8_t page);
bool lapic_send_fixed(uint32_t apic_id, uint8_t vector);
bool lapic_send_nmi(uint32_t apic_id);

#endif
