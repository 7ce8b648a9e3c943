/* The I/O ports of the guest platform (a QEMU-compatible PC subset). */
#ifndef SABLE_HV_GUEST_IO_H
#define SABLE_HV_GUEST_IO_H

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

#endif
