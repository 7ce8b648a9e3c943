/* The multiboot2 boot information sable.efi hands to Sable (pure). Multiboot2
 * Specification 1.0 sec. 3.6; ACPI 6.5 sec. 5.2.5 (RSDP). */
#ifndef SABLE_BOOT_EFI_MB2_H
#define SABLE_BOOT_EFI_MB2_H

#include "types.h"
#include "hv/loader/multiboot2.h"

#define EFI_MB2_LOADER_NAME "Sable EFI loader"

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

struct efi_mb2_module {
	uint64_t start, end; /* physical, end exclusive; both below 4 GiB */
	const char *string;
};

/* A direct-colour (RGB) linear framebuffer. */
struct efi_mb2_fb {
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct efi_mb2_input {
	const char *cmdline;
	const char *loader_name;
	const struct efi_mb2_module *modules;
	size_t nmodules;
	const struct mem_region *mmap;
	size_t nmmap;
	const void *rsdp_new; /* ACPI 2.0+ RSDP or NULL; rsdp_new_len bytes copied */
	size_t rsdp_new_len;
	const void *rsdp_old;        /* ACPI 1.0 RSDP or NULL; RSDP_V1_LEN bytes copied */
	uint64_t efi_system_table;   /* 0: no EFI64 tag */
	const struct efi_mb2_fb *fb; /* NULL: no framebuffer tag */
};

/*
 * Writes the boot information into buf (cap bytes, 8-byte aligned): command
 * line, loader name, modules, basic memory information, memory map,
 * framebuffer, EFI64 system table, ACPI 2.0 then 1.0 RSDP, end tag. Returns
 * its total size, or -E2BIG when it does not fit, -EINVAL for a module above
 * 4 GiB or ending before it starts.
 */
int efi_mb2_build(const struct efi_mb2_input *in, void *buf, size_t cap);

/*
 * Checks an RSDP candidate of which avail bytes are readable: signature,
 * the ACPI 1.0 checksum, and for revision 2+ the length and extended checksum.
 * Returns the bytes to copy (20 or the 2.0 length), or -EINVAL.
 */
int efi_rsdp_check(const void *rsdp, size_t avail, bool want_v2);

#endif
