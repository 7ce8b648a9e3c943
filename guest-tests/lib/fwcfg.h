/* SPDX-License-Identifier: MIT */
/*
 * Sable guest library: QEMU fw_cfg, legacy I/O interface (16-bit selector at
 * 0x510, byte-wide data at 0x511; multi-byte items are little endian).
 */
#ifndef GUEST_FWCFG_H
#define GUEST_FWCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_CFG_PORT_SEL  0x510
#define FW_CFG_PORT_DATA 0x511

#define FW_CFG_SIGNATURE 0x0000 /* "QEMU" */
#define FW_CFG_ID        0x0001 /* u32 feature bits, bit 0 = traditional interface */
#define FW_CFG_RAM_SIZE  0x0003 /* u64 bytes of RAM */
#define FW_CFG_NB_CPUS   0x0005 /* u16 number of boot CPUs */
#define FW_CFG_FILE_DIR  0x0019 /* file directory (unused by these tests) */

/* Selects item key and reads len bytes of it from the start into buf. */
void fw_cfg_read(uint16_t key, void *buf, size_t len);
/* Reads the first 2, 4 or 8 bytes of item key as a little-endian integer. */
uint16_t fw_cfg_read_u16(uint16_t key);
uint32_t fw_cfg_read_u32(uint16_t key);
uint64_t fw_cfg_read_u64(uint16_t key);
/* True if the signature item reads "QEMU". */
bool fw_cfg_present(void);

#endif
