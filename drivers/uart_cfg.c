/* Choosing and describing the console UART (pure). */
#include "drivers/uart_cfg.h"
#include "hv/lib/format.h"

const char *const uart_origin_names[] = {
	[UART_FROM_DEFAULT] = "default, no ACPI SPCR or DBG2 UART",
	[UART_FROM_OPTION] = "serial= option",
	[UART_FROM_SPCR] = "ACPI SPCR",
	[UART_FROM_DBG2] = "ACPI DBG2",
};

enum uart_origin uart_choose(const struct uart_cfg *opt, const struct uart_cfg *spcr,
                             const struct uart_cfg *dbg2, struct uart_cfg *out)
{
	static const struct uart_cfg com1 = {
		.space = UART_IO,
		.base = UART_COM1_PORT,
		.stride = 1,
		.access = 1,
		.baud = UART_DEFAULT_BAUD,
	};

	if (opt) {
		*out = *opt;
		return UART_FROM_OPTION;
	}
	if (spcr) {
		*out = *spcr;
		return UART_FROM_SPCR;
	}
	if (dbg2) {
		*out = *dbg2;
		return UART_FROM_DBG2;
	}
	*out = com1;
	return UART_FROM_DEFAULT;
}

uint16_t uart_divisor(uint32_t clock, uint32_t baud)
{
	uint64_t c = clock ? clock : UART_DEFAULT_CLOCK;
	uint64_t d, actual;

	if (!baud)
		return 0;
	d = (c + 8ull * baud) / (16ull * baud); /* nearest */
	if (d < 1 || d > 0xffff)
		return 0;
	actual = c / (16 * d);
	if (actual * 100 > (uint64_t)baud * 101 || actual * 100 < (uint64_t)baud * 99)
		return 0;
	return (uint16_t)d;
}

bool uart_cfg_mmio_overlaps(const struct uart_cfg *c, uint64_t base, uint64_t len)
{
	uint64_t span = uart_cfg_span(c);

	if (c->space != UART_MMIO || !len)
		return false;
	/* [c->base, c->base + span) and [base, base + len) intersect; no overflow */
	return c->base <= base + (len - 1) && base <= c->base + (span - 1);
}

void uart_cfg_describe(const struct uart_cfg *c, char *buf, size_t n)
{
	if (c->space == UART_NONE)
		fmt_snprintf(buf, n, "none");
	else if (c->space == UART_IO && c->base == UART_COM1_PORT)
		fmt_snprintf(buf, n, "COM1 0x3f8");
	else if (c->space == UART_IO && c->base == UART_COM2_PORT)
		fmt_snprintf(buf, n, "COM2 0x2f8");
	else if (c->space == UART_IO)
		fmt_snprintf(buf, n, "I/O 0x%lx", (unsigned long)c->base);
	else
		fmt_snprintf(buf, n, "MMIO 0x%lx (%u-bit registers)", (unsigned long)c->base,
		             c->stride * 8u);
}
