/* The debug UART: a second 16550 (COM2 at 0x2F8) for the GDB stub, polled. */
#ifndef SABLE_DRIVERS_UART_DEBUG_H
#define SABLE_DRIVERS_UART_DEBUG_H

#include "types.h"

#define UART_COM2_PORT 0x2f8

/* Programs the UART at I/O port base (115200 8N1, FIFOs on, no interrupts).
 * 0, or -ENODEV if nothing answers there. */
int uart_debug_init(uint16_t base);
/* A received byte, or -1 if none is waiting. */
int uart_debug_getc(void);
/* Sends n bytes (waiting boundedly for the transmitter before each). */
void uart_debug_write(const void *buf, size_t n);

#endif
