/* Moving the hypervisor's console to the UART the boot options or ACPI name. */
#ifndef SABLE_DRIVERS_UART_CONSOLE_H
#define SABLE_DRIVERS_UART_CONSOLE_H

#include "drivers/uart_cfg.h"

/*
 * Moves the console to c (named by origin), saying so on the old port first
 * and on the new one after. A UART in usable RAM, outside the direct map or
 * not answering leaves the console where it was, with a warning there.
 * Needs the hypervisor's page tables (mm_paging_init).
 */
void uart_console_move(const struct uart_cfg *c, enum uart_origin origin);

/* After acpi_init: prints what SPCR and DBG2 say, and unless option_given
 * (serial= chose already) moves to their UART, else says COM1 stays. */
void uart_console_from_acpi(bool option_given);

#endif
