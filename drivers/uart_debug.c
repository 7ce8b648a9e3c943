#include "drivers/uart_debug.h"
#include "drivers/uart.h"
#include "drivers/uart_cfg.h"
#include "drivers/uart_regs.h"
#include "err.h"
#include "x86.h"

#define SPIN_LIMIT 1000000 /* ~1 s of port reads per byte: then the byte is dropped */

static uint16_t base;

int uart_debug_init(uint16_t port)
{
	const struct uart_cfg c = {
		.space = UART_IO,
		.base = port,
		.stride = 1,
		.access = 1,
		.baud = UART_DEFAULT_BAUD,
	};
	uint8_t lsr;

	if (uart_probe(&c, &lsr))
		return -ENODEV;
	base = port;
	return 0;
}

int uart_debug_getc(void)
{
	if (!base || !(inb(base + UART_LSR) & LSR_DR))
		return -1;
	return inb(base + UART_RBR);
}

void uart_debug_write(const void *buf, size_t n)
{
	const uint8_t *b = buf;

	for (size_t i = 0; i < n && base; i++) {
		for (unsigned spin = 0; spin < SPIN_LIMIT; spin++) {
			if (inb(base + UART_LSR) & LSR_THRE)
				break;
			cpu_relax();
		}
		outb(base + UART_THR, b[i]);
	}
}
