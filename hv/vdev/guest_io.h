/* The I/O ports of the guest platform (a QEMU-compatible PC subset). */
#ifndef SABLE_HV_GUEST_IO_H
#define SABLE_HV_GUEST_IO_H

#include "hv/vm.h"
#include "hv/vmm_ops.h"
#include "types.h"

#define PORT_COM1           0x3f8
#define PORT_DEBUG_EXIT     0xf4 /* QEMU isa-debug-exit */
#define PORT_BOCHS_DEBUG    0xe9 /* debug console */
#define PORT_BOCHS_SHUTDOWN 0x8900
#define PORT_FW_CFG_SEL     0x510
#define PORT_FW_CFG_DATA    0x511

struct vcpu;

struct vm;

/* Console input for vm's COM1 (hv/console_in.h): queues c in its receive FIFO
 * under the device lock and raises IRQ 4 if the guest enabled it. False when
 * the FIFO was full (overrun). Any CPU. */
bool guest_io_uart_rx(struct vm *vm, uint8_t c);

/* Emulates one IN or OUT of size 1, 2 or 4 bytes; *val is the data. */
enum exit_action guest_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val);

/* RAX after an IN of size bytes that read val: a 32-bit IN zero-extends into
 * RAX, 8- and 16-bit ones merge into its low bits. */
static inline uint64_t guest_io_in_rax(uint64_t rax, unsigned size, uint32_t val)
{
	uint64_t mask = size == 4 ? 0xffffffffull : (1ull << (8 * size)) - 1;

	return size == 4 ? val : (rax & ~mask) | (val & mask);
}

/* Reads that change nothing and index nothing: no lock. The UART's and the
 * PIC's registers read as their old or new value while another vCPU writes
 * them. */
static inline bool guest_io_read_pure(struct vm *vm, uint16_t port, uint32_t *val)
{
	uint8_t b;

	if (port == PORT_BOCHS_DEBUG) {
		*val = PORT_BOCHS_DEBUG; /* the port-present answer of Bochs and QEMU */
		return true;
	}
	if (port >= PORT_COM1 && port < PORT_COM1 + 8) {
		if (!uart_emu_read_pure(&vm->uart, port - PORT_COM1, &b))
			return false;
	} else if (!vpic_read_pure(&vm->pic, port, &b)) {
		return false; /* the PIC's registers, or another device's port */
	}
	*val = b;
	return true;
}

/* An IN the device answers without its lock (guest_io_read_pure): the value
 * is in v's RAX and true, or false and nothing changed (guest_io then). The
 * I/O exit fast path's (vmx/exit.c). */
static inline bool guest_io_in_pure(struct vcpu *v, uint16_t port, unsigned size)
{
	uint32_t val;

	if (!guest_io_read_pure(v->vm, port, &val))
		return false;
	v->regs[VCPU_REGS_RAX] = guest_io_in_rax(v->regs[VCPU_REGS_RAX], size, val);
	return true;
}

#endif
