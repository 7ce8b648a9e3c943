#include "drivers/uart.h"
#include "x86.h"

/* Register offsets and bits (PC16550D data sheet). */
#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLH 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define LCR_8N1          0x03
#define LCR_DLAB         0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_THRE         0x20
#define LSR_TEMT         0x40

#define UART_CLOCK      115200
#define UART_BAUD       115200
#define UART_SPIN_LIMIT 1000000 /* a missing UART must not hang the console */

static bool present = true;

bool uart_init(void)
{
	uint16_t divisor = UART_CLOCK / UART_BAUD;

	outb(COM1_PORT + UART_SCR, 0x5a);
	present = inb(COM1_PORT + UART_SCR) == 0x5a;
	outb(COM1_PORT + UART_IER, 0);
	outb(COM1_PORT + UART_LCR, LCR_DLAB);
	outb(COM1_PORT + UART_DLL, divisor & 0xff);
	outb(COM1_PORT + UART_DLH, divisor >> 8);
	outb(COM1_PORT + UART_LCR, LCR_8N1);
	outb(COM1_PORT + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM1_PORT + UART_MCR, MCR_DTR_RTS_OUT2);
	return present;
}

static void wait_lsr(uint8_t bit)
{
	for (unsigned i = 0; i < UART_SPIN_LIMIT; i++) {
		if (inb(COM1_PORT + UART_LSR) & bit)
			return;
		cpu_relax();
	}
}

static void putc_raw(char c)
{
	wait_lsr(LSR_THRE);
	outb(COM1_PORT + UART_THR, (uint8_t)c);
}

void uart_write(const char *s, size_t n)
{
	if (!present)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			putc_raw('\r');
		putc_raw(s[i]);
	}
}

void uart_drain(void)
{
	if (present)
		wait_lsr(LSR_TEMT);
}
