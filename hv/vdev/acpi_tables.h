/* The ACPI tables a Linux guest finds in its BIOS area, made per VM (pure):
 * RSDP, RSDT, XSDT, MADT, FADT, FACS and a DSDT holding only \_S5.
 * Spec: ACPI 6.5 sec. 5.2 (tables) and 20.2 (AML encoding). */
#ifndef SABLE_HV_VDEV_ACPI_TABLES_H
#define SABLE_HV_VDEV_ACPI_TABLES_H

#include "types.h"

#define ACPI_TABLES_GPA  0xe0000ull /* the RSDP is searched for in 0xE0000-0xFFFFF */
#define ACPI_TABLES_SIZE 0x2000u    /* room the builder may use */

/* The fixed-hardware register block the FADT declares (hv/vdev/acpi_pm.h). */
#define ACPI_PM_BASE     0x600u
#define ACPI_PM1A_EVT    0x600u /* PM1_STS (2 bytes) then PM1_EN (2 bytes) */
#define ACPI_PM1A_CNT    0x604u /* 2 bytes */
#define ACPI_PM_TMR      0x608u /* 4 bytes, 32-bit counter at 3.579545 MHz */
#define ACPI_RESET_PORT  0x60cu /* FADT RESET_REG: writing ACPI_RESET_VALUE resets */
#define ACPI_PM_END      0x610u
#define ACPI_RESET_VALUE 0x01u
#define ACPI_SCI_IRQ     9u
#define ACPI_S5_SLP_TYP  5u /* \_S5 package: SLP_TYPa = SLP_TYPb = 5 */
#define ACPI_IOAPIC_ADDR 0xfec00000u
#define ACPI_LAPIC_ADDR  0xfee00000u
#define ACPI_IOAPIC_ID   0u /* vCPUs have APIC IDs 0..n-1: the IOAPIC's own ID space */

/*
 * Writes the tables for a VM of ncpus vCPUs (LAPIC IDs 0..ncpus-1) into
 * buf[0..size), which the guest sees at guest-physical gpa (16-byte aligned,
 * below 4 GiB). Returns the RSDP's guest-physical address (at gpa), or 0 if
 * they do not fit in size bytes or ncpus is 0.
 */
uint64_t acpi_tables_build(uint8_t *buf, size_t size, uint64_t gpa, uint32_t ncpus);

#endif
