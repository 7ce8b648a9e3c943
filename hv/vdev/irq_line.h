/*
 * Interrupt lines of a VM's platform: the ISA IRQs and IOAPIC pins (GSIs) its
 * device models raise, routed through the VM's 8259 PIC pair and IOAPIC
 * (hv/vdev/pic8259.c, hv/vdev/ioapic.c) to the virtual LAPICs (hv/virq.c), as
 * on a PC: GSI n < 16 is ISA IRQ n on the PIC and on IOAPIC pin n, except IRQ 0
 * which is IOAPIC pin 2 (the MADT's interrupt source override).
 */
#ifndef SABLE_HV_VDEV_IRQ_LINE_H
#define SABLE_HV_VDEV_IRQ_LINE_H

#include "types.h"

struct vm;

#define VM_IRQ_LINES 24 /* IOAPIC pins */

/* Sets the level of line gsi (true = asserted). Edge-triggered inputs
 * interrupt on a rising edge. Any CPU; takes the VM's interrupt lock. */
void vm_irq_set(struct vm *vm, unsigned gsi, bool level);

/* An edge: asserts then deasserts gsi. */
void vm_irq_pulse(struct vm *vm, unsigned gsi);

#endif
