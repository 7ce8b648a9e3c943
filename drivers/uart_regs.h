/* 16550 register numbers and bits (PC16550D data sheet), shared by the
 * console UART (drivers/uart.c) and the debug UART (drivers/uart_debug.c). */
#ifndef SABLE_DRIVERS_UART_REGS_H
#define SABLE_DRIVERS_UART_REGS_H

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLH 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5

#define LCR_8N1          0x03
#define LCR_DLAB         0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_THRE         0x20
#define LSR_TEMT         0x40
#define LSR_ABSENT       0xff /* what a read of nothing returns */

#define UART_RBR 0    /* receive buffer (DLAB=0) */
#define LSR_DR   0x01 /* a received byte waits in RBR (or the RX FIFO) */
#define LSR_OE   0x02 /* overrun: a byte was lost */

#endif
