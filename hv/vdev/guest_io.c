#include "hv/vdev/guest_io.h"
#include "hv/log.h"
#include "hv/vm.h"
#include "drivers/tsc.h"
#include "hv/vdev/vlapic.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

static const char shutdown_word[] = "Shutdown";

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

/* Port 0x8900: the string "Shutdown", one byte at a time, stops the VM
 * (true: the caller stops it, outside the device lock). */
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

static enum exit_action io_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
	struct vm *vm = v->vm;

	if (port >= PORT_COM1 && port < PORT_COM1 + 8) {
		uart_emu_write(&vm->uart, port - PORT_COM1, (uint8_t)val);
		return EXIT_RESUME;
	}
	switch (port) {
	case PORT_DEBUG_EXIT:
		vm_stop(vm, "exit device: value 0x%x, status %u", val, (val << 1) | 1);
		return EXIT_STOP_VM;
	case PORT_BOCHS_DEBUG:
		debug_port_write(vm, (char)val);
		return EXIT_RESUME;
	case PORT_FW_CFG_SEL:
		fwcfg_select(&vm->fwcfg, (uint16_t)val);
		return EXIT_RESUME;
	case PIC1_CMD:
	case PIC1_DATA:
	case PIC2_CMD:
	case PIC2_DATA:
		return EXIT_RESUME; /* guests mask the PIC; nothing is wired to it */
	default:
		log_debug("vm %s: OUT 0x%x to unemulated port 0x%x ignored", vm->name, val, port);
		return EXIT_RESUME;
	}
}

static inline __attribute__((always_inline)) uint32_t io_in(struct vcpu *v, uint16_t port,
                                                            unsigned size)
{
	struct vm *vm = v->vm;
	uint32_t val = 0;

	if (port >= PORT_COM1 && port < PORT_COM1 + 8)
		return uart_emu_read(&vm->uart, port - PORT_COM1);
	if (port == PORT_FW_CFG_DATA) {
		for (unsigned i = 0; i < size; i++)
			val |= (uint32_t)fwcfg_read_byte(&vm->fwcfg) << (8 * i);
		return val;
	}
	if (port == PORT_BOCHS_DEBUG)
		return PORT_BOCHS_DEBUG; /* the port-present answer of Bochs and QEMU */
	if (acpi_pm_port(port) && vm->config->is_linux)
		return acpi_pm_read(&vm->pm, port, size, tsc_now() + v->lapic->tsc_offset, tsc_hz);
	if (port == PIC1_DATA || port == PIC2_DATA)
		return 0xff; /* all lines masked */
	return 0xffffffffu;  /* nothing decodes the address: the bus floats high */
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

/* The devices' state (line buffers and their lengths, the fw_cfg selector and
 * offset, the "Shutdown" match) is the VM's, and vCPUs on several cores reach
 * it at once: one lock per VM, so that no race can push an index past its
 * buffer. vm_stop runs outside it (it flushes the UART under the same lock).
 * Reads other than fw_cfg data change no state and index nothing (the UART's
 * registers, constants): they take no lock, and a register another vCPU writes
 * meanwhile reads as its old or its new value. */
static __attribute__((noinline)) enum exit_action
io_locked(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val, uint32_t mask)
{
	struct vm *vm = v->vm;
	enum exit_action a = EXIT_RESUME;
	bool stop = false;

	if (!in && port == PORT_DEBUG_EXIT)
		return io_out(v, port, size, *val & mask); /* stops the VM: no state */
	if (!in && acpi_pm_port(port) && vm->config->is_linux)
		return pm_write(vm, port, size, *val & mask);
	spin_lock(&vm->io_lock);
	if (in)
		*val = io_in(v, port, size) & mask;
	else if (port == PORT_BOCHS_SHUTDOWN)
		stop = shutdown_port_write(vm, (char)*val);
	else
		a = io_out(v, port, size, *val & mask);
	spin_unlock(&vm->io_lock);
	if (stop) {
		vm_stop(vm, "shutdown requested on port 0x8900");
		return EXIT_STOP_VM;
	}
	return a;
}

enum exit_action guest_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	uint32_t mask = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;

	if (in && port != PORT_FW_CFG_DATA) {
		*val = io_in(v, port, size) & mask;
		return EXIT_RESUME;
	}
	return io_locked(v, port, size, in, val, mask);
}
