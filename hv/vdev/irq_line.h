/*
 * Interrupt lines of a VM's platform: the ISA IRQs and IOAPIC pins (GSIs) its
 * device models raise, routed through the VM's 8259 PIC pair and IOAPIC
 * (hv/vdev/pic8259.c, hv/vdev/ioapic.c) to the virtual LAPICs (hv/virq.c), as
 * on a PC: GSI n < 16 is ISA IRQ n on the PIC and on IOAPIC pin n, except IRQ 0
 * which is IOAPIC pin 2 (the MADT's interrupt source override).
 *
 * Locking: the PIC and IOAPIC state is under vm->irq_lock. Port devices raise
 * lines while holding vm->io_lock, so the order is io_lock, then irq_lock.
 */
#ifndef SABLE_HV_VDEV_IRQ_LINE_H
#define SABLE_HV_VDEV_IRQ_LINE_H

#include "types.h"

struct vm;

#define VM_IRQ_LINES 24 /* IOAPIC pins */
#define VM_IOAPIC_ID 0  /* the IOAPIC's ID register (the MADT's IOAPIC entry) */
#define VM_IRQ0_PIN  2  /* IOAPIC pin of ISA IRQ 0 */

/* Power-on state of vm's PIC pair and IOAPIC (every input masked). */
void vm_irq_init(struct vm *vm);

/* Sets the level of line gsi (true = asserted). Edge-triggered inputs
 * interrupt on a rising edge. Any CPU; takes the VM's interrupt lock. */
void vm_irq_set(struct vm *vm, unsigned gsi, bool level);

/* An edge: asserts then deasserts gsi. */
void vm_irq_pulse(struct vm *vm, unsigned gsi);

/* A vCPU's local APIC did the EOI of a level-triggered vector: the IOAPIC's
 * entries with that vector clear remote IRR (and send again if still asserted). */
void vm_irq_eoi(struct vm *vm, uint8_t vector);

/* The PIC pair's output (the ExtINT source of the BSP's LINT0). */
bool vm_irq_extint(struct vm *vm);
/* Interrupt acknowledge of the PIC pair: its vector (spurious 7/15 if the
 * request went away). */
uint8_t vm_irq_extint_ack(struct vm *vm);

/* The IOAPIC's MMIO window (offset into its 4 KiB page), 32-bit accesses. */
uint32_t vm_ioapic_read(struct vm *vm, uint32_t offset);
void vm_ioapic_write(struct vm *vm, uint32_t offset, uint32_t val);

/* The PIC pair's ports (0x20/0x21, 0xA0/0xA1, 0x4D0/0x4D1). */
uint8_t vm_pic_read(struct vm *vm, uint16_t port);
void vm_pic_write(struct vm *vm, uint16_t port, uint8_t val);

#endif
