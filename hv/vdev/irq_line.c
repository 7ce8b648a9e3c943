/*
 * Interrupt routing of a VM's platform (see irq_line.h): lines into the PIC
 * pair and the IOAPIC, IOAPIC messages to the vLAPICs through virq_deliver,
 * the PIC's output to the BSP's LINT0 (taken by the backend as ExtINT at its
 * next entry), level EOIs back to the IOAPIC.
 */
#include "hv/vdev/irq_line.h"
#include "hv/virq.h"
#include "hv/vm.h"

static void ioapic_send(void *ctx, const struct apic_msg *msg)
{
	virq_deliver(ctx, msg);
}

static const struct ioapic_ops ioapic_ops = {.send = ioapic_send};

void vm_irq_init(struct vm *vm)
{
	vpic_init(&vm->pic);
	ioapic_init(&vm->ioapic, VM_IOAPIC_ID, &ioapic_ops, vm);
	vm->extint = false;
}

/* After any change of the PIC: a rising output tells the BSP. Under irq_lock. */
static void pic_changed(struct vm *vm)
{
	bool out = vpic_output(&vm->pic), was = vm->extint;

	__atomic_store_n(&vm->extint, out, __ATOMIC_RELEASE);
	if (out && !was)
		virq_extint_raised(vm);
}

/* IOAPIC pin of line gsi: ISA IRQ 0 is pin 2 (the override); IRQ 2, the
 * PIC's cascade, reaches no pin (VM_IRQ_LINES: ignored). */
static unsigned ioapic_pin(unsigned gsi)
{
	return gsi == 0 ? VM_IRQ0_PIN : gsi == VM_IRQ0_PIN ? VM_IRQ_LINES : gsi;
}

void vm_irq_set(struct vm *vm, unsigned gsi, bool level)
{
	if (gsi >= VM_IRQ_LINES)
		return;
	spin_lock(&vm->irq_lock);
	if (gsi < 16) {
		vpic_set_line(&vm->pic, gsi, level);
		pic_changed(vm);
	}
	ioapic_set_line(&vm->ioapic, ioapic_pin(gsi), level);
	spin_unlock(&vm->irq_lock);
}

void vm_irq_pulse(struct vm *vm, unsigned gsi)
{
	vm_irq_set(vm, gsi, true);
	vm_irq_set(vm, gsi, false);
}

void vm_irq_eoi(struct vm *vm, uint8_t vector)
{
	spin_lock(&vm->irq_lock);
	ioapic_eoi(&vm->ioapic, vector);
	spin_unlock(&vm->irq_lock);
}

bool vm_irq_extint(struct vm *vm)
{
	return __atomic_load_n(&vm->extint, __ATOMIC_ACQUIRE);
}

uint8_t vm_irq_extint_ack(struct vm *vm)
{
	uint8_t vec;

	spin_lock(&vm->irq_lock);
	vec = vpic_ack(&vm->pic);
	pic_changed(vm);
	spin_unlock(&vm->irq_lock);
	return vec;
}

uint32_t vm_ioapic_read(struct vm *vm, uint32_t offset)
{
	uint32_t val;

	spin_lock(&vm->irq_lock);
	val = ioapic_mmio_read(&vm->ioapic, offset);
	spin_unlock(&vm->irq_lock);
	return val;
}

void vm_ioapic_write(struct vm *vm, uint32_t offset, uint32_t val)
{
	spin_lock(&vm->irq_lock);
	ioapic_mmio_write(&vm->ioapic, offset, val);
	spin_unlock(&vm->irq_lock);
}

uint8_t vm_pic_read(struct vm *vm, uint16_t port)
{
	uint8_t val;

	spin_lock(&vm->irq_lock);
	val = vpic_read(&vm->pic, port);
	pic_changed(vm); /* a poll read acknowledges */
	spin_unlock(&vm->irq_lock);
	return val;
}

void vm_pic_write(struct vm *vm, uint16_t port, uint8_t val)
{
	spin_lock(&vm->irq_lock);
	vpic_write(&vm->pic, port, val);
	pic_changed(vm);
	spin_unlock(&vm->irq_lock);
}
