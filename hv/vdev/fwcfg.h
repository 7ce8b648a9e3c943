/*
 * Model of QEMU's fw_cfg device, legacy I/O interface (QEMU docs/specs/fw_cfg.rst):
 * a 16-bit selector register and an 8-bit data register that streams the
 * selected item byte by byte (pure).
 */
#ifndef SABLE_HV_FWCFG_H
#define SABLE_HV_FWCFG_H

#include "types.h"

#define FWCFG_PORT_SELECTOR 0x510 /* 16-bit write: select an item */
#define FWCFG_PORT_DATA     0x511 /* 8-bit read: next byte of the selected item */

#define FWCFG_KEY_SIGNATURE 0x0000 /* "QEMU" */
#define FWCFG_KEY_ID        0x0001 /* u32 LE feature bitmap */
#define FWCFG_KEY_RAM_SIZE  0x0003 /* u64 LE */
#define FWCFG_KEY_NB_CPUS   0x0005 /* u16 LE */
#define FWCFG_KEY_MAX_CPUS  0x000f /* u16 LE */
#define FWCFG_KEY_FILE_DIR  0x0019 /* u32 BE file count, then entries */

#define FWCFG_ID_TRADITIONAL 0x1u /* ID bit 0: the legacy I/O interface exists */

struct fwcfg {
	uint16_t selector; /* selected key */
	uint32_t offset;   /* next byte to read from the selected item */
	uint64_t ram_size;
	uint16_t ncpus;
};

/* Resets f to a machine with ram_size bytes of RAM and ncpus CPUs, key 0 selected. */
void fwcfg_init(struct fwcfg *f, uint64_t ram_size, uint16_t ncpus);

/* Selects key and rewinds its read offset to 0. Any 16-bit value is accepted. */
void fwcfg_select(struct fwcfg *f, uint16_t key);

/*
 * Returns the next byte of the selected item and advances. Past the item's end,
 * or for a key with no item, returns 0 and the offset stays put.
 */
uint8_t fwcfg_read_byte(struct fwcfg *f);

#endif
