/* The console's UART chosen at boot: serial= first, then ACPI SPCR, DBG2, COM1. */
#include "drivers/uart_console.h"
#include "drivers/uart.h"
#include "err.h"
#include "hv/log.h"
#include "hv/loader/multiboot2.h"

extern struct mb2_info boot_info;
void acpi_console_uart(struct uart_cfg **spcr, struct uart_cfg **dbg2);

/* True if an MMIO UART c lies in RAM the boot loader reported as usable. */
static bool uart_in_ram(const struct uart_cfg *c)
{
	for (size_t i = 0; i < boot_info.mmap_count; i++) {
		const struct mem_region *r = &boot_info.mmap[i];

		if (r->type == MEM_AVAILABLE && uart_cfg_mmio_overlaps(c, r->base, r->len))
			return true;
	}
	return false;
}

void uart_console_move(const struct uart_cfg *c, enum uart_origin origin)
{
	struct uart_cfg old = *uart_current();
	char to[48];
	int r;

	uart_cfg_describe(c, to, sizeof(to));
	if (c->space == old.space && c->base == old.base && c->stride == old.stride &&
	    c->baud == old.baud && origin == UART_FROM_DEFAULT) {
		log_info("console: %s (%s)", to, uart_origin_names[origin]);
		return;
	}
	if (uart_in_ram(c)) {
		log_warn("console: %s from %s is usable RAM, not a UART: staying here", to,
		         uart_origin_names[origin]);
		return;
	}
	log_info("console: moving to %s (%s)", to, uart_origin_names[origin]);
	log_flush();
	r = uart_use(c);
	if (r < 0) {
		uint8_t lsr = uart_probe_lsr();

		uart_use(&old);
		if (r == -EFAULT)
			log_warn("console: %s from %s is not mapped: staying here", to,
			         uart_origin_names[origin]);
		else
			log_warn("console: %s from %s does not answer as a 16550 (LSR 0x%02x): "
			         "staying here",
			         to, uart_origin_names[origin], lsr);
		return;
	}
	if (c->baud)
		log_info("console: %s from %s, %u baud", to, uart_origin_names[origin], c->baud);
	else
		log_info("console: %s from %s, baud as the firmware set it", to,
		         uart_origin_names[origin]);
}

void uart_console_from_acpi(bool option_given)
{
	struct uart_cfg *spcr, *dbg2, c;
	enum uart_origin origin;

	acpi_console_uart(&spcr, &dbg2);
	if (option_given)
		return;
	origin = uart_choose(NULL, spcr, dbg2, &c);
	uart_console_move(&c, origin);
}
