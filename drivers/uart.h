/* The console's 16550 UART (COM1 until the boot options or ACPI name another). */
#ifndef SABLE_DRIVERS_UART_H
#define SABLE_DRIVERS_UART_H

#include "drivers/uart_cfg.h"
#include "types.h"

/* Programs COM1 (0x3f8, 115200 8N1, FIFOs on). Returns false if nothing answers there. */
bool uart_init(void);
/*
 * Makes c the console UART and programs it (the divisor only when c gives a
 * baud). 0; -ENODEV if nothing answers there (LSR reads 0xff, or shows no
 * idle transmitter once programmed: see uart_probe_lsr) or -EFAULT if
 * its MMIO range is not mapped: the console then writes nowhere until the
 * next uart_use. UART_NONE silences the console and returns 0.
 */
int uart_use(const struct uart_cfg *c);
const struct uart_cfg *uart_current(void);
/* Probes the 16550 c describes and programs it (8N1, FIFOs on, no
 * interrupts; the divisor when c gives a baud): 0, or -ENODEV if nothing
 * answers (see uart_use). *lsr is the LSR it judged by. MMIO must be mapped.
 * Any UART: the console's (uart_use) and the GDB stub's (drivers/uart_debug.c). */
int uart_probe(const struct uart_cfg *c, uint8_t *lsr);
/* The LSR value on which the last uart_use() judged the UART. */
uint8_t uart_probe_lsr(void);
/* False once the UART is absent, or stopped answering (a bounded wait ran out). */
bool uart_present(void);
/* Writes n bytes, "\n" as "\r\n", waiting (boundedly) for the transmitter before each byte. */
void uart_write(const char *s, size_t n);
/* The next received byte (polled: LSR.DR, then RBR), or -1 if none waits. */
int uart_getc(void);
/* Overruns seen in LSR by uart_getc: received bytes lost because nobody read in time. */
uint64_t uart_rx_overruns(void);
/* Waits until the transmitter is empty (every byte on the wire). */
void uart_drain(void);

#endif
