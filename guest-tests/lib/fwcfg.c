// SPDX-License-Identifier: MIT
/*
 * Sable guest library: QEMU fw_cfg over the legacy I/O ports.
 */
#include "guest.h"

void fw_cfg_read(uint16_t key, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	outw(FW_CFG_PORT_SEL, key);
	for (i = 0; i < len; i++)
		p[i] = inb(FW_CFG_PORT_DATA);
}

/* Reads n (<= 8) bytes of item key as a little-endian integer. */
static uint64_t fw_cfg_read_le(uint16_t key, size_t n)
{
	uint8_t b[8];
	uint64_t v = 0;

	fw_cfg_read(key, b, n);
	while (n--)
		v = (v << 8) | b[n];
	return v;
}

uint16_t fw_cfg_read_u16(uint16_t key)
{
	return (uint16_t)fw_cfg_read_le(key, 2);
}

uint32_t fw_cfg_read_u32(uint16_t key)
{
	return (uint32_t)fw_cfg_read_le(key, 4);
}

uint64_t fw_cfg_read_u64(uint16_t key)
{
	return fw_cfg_read_le(key, 8);
}

bool fw_cfg_present(void)
{
	char sig[4];

	fw_cfg_read(FW_CFG_SIGNATURE, sig, sizeof(sig));
	return memcmp(sig, "QEMU", 4) == 0;
}
