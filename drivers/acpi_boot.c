/* Finds the ACPI tables on this machine and records what the hypervisor needs. */
#include "drivers/acpi.h"
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
