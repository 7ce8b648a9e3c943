/* Multiboot2 boot information parser (pure). Spec: Multiboot2 Specification 1.0 sec. 3.6. */
#ifndef SABLE_HV_MULTIBOOT2_H
#define SABLE_HV_MULTIBOOT2_H

#include "param.h"
#include "types.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u

#define MB2_TAG_END            0
#define MB2_TAG_CMDLINE        1
#define MB2_TAG_LOADER_NAME    2
#define MB2_TAG_MODULE         3
#define MB2_TAG_BASIC_MEMINFO  4
#define MB2_TAG_MMAP           6
#define MB2_TAG_FRAMEBUFFER    8
#define MB2_TAG_EFI64          12
#define MB2_TAG_ACPI_OLD       14
#define MB2_TAG_ACPI_NEW       15
#define MB2_TAG_LOAD_BASE_ADDR 21

/* Memory-map entry types (same as E820). */
#define MEM_AVAILABLE        1
#define MEM_RESERVED         2
#define MEM_ACPI_RECLAIMABLE 3
#define MEM_NVS              4
#define MEM_BADRAM           5

struct mem_region {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

struct mb2_module {
	uint64_t start;      /* physical, inclusive */
	uint64_t end;        /* physical, exclusive */
	const char *cmdline; /* NUL-terminated inside the tag */
};

/* Framebuffer tag types (sec. 3.6.12). */
#define MB2_FB_INDEXED  0
#define MB2_FB_RGB      1
#define MB2_FB_EGA_TEXT 2

struct mb2_framebuffer {
	uint64_t addr;
	uint32_t pitch, width, height; /* EGA text: width and height in characters */
	uint8_t bpp, type;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size; /* MB2_FB_RGB only */
};

struct mb2_info {
	uint32_t total_size;
	const char *cmdline;     /* NULL if no tag */
	const char *loader_name; /* NULL if no tag */
	bool have_meminfo;
	uint32_t mem_lower_kb, mem_upper_kb;
	struct mem_region mmap[MAX_MEM_REGIONS];
	size_t mmap_count;
	size_t mmap_dropped; /* entries beyond MAX_MEM_REGIONS */
	struct mb2_module modules[MAX_BOOT_MODULES];
	size_t module_count;
	size_t modules_dropped; /* modules beyond MAX_BOOT_MODULES */
	const void *rsdp;       /* copy of the RSDP inside the tag, NULL if no tag */
	size_t rsdp_len;
	bool rsdp_new; /* from the ACPI 2.0+ tag */
	bool have_fb;
	struct mb2_framebuffer fb;
	bool efi64; /* an EFI 64-bit system table tag: started from UEFI */
};

/*
 * Parses the boot information at mbi, of which avail bytes are readable.
 * Returns 0, or -EINVAL for a malformed structure: total_size below 16 or above
 * avail, a tag that is misaligned or runs past total_size, a tag size below its
 * header, a missing end tag, a string not NUL-terminated inside its tag, an
 * mmap entry_size below 24 or not a multiple of 8, a module with end < start,
 * a framebuffer tag shorter than its type's fields.
 * Never reads outside [mbi, mbi + min(avail, total_size)). On error *out is
 * left in an unspecified but safe state (counts within bounds).
 */
int mb2_parse(const void *mbi, size_t avail, struct mb2_info *out);

#endif
