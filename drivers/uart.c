/* The console's 16550 UART: I/O ports or MMIO, 8- or 32-bit registers. */
#include "drivers/uart.h"
#include "drivers/uart_regs.h"
#include "err.h"
#include "mm/mm.h"
#include "x86.h"

#define UART_SPIN_LIMIT 1000000 /* ~1 s of port reads: then the UART is taken as gone */

static struct uart_cfg port = {
	.space = UART_IO,
	.base = UART_COM1_PORT,
	.stride = 1,
	.access = 1,
	.baud = UART_DEFAULT_BAUD,
};
static bool present;
static uint64_t rx_overruns;
static uint8_t probe_lsr; /* LSR as uart_use() last read it */

static uint8_t cfg_read(const struct uart_cfg *c, unsigned reg)
{
	uint64_t a = c->base + reg * c->stride;

	if (c->space == UART_MMIO)
		return c->access == 4 ? (uint8_t) * (volatile uint32_t *)phys_to_virt(a)
		                      : *(volatile uint8_t *)phys_to_virt(a);
	return c->access == 4 ? (uint8_t)inl((uint16_t)a) : inb((uint16_t)a);
}

static void cfg_write(const struct uart_cfg *c, unsigned reg, uint8_t v)
{
	uint64_t a = c->base + reg * c->stride;

	if (c->space == UART_MMIO) {
		if (c->access == 4)
			*(volatile uint32_t *)phys_to_virt(a) = v;
		else
			*(volatile uint8_t *)phys_to_virt(a) = v;
	} else if (c->access == 4) {
		outl((uint16_t)a, v);
	} else {
		outb((uint16_t)a, v);
	}
}

static uint8_t reg_read(unsigned reg)
{
	return cfg_read(&port, reg);
}

static void reg_write(unsigned reg, uint8_t v)
{
	cfg_write(&port, reg, v);
}

/* Programs 8N1, FIFOs on, no interrupts; the divisor only when the baud is known. */
static void program(const struct uart_cfg *c)
{
	uint16_t divisor = uart_divisor(c->clock, c->baud);

	cfg_write(c, UART_IER, 0);
	if (divisor) {
		cfg_write(c, UART_LCR, LCR_DLAB);
		cfg_write(c, UART_DLL, divisor & 0xff);
		cfg_write(c, UART_DLH, divisor >> 8);
	}
	cfg_write(c, UART_LCR, LCR_8N1);
	cfg_write(c, UART_FCR, FCR_ENABLE_CLEAR);
	cfg_write(c, UART_MCR, MCR_DTR_RTS_OUT2);
}

int uart_probe(const struct uart_cfg *c, uint8_t *lsr)
{
	*lsr = cfg_read(c, UART_LSR);
	if (*lsr == LSR_ABSENT)
		return -ENODEV;
	program(c);
	/* with its FIFOs just cleared a 16550's transmitter is idle: THRE must be set */
	*lsr = cfg_read(c, UART_LSR);
	if (*lsr == LSR_ABSENT || !(*lsr & LSR_THRE))
		return -ENODEV;
	return 0;
}

int uart_use(const struct uart_cfg *c)
{
	present = false;
	port = *c;
	if (c->space == UART_NONE)
		return 0;
	if (c->space == UART_MMIO && !mm_phys_mapped(c->base, uart_cfg_span(c)))
		return -EFAULT;
	if (uart_probe(c, &probe_lsr))
		return -ENODEV;
	present = true;
	return 0;
}

uint8_t uart_probe_lsr(void)
{
	return probe_lsr;
}

bool uart_init(void)
{
	struct uart_cfg com1 = port;

	return uart_use(&com1) == 0;
}

const struct uart_cfg *uart_current(void)
{
	return &port;
}

bool uart_present(void)
{
	return present;
}

/* Waits for an LSR bit; a UART that never sets it is marked absent. */
static bool wait_lsr(uint8_t bit)
{
	for (unsigned i = 0; i < UART_SPIN_LIMIT; i++) {
		uint8_t lsr = reg_read(UART_LSR);

		if (lsr == LSR_ABSENT)
			break;
		if (lsr & bit)
			return true;
		cpu_relax();
	}
	present = false;
	return false;
}

void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n && present; i++) {
		if (s[i] == '\n' && wait_lsr(LSR_THRE))
			reg_write(UART_THR, '\r');
		if (wait_lsr(LSR_THRE))
			reg_write(UART_THR, (uint8_t)s[i]);
	}
}

void uart_drain(void)
{
	if (present)
		wait_lsr(LSR_TEMT);
}

int uart_getc(void)
{
	uint8_t lsr;

	if (!present)
		return -1;
	lsr = reg_read(UART_LSR);
	if (lsr == LSR_ABSENT)
		return -1;
	if (lsr & LSR_OE)
		rx_overruns++;
	if (!(lsr & LSR_DR))
		return -1;
	return reg_read(UART_RBR);
}

uint64_t uart_rx_overruns(void)
{
	return rx_overruns;
}
