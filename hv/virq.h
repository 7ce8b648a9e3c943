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
void virq_vcpu_free(struct vcpu *v);

/* Delivers msg to the vCPUs of vm it names, making them pending and kicking
 * those on other CPUs (sched_kick). Any CPU. */
void virq_deliver(struct vm *vm, const struct apic_msg *msg);

/* The vector of the SIPI v received while it waited for one, consumed; -1 if
 * none is pending. On v's CPU (hv/vcpu_init.c). */
int virq_take_sipi(struct vcpu *v);

/* The earliest TSC at which a timer of v fires, UINT64_MAX if none is armed. */
uint64_t virq_next_deadline(struct vcpu *v);
/* Fires v's timers that are due at now. On v's CPU. */
void virq_poll_timers(struct vcpu *v, uint64_t now);
/* A blocked (HLT) or waiting (wait-for-SIPI) v has something to do now: an
 * interrupt it can take (with the RFLAGS.IF it halted with), an NMI, an INIT,
 * or a SIPI while it waits. */
bool virq_can_wake(struct vcpu *v);
/* v, blocked, can still be woken by a source of its own (an armed timer whose
 * interrupt it can take); false for cli;hlt. */
bool virq_may_wake_later(struct vcpu *v);

#endif
