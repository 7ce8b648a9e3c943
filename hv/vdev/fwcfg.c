/*
 * fw_cfg legacy I/O model. Items are generated on the fly from the machine
 * description, so no buffer is kept. Keys follow QEMU docs/specs/fw_cfg.rst;
 * the ID item advertises only the traditional interface (no DMA), and the
 * file directory is empty.
 */
#include "types.h"
#include "hv/vdev/fwcfg.h"

/* Byte i of the little-endian encoding of v. */
static uint8_t le_byte(uint64_t v, uint32_t i)
{
	return (uint8_t)(v >> (8 * i));
}

/* Length in bytes of the item at key, 0 if there is none. */
static uint32_t item_len(uint16_t key)
{
	switch (key) {
	case FWCFG_KEY_SIGNATURE:
	case FWCFG_KEY_ID:
	case FWCFG_KEY_FILE_DIR:
		return 4;
	case FWCFG_KEY_RAM_SIZE:
		return 8;
	case FWCFG_KEY_NB_CPUS:
	case FWCFG_KEY_MAX_CPUS:
		return 2;
	default:
		return 0;
	}
}

/* Byte i (< item_len(key)) of the item at key. */
static uint8_t item_byte(const struct fwcfg *f, uint16_t key, uint32_t i)
{
	static const char sig[4] = {'Q', 'E', 'M', 'U'};

	switch (key) {
	case FWCFG_KEY_SIGNATURE:
		return (uint8_t)sig[i];
	case FWCFG_KEY_ID:
		return le_byte(FWCFG_ID_TRADITIONAL, i);
	case FWCFG_KEY_RAM_SIZE:
		return le_byte(f->ram_size, i);
	case FWCFG_KEY_NB_CPUS:
	case FWCFG_KEY_MAX_CPUS:
		return le_byte(f->ncpus, i);
	default: /* FILE_DIR: a big-endian count of 0 files */
		return 0;
	}
}

void fwcfg_init(struct fwcfg *f, uint64_t ram_size, uint16_t ncpus)
{
	f->selector = FWCFG_KEY_SIGNATURE;
	f->offset = 0;
	f->ram_size = ram_size;
	f->ncpus = ncpus;
}

void fwcfg_select(struct fwcfg *f, uint16_t key)
{
	f->selector = key;
	f->offset = 0;
}

uint8_t fwcfg_read_byte(struct fwcfg *f)
{
	if (f->offset >= item_len(f->selector))
		return 0;
	return item_byte(f, f->selector, f->offset++);
}
