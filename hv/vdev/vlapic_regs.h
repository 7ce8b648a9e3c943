/* Inside the virtual local APIC: page access and the timer's entry points,
 * shared by vlapic.c (registers) and vlapic_timer.c (sec. 11.5.4). */
#ifndef SABLE_HV_VDEV_VLAPIC_REGS_H
#define SABLE_HV_VDEV_VLAPIC_REGS_H

#include "hv/vdev/vlapic.h"

static inline uint32_t reg_get(const struct vlapic *l, uint32_t off)
{
	return l->regs[off >> 2];
}

static inline void reg_set(struct vlapic *l, uint32_t off, uint32_t val)
{
	l->regs[off >> 2] = val;
}

/* A fixed, edge-triggered interrupt from the APIC itself; false if dropped. */
bool vlapic_local_irq(struct vlapic *l, uint8_t vector);

/* The timer's part of a reset: disarmed, IA32_TSC_DEADLINE 0. */
void vlapic_timer_reset(struct vlapic *l);
/* Current count at now (TMCCT). */
uint32_t vlapic_timer_count(const struct vlapic *l, uint64_t now);
/* Writes of the LVT timer entry, the initial count and the divide configuration
 * (values already masked to their writable bits). */
void vlapic_timer_lvt_write(struct vlapic *l, uint32_t val, uint64_t now);
void vlapic_timer_initial_write(struct vlapic *l, uint32_t val, uint64_t now);
void vlapic_timer_divide_write(struct vlapic *l, uint32_t val, uint64_t now);
/* IA32_TSC_DEADLINE (sec. 11.5.4.1): reads 0 and ignores writes outside
 * TSC-deadline mode. */
uint64_t vlapic_timer_tsc_deadline(const struct vlapic *l);
void vlapic_timer_tsc_deadline_write(struct vlapic *l, uint64_t val, uint64_t now);

#endif
