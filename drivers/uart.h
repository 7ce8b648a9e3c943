/* 16550 UART on COM1: the hypervisor's console. */
#ifndef SABLE_DRIVERS_UART_H
#define SABLE_DRIVERS_UART_H

#include "types.h"

#define COM1_PORT 0x3f8

/* Programs 115200 8N1 with FIFOs on. Returns false if no UART answers at the port. */
bool uart_init(void);
/* Writes n bytes, "\n" as "\r\n", waiting for the transmitter before each byte. */
void uart_write(const char *s, size_t n);
/* Waits until the transmitter is empty (every byte on the wire). */
void uart_drain(void);

#endif
