// SPDX-License-Identifier: MIT
/*
 * Sable guest library: COM1 polled output, the 0xE9 debug port, and exiting
 * through isa-debug-exit.
 */
#include "guest.h"

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor low (DLAB=1) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLM 1 /* divisor high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4

/* Poll bounds: a missing or broken UART must not hang the guest forever. */
#define THRE_SPIN_LIMIT (1u << 20)
#define TEMT_SPIN_LIMIT (1u << 22)

void serial_init(void)
{
	outb(COM1_PORT + UART_IER, 0x00); /* no interrupts */
	outb(COM1_PORT + UART_LCR, 0x80); /* DLAB on */
	outb(COM1_PORT + UART_DLL, 0x01); /* 115200 baud: divisor 1 */
	outb(COM1_PORT + UART_DLM, 0x00);
	outb(COM1_PORT + UART_LCR, 0x03); /* 8 data bits, no parity, 1 stop, DLAB off */
	outb(COM1_PORT + UART_FCR, 0xC7); /* FIFOs on and cleared, 14-byte threshold */
	outb(COM1_PORT + UART_MCR, 0x03); /* DTR, RTS */
}

void serial_putc(char c)
{
	uint32_t spin = 0;

	while (!(inb(COM1_LSR) & LSR_THRE) && ++spin < THRE_SPIN_LIMIT)
		cpu_relax();
	outb(COM1_PORT + UART_THR, (uint8_t)c);
}

void serial_flush(void)
{
	uint32_t spin = 0;

	while (!(inb(COM1_LSR) & LSR_TEMT) && ++spin < TEMT_SPIN_LIMIT)
		cpu_relax();
}

void serial_write(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

int puts(const char *s)
{
	serial_write(s);
	serial_putc('\n');
	return 0;
}

void debugcon_write(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		outb(DEBUGCON_PORT, (uint8_t)s[i]);
}

void exit_qemu(uint8_t v)
{
	static const char shutdown[] = "Shutdown";
	const char *p;

	serial_flush();
	outb(DEBUG_EXIT_PORT, v);

	/* Still here: no isa-debug-exit. Try the Bochs-style shutdown port. */
	for (p = shutdown; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	halt_forever();
}
