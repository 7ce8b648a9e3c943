/*
 * Interrupts for vCPUs: the glue between the virtual local APICs (hv/vdev/vlapic.c),
 * the scheduler and the backend. Routes an interrupt message to the vCPUs it names
 * and kicks them; tells the scheduler when a blocked vCPU can run again and when
 * its next timer is due.
 */
#ifndef SABLE_HV_VIRQ_H
#define SABLE_HV_VIRQ_H

#include "types.h"

struct apic_msg;
struct vcpu;
struct vm;

/* Creates v's virtual local APIC (power-on state; vCPU 0 is the BSP). 0 or -ENOMEM. */
int virq_vcpu_init(struct vcpu *v);
/* Frees v's APIC, unless other vCPUs of its VM are live (vm->vcpus_live > 1):
 * they may still send to it, and the VM's final free calls this again. */
void virq_vcpu_free(struct vcpu *v);
/* Host-physical address of v's APIC register page (the backend's virtual-APIC
 * page), INVALID_HPA if v has no APIC. */
hpa_t virq_apic_page_hpa(struct vcpu *v);

/* Delivers msg to the vCPUs of vm it names (apic_bus_targets), making them
 * pending and kicking them (sched_kick): fixed/lowest/NMI set VCPU_REQ_EVENT,
 * INIT VCPU_REQ_INIT, SIPI VCPU_REQ_SIPI (taken only by a vCPU in
 * VCPU_WAIT_SIPI or with an INIT pending). The run loop takes the INIT and
 * SIPI with vlapic_take_init / vlapic_take_sipi and the NMI with
 * vlapic_take_nmi. A destination naming nobody sets the sender's ESR
 * "send accept error"; drops are logged at debug level. Any CPU. */
void virq_deliver(struct vm *vm, const struct apic_msg *msg);

/* The VM's PIC output rose: its BSP re-evaluates its pending events. Any CPU. */
void virq_extint_raised(struct vm *vm);
/* v takes an ExtINT now: it is the BSP, the PIC's output is high and its
 * LINT0 is unmasked in ExtINT mode (or its APIC is disabled, which passes
 * LINT0 through: SDM Vol. 3A 11.4.3). */
bool virq_extint(struct vcpu *v);
/* The local APIC of v did the EOI of vector, a level-triggered one (its TMR
 * bit set): the IOAPIC hears of it. */
void virq_level_eoi(struct vcpu *v, uint8_t vector);

/* The vector of the SIPI v received while it waited for one, consumed; -1 if
 * none is pending. On v's CPU (hv/vcpu_init.c). */
int virq_take_sipi(struct vcpu *v);

/* The earliest TSC at which a timer of v fires, UINT64_MAX if none is armed.
 * vCPU 0 also carries its VM's platform timer (the PIT's IRQ 0). */
uint64_t virq_next_deadline(struct vcpu *v);
/* Fires v's timers that are due at now (host TSC), setting VCPU_REQ_EVENT if
 * an interrupt became pending. On v's CPU. */
void virq_poll_timers(struct vcpu *v, uint64_t now);
/* A blocked (HLT) or waiting (wait-for-SIPI) v has something to do now: an
 * interrupt it can take (with the RFLAGS.IF it halted with, above its PPR), an
 * NMI, an INIT, or a SIPI while it waits. Timers are not polled here: call
 * virq_poll_timers first. */
bool virq_can_wake(struct vcpu *v);
/* v, blocked, can still be woken by a source of its own (an armed timer whose
 * interrupt it can take); false for cli;hlt. */
bool virq_may_wake_later(struct vcpu *v);

#endif
