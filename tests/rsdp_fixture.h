/* A valid ACPI RSDP in a byte buffer, for the tests of the EFI loader's ACPI
 * lookup and of its multiboot2 builder. */
#ifndef SABLE_TESTS_RSDP_FIXTURE_H
#define SABLE_TESTS_RSDP_FIXTURE_H

#include <stdint.h>
#include <string.h>

#include "boot/efi/efi_mb2.h"

/* A 36-byte RSDP of revision rev with both checksums set, OEM "SABLE ", RSDT
 * at 0x78 and XSDT at 0x56. */
static inline void make_rsdp(uint8_t *r, uint8_t rev)
{
	uint8_t sum = 0;
	uint32_t len = RSDP_V2_LEN;

	memset(r, 0, RSDP_V2_LEN);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "SABLE ", 6);
	r[15] = rev;
	r[16] = 0x78; /* RSDT address */
	memcpy(r + 20, &len, 4);
	r[24] = 0x56; /* XSDT address */
	for (int i = 0; i < RSDP_V1_LEN; i++)
		sum = (uint8_t)(sum + r[i]);
	r[8] = (uint8_t)-sum;
	sum = 0;
	for (int i = 0; i < RSDP_V2_LEN; i++)
		sum = (uint8_t)(sum + r[i]);
	r[32] = (uint8_t)-sum;
}

#endif
