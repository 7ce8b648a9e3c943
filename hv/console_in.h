/*
 * Console input: the bytes typed on the console UART (COM1) and where they go.
 *
 * A prefix key, Ctrl-A (0x01), then one key chooses:
 *   Ctrl-A m    enter the monitor (hv/monitor.c); `exit` there leaves it
 *   Ctrl-A 0-9  give the input to the VM with that id (its guest UART receives
 *               what is typed: hv/vdev/uart_emu.h, uart_emu_rx)
 *   Ctrl-A h    the log again (input goes nowhere)
 *   Ctrl-A ?    print these keys
 *   Ctrl-A a    send one Ctrl-A to the current target
 * Any other byte goes to the current target: the monitor's line editor, a
 * VM's UART, or nowhere. `console_in=<vm>` on the command line gives the input
 * to that VM from boot; `console=log-only` turns the monitor off (the prefix
 * key then only switches VMs).
 *
 * The decision logic (console_in_feed, hv/console_feed.h) is pure and
 * host-tested; the UART is polled by the BSP (console_in_poll) every
 * millisecond, whether it runs a guest (its scheduler ends each entry by the
 * next poll) or is idle (its LAPIC timer is armed for it).
 */
#ifndef SABLE_HV_CONSOLE_IN_H
#define SABLE_HV_CONSOLE_IN_H

#include "types.h"

#define CONSOLE_IN_PREFIX 0x01 /* Ctrl-A */

enum console_target {
	CONSOLE_TO_LOG = 0, /* input is dropped */
	CONSOLE_TO_MONITOR,
	CONSOLE_TO_VM,
};

/* Reads what the console UART has received and dispatches it. Called by the
 * BSP at least every few milliseconds (any context where it may print); other
 * CPUs' calls do nothing. */
void console_in_poll(void);
/* When the BSP must poll next, for its scheduler's deadline (UINT64_MAX: no
 * console UART, no need). */
uint64_t console_in_next_poll(uint64_t now);
/* Reads console_in= and console=log-only; after the VMs are created. */
void console_in_init(void);

/* Where input goes now; *vm_id is set when CONSOLE_TO_VM. */
enum console_target console_in_target(uint32_t *vm_id);

/* Gives the console input to VM vm_id (boot option console_in=, monitor). */
void console_in_focus_vm(uint32_t vm_id);

#endif
