#include "drivers/uart_debug.h"
#include "drivers/uart_cfg.h"
#include "drivers/uart_regs.h"
#include "err.h"
#include "x86.h"

#define SPIN_LIMIT 1000000 /* ~1 s of port reads per byte: then the byte is dropped */

static uint16_t base;

int uart_debug_init(uint16_t port)
{
	uint16_t divisor = uart_divisor(0, UART_DEFAULT_BAUD);

	if (inb(port + UART_LSR) == LSR_ABSENT)
		return -ENODEV;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, divisor & 0xff);
	outb(port + UART_DLH, divisor >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, FCR_ENABLE_CLEAR);
	outb(port + UART_MCR, MCR_DTR_RTS_OUT2);
	if (!(inb(port + UART_LSR) & LSR_THRE))
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
