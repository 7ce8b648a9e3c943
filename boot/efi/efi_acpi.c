/* The ACPI RSDPs in the EFI configuration table (pure; see efi_acpi.h). */
#include "err.h"
#include "boot/efi/efi_acpi.h"
#include "boot/efi/efi_mb2.h"

/* ACPI_20_TABLE_GUID 8868e871-e4f1-11d3-bc22-0080c73c8881 and ACPI_TABLE_GUID
 * eb9d2d30-2d88-11d3-9a16-0090273fc14d, as EFI_GUID lies in memory. */
static const uint8_t guid_acpi20[16] = {0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
                                        0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81};
static const uint8_t guid_acpi10[16] = {0x30, 0x2d, 0x9d, 0xeb, 0x88, 0x2d, 0xd3, 0x11,
                                        0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d};

static bool guid_eq(const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < 16; i++) {
		if (a[i] != b[i])
			return false;
	}
	return true;
}

int efi_acpi_find(const struct efi_config_entry *t, size_t n, struct efi_acpi *out)
{
	out->rsdp_new = NULL;
	out->rsdp_new_len = 0;
	out->rsdp_old = NULL;
	for (size_t i = 0; i < n; i++) {
		int len;

		if (out->rsdp_new == NULL && guid_eq(t[i].guid, guid_acpi20)) {
			len = efi_rsdp_check(t[i].table, RSDP_V2_LEN, true);
			if (len > 0) {
				out->rsdp_new = t[i].table;
				out->rsdp_new_len = len;
			}
		} else if (out->rsdp_old == NULL && guid_eq(t[i].guid, guid_acpi10)) {
			if (efi_rsdp_check(t[i].table, RSDP_V1_LEN, false) > 0)
				out->rsdp_old = t[i].table;
		}
	}
	return out->rsdp_new || out->rsdp_old ? 0 : -ENOENT;
}
