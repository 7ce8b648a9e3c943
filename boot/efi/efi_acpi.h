/* The ACPI RSDPs among the EFI configuration table's entries (pure). UEFI 2.10
 * sec. 4.6 (EFI_CONFIGURATION_TABLE, ACPI table GUIDs); ACPI 6.5 sec. 5.2.5. */
#ifndef SABLE_BOOT_EFI_ACPI_H
#define SABLE_BOOT_EFI_ACPI_H

#include "types.h"

/* One EFI_CONFIGURATION_TABLE entry: VendorGuid, VendorTable. */
struct efi_config_entry {
	uint8_t guid[16];
	const void *table;
};

struct efi_acpi {
	const void *rsdp_new; /* ACPI 2.0+ RSDP (2.0 GUID, valid), or NULL */
	int rsdp_new_len;
	const void *rsdp_old; /* ACPI 1.0 RSDP (1.0 GUID, valid), or NULL */
};

/* Finds the first valid RSDP under each GUID. Returns 0, or -ENOENT when
 * there is neither. */
int efi_acpi_find(const struct efi_config_entry *t, size_t n, struct efi_acpi *out);

#endif
