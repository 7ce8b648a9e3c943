/* Finds the ACPI tables on this machine and records what the hypervisor needs. */
#include "drivers/acpi.h"
#include "drivers/acpi_uart.h"
#include "drivers/platform.h"
#include "hv/log.h"
#include "hv/loader/multiboot2.h"
#include "hv/panic.h"
#include "hv/percpu.h"
#include "mm/mm.h"

#define BIOS_EBDA_SEG_PTR 0x40e
#define EBDA_SCAN_LEN     1024
#define BIOS_ROM_START    0xe0000
#define BIOS_ROM_END      0x100000

extern struct mb2_info boot_info;
void acpi_init(void);
void acpi_console_uart(struct uart_cfg **spcr, struct uart_cfg **dbg2);

static const void *map_phys(void *ctx, uint64_t pa, size_t len)
{
	return mm_phys_mapped(pa, len) ? phys_to_virt(pa) : NULL;
}

static void warn(void *ctx, const char *msg)
{
	log_warn("ACPI: %s", msg);
}

/* The RSDP from GRUB's tag (a copy inside the boot information), else the
 * EBDA and BIOS ROM scan (ACPI 6.5 sec. 5.2.5.1). Returns 0 if none. */
static uint64_t find_rsdp(void)
{
	uint64_t ebda;
	long off;

	if (boot_info.rsdp && acpi_rsdp_check(boot_info.rsdp, boot_info.rsdp_len) == 0)
		return (uint64_t)boot_info.rsdp;
	ebda = (uint64_t) * (const uint16_t *)phys_to_virt(BIOS_EBDA_SEG_PTR) << 4;
	if (ebda >= PAGE_SIZE && mm_phys_mapped(ebda, EBDA_SCAN_LEN)) {
		off = acpi_rsdp_scan(phys_to_virt(ebda), EBDA_SCAN_LEN);
		if (off >= 0)
			return ebda + (uint64_t)off;
	}
	off = acpi_rsdp_scan(phys_to_virt(BIOS_ROM_START), BIOS_ROM_END - BIOS_ROM_START);
	return off >= 0 ? BIOS_ROM_START + (uint64_t)off : 0;
}

void acpi_init(void)
{
	uint64_t rsdp = find_rsdp();
	size_t enabled = 0;
	int r;

	if (!rsdp)
		panic("no ACPI RSDP found: cannot discover the CPUs");
	r = acpi_parse(rsdp, map_phys, warn, NULL, &acpi);
	if (r < 0)
		panic("ACPI tables unusable (error %d): cannot discover the CPUs", r);
	for (size_t i = 0; i < acpi.ncpus; i++)
		enabled += acpi.cpus[i].enabled;
	cpus_present = (uint32_t)(enabled ? enabled : 1);
	log_info("ACPI: revision %u via %s, %zu CPUs (%zu enabled), %zu I/O APIC(s), LAPIC at "
	         "0x%lx%s",
	         acpi.revision, acpi.used_xsdt ? "XSDT" : "RSDT", acpi.ncpus, enabled,
	         acpi.nioapics, acpi.lapic_pa, acpi.have_s5 ? ", S5 known" : "");
}

/* Maps the table at pa in full and parses it with fn: the result, or NULL with a console line. */
static struct uart_cfg *console_table(uint64_t pa, const char *sig,
                                      int (*fn)(const void *, size_t, struct acpi_uart *, char *,
                                                size_t),
                                      struct acpi_uart *u)
{
	char why[96];
	uint32_t len;

	if (!pa)
		return NULL;
	len = *(const uint32_t *)phys_to_virt(pa + 4);
	if (!mm_phys_mapped(pa, len) || fn(phys_to_virt(pa), len, u, why, sizeof(why)) < 0) {
		log_warn("ACPI: %s", mm_phys_mapped(pa, len) ? why : "console table not mapped");
		return NULL;
	}
	log_info("ACPI: %s revision %u: %s UART at %s 0x%lx (%u-bit registers), baud %u, "
	         "interrupt type 0x%x IRQ %u GSI %u",
	         sig, u->revision, acpi_uart_type_name(u->type),
	         u->port.space == UART_IO ? "I/O" : "MMIO", u->port.base, u->port.stride * 8u,
	         u->port.baud, u->irq_type, u->irq, u->gsi);
	return &u->port;
}

/* The console UARTs that the SPCR and DBG2 tables name (NULL where none is usable). */
void acpi_console_uart(struct uart_cfg **spcr, struct uart_cfg **dbg2)
{
	static struct acpi_uart s, d;

	*spcr = console_table(acpi.spcr_pa, "SPCR", acpi_spcr_parse, &s);
	*dbg2 = console_table(acpi.dbg2_pa, "DBG2", acpi_dbg2_parse, &d);
}
