/* Where the console UART is and how it is programmed (pure data and choice). */
#ifndef SABLE_DRIVERS_UART_CFG_H
#define SABLE_DRIVERS_UART_CFG_H

#include "types.h"

#define UART_COM1_PORT     0x3f8
#define UART_COM2_PORT     0x2f8
#define UART_DEFAULT_BAUD  115200
#define UART_DEFAULT_CLOCK 1843200 /* 16 x 115200: the PC's 1.8432 MHz crystal */

enum uart_space {
	UART_NONE = 0, /* no console UART (serial=none) */
	UART_IO,       /* I/O ports */
	UART_MMIO,     /* memory-mapped registers */
};

struct uart_cfg {
	enum uart_space space;
	uint64_t base;  /* I/O port or physical address of register 0 */
	uint8_t stride; /* bytes from one register to the next: 1 or 4 */
	uint8_t access; /* bytes per register access: 1 or 4 */
	uint32_t baud;  /* 0: keep what the firmware programmed */
	uint32_t clock; /* input clock in Hz, 0: UART_DEFAULT_CLOCK */
};

/* Who named the console UART. */
enum uart_origin {
	UART_FROM_DEFAULT = 0, /* COM1: nothing named another */
	UART_FROM_OPTION,      /* serial= boot option */
	UART_FROM_SPCR,
	UART_FROM_DBG2,
};

/*
 * The console UART: the serial= option's when given (opt non-NULL; it may say
 * UART_NONE), else SPCR's, else DBG2's (each NULL when absent or unusable),
 * else COM1 at UART_DEFAULT_BAUD. Returns who named it.
 */
enum uart_origin uart_choose(const struct uart_cfg *opt, const struct uart_cfg *spcr,
                             const struct uart_cfg *dbg2, struct uart_cfg *out);

/* The 16550 divisor latch for baud from clock (0 = default); 0 if baud is 0
 * or not reachable within 1% (the divisor must be 1-65535). */
uint16_t uart_divisor(uint32_t clock, uint32_t baud);

/* True if c is an MMIO UART whose eight registers overlap [base, base + len):
 * RAM named as a UART would have the console write into memory. */
bool uart_cfg_mmio_overlaps(const struct uart_cfg *c, uint64_t base, uint64_t len);

/* Bytes the eight 16550 registers span: 8 x stride. */
static inline uint64_t uart_cfg_span(const struct uart_cfg *c)
{
	return 8ull * c->stride;
}

/* "COM1 0x3f8", "I/O 0x3e8", "MMIO 0xfe032000 (32-bit registers)", "none". */
void uart_cfg_describe(const struct uart_cfg *c, char *buf, size_t n);

extern const char *const uart_origin_names[];

#endif
