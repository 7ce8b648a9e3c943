#include "hv/vdev/guest_io.h"
#include "drivers/tsc.h"
#include "hv/log.h"
#include "hv/sched.h"
#include "hv/vdev/irq_line.h"
#include "hv/virq.h"
#include "hv/vm.h"
#include "hv/vdev/vlapic.h"

static const char shutdown_word[] = "Shutdown";

/* What an OUT asks of io_locked once the device lock is released. */
enum io_after {
	AFTER_NONE = 0,
	AFTER_SHUTDOWN, /* "Shutdown" on port 0x8900 */
	AFTER_RESET,    /* the i8042's reset pulse */
	AFTER_PIT,      /* the PIT was reprogrammed: vCPU 0's timer deadline moves */
};

static void debug_port_write(struct vm *vm, char c)
{
	if (c == '\n' || vm->debug_len == sizeof(vm->debug_line)) {
		log_raw("[%s:e9] %.*s\n", vm->name, (int)vm->debug_len, vm->debug_line);
		vm->debug_len = 0;
		if (c == '\n')
			return;
	}
	vm->debug_line[vm->debug_len++] = c;
}

/* Port 0x8900: the string "Shutdown", one byte at a time, stops the VM. */
static bool shutdown_port_write(struct vm *vm, char c)
{
	if (c != shutdown_word[(int)vm->shutdown_match]) {
		vm->shutdown_match = c == shutdown_word[0];
		return false;
	}
	if (++vm->shutdown_match < (char)(sizeof(shutdown_word) - 1))
		return false;
	return true;
}

static bool is_pic_port(uint16_t port)
{
	return port == PIC_MASTER_CMD || port == PIC_MASTER_DATA || port == PIC_SLAVE_CMD ||
	       port == PIC_SLAVE_DATA || port == PIC_ELCR_MASTER || port == PIC_ELCR_SLAVE;
}

static bool is_pit_port(uint16_t port)
{
	return (port >= PIT_PORT_BASE && port <= PIT_PORT_CTRL) || port == PIT_PORT_SPKR;
}

static bool is_pci_port(uint16_t port)
{
	return port >= PCI_CFG_ADDR && port < PCI_CFG_DATA + 4;
}

/* COM1's interrupt output is IRQ 4 (after every access: IIR, THR, IER, MCR and
 * RBR all move it). */
static void uart_irq(struct vm *vm)
{
	vm_irq_set(vm, UART_EMU_IRQ, uart_emu_irq(&vm->uart));
}

bool guest_io_uart_rx(struct vm *vm, uint8_t c)
{
	bool ok;

	spin_lock(&vm->io_lock);
	ok = uart_emu_rx(&vm->uart, c);
	uart_irq(vm);
	spin_unlock(&vm->io_lock);
	return ok;
}

/* The i8042's output buffer is IRQ 1. */
static void kbd_irq(struct vm *vm)
{
	vm_irq_set(vm, 1, i8042_irq(&vm->kbd));
}

static enum io_after io_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
	struct vm *vm = v->vm;

	if (port >= PORT_COM1 && port < PORT_COM1 + 8) {
		uart_emu_write(&vm->uart, port - PORT_COM1, (uint8_t)val);
		uart_irq(vm);
		return AFTER_NONE;
	}
	if (is_pic_port(port)) {
		vm_pic_write(vm, port, (uint8_t)val);
		return AFTER_NONE;
	}
	if (is_pit_port(port)) {
		pit_write(&vm->pit, port, (uint8_t)val, tsc_now());
		return AFTER_PIT;
	}
	if (is_pci_port(port)) {
		pci_cfg_write(&vm->pci, port, size, val);
		return AFTER_NONE;
	}
	switch (port) {
	case PORT_BOCHS_DEBUG:
		debug_port_write(vm, (char)val);
		break;
	case PORT_BOCHS_SHUTDOWN:
		return shutdown_port_write(vm, (char)val) ? AFTER_SHUTDOWN : AFTER_NONE;
	case PORT_FW_CFG_SEL:
		fwcfg_select(&vm->fwcfg, (uint16_t)val);
		break;
	case RTC_PORT_INDEX:
	case RTC_PORT_DATA:
		rtc_write(&vm->rtc, port, (uint8_t)val, tsc_now());
		break;
	case I8042_PORT_DATA:
	case I8042_PORT_CMD: {
		enum i8042_effect e = i8042_write(&vm->kbd, port, (uint8_t)val);

		kbd_irq(vm);
		return e == I8042_RESET ? AFTER_RESET : AFTER_NONE;
	}
	default:
		log_debug("vm %s: OUT 0x%x to unemulated port 0x%x ignored", vm->name, val, port);
		break;
	}
	return AFTER_NONE;
}

/* Reads with effects (FIFOs, latches, flip-flops, poll): under the device lock. */
static uint32_t io_in(struct vcpu *v, uint16_t port, unsigned size)
{
	struct vm *vm = v->vm;
	uint32_t val = 0;

	if (port >= PORT_COM1 && port < PORT_COM1 + 8) {
		val = uart_emu_read(&vm->uart, port - PORT_COM1);
		uart_irq(vm);
		return val;
	}
	if (port == PORT_FW_CFG_DATA) {
		for (unsigned i = 0; i < size; i++)
			val |= (uint32_t)fwcfg_read_byte(&vm->fwcfg) << (8 * i);
		return val;
	}
	if (is_pic_port(port))
		return vm_pic_read(vm, port);
	if (is_pit_port(port))
		return pit_read(&vm->pit, port, tsc_now());
	if (is_pci_port(port))
		return pci_cfg_read(&vm->pci, port, size);
	switch (port) {
	case RTC_PORT_INDEX:
	case RTC_PORT_DATA:
		return rtc_read(&vm->rtc, port, tsc_now());
	case I8042_PORT_DATA:
	case I8042_PORT_CMD:
		val = i8042_read(&vm->kbd, port);
		kbd_irq(vm);
		return val;
	}
	if (acpi_pm_port(port) && vm->config->is_linux)
		return acpi_pm_read(&vm->pm, port, size, tsc_now() + v->lapic->tsc_offset, tsc_hz);
	return 0xffffffffu; /* nothing decodes the address: the bus floats high */
}

/* The PIT's IRQ 0 deadline is vCPU 0's timer: on its CPU it ends the entry
 * by then; from another vCPU, vCPU 0 is kicked to re-read it. */
static void pit_changed(struct vcpu *v)
{
	struct vcpu *bsp = v->vm->vcpus[0];

	if (v == bsp)
		sched_timer_armed(v, virq_next_deadline(v));
	else if (bsp)
		sched_kick(bsp);
}

static void kbd_reset(struct vm *vm)
{
	bool again = vm->run < vm->config->restart;

	vm_stop(vm, "reset through the i8042 keyboard controller%s",
	        again ? ": restarting (restart=)" : "");
}

/* OUT to the ACPI PM block: S5 and the reset register stop the VM. */
static enum exit_action pm_write(struct vm *vm, uint16_t port, unsigned size, uint32_t val)
{
	enum acpi_pm_action a;

	spin_lock(&vm->io_lock);
	a = acpi_pm_write(&vm->pm, port, size, val);
	spin_unlock(&vm->io_lock);
	if (a == ACPI_PM_POWEROFF) {
		vm_stop(vm, "ACPI power off (S5)");
		return EXIT_STOP_VM;
	}
	if (a == ACPI_PM_RESET) {
		vm_stop(vm, "reset through the ACPI reset register");
		return EXIT_STOP_VM;
	}
	return EXIT_RESUME;
}

/* The devices' state is the VM's, and vCPUs on several cores reach it at once:
 * one lock per VM (vm->io_lock), so that no race can push an index past its
 * buffer. vm_stop runs outside it (it flushes the UART under the same lock). */
static __attribute__((noinline)) enum exit_action
io_locked(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val, uint32_t mask)
{
	struct vm *vm = v->vm;
	enum io_after after = AFTER_NONE;

	if (!in && port == PORT_DEBUG_EXIT) {
		vm_stop(vm, "exit device: value 0x%x, status %u", *val & mask,
		        ((*val & mask) << 1) | 1);
		return EXIT_STOP_VM;
	}
	if (!in && acpi_pm_port(port) && vm->config->is_linux)
		return pm_write(vm, port, size, *val & mask);
	spin_lock(&vm->io_lock);
	if (in)
		*val = io_in(v, port, size) & mask;
	else
		after = io_out(v, port, size, *val & mask);
	spin_unlock(&vm->io_lock);
	switch (after) {
	case AFTER_SHUTDOWN:
		vm_stop(vm, "shutdown requested on port 0x8900");
		return EXIT_STOP_VM;
	case AFTER_RESET:
		kbd_reset(vm);
		return EXIT_STOP_VM;
	case AFTER_PIT:
		pit_changed(v);
		break;
	case AFTER_NONE:
		break;
	}
	return EXIT_RESUME;
}

enum exit_action guest_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	uint32_t mask = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;

	if (in && guest_io_read_pure(v->vm, port, val)) {
		*val &= mask;
		return EXIT_RESUME;
	}
	return io_locked(v, port, size, in, val, mask);
}
