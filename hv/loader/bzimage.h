/* Linux bzImage loader for guests: setup header checks, load plan, zero page
 * (pure). Spec: the Linux x86 boot protocol (Documentation/arch/x86/boot.rst,
 * "The real-mode kernel header", "32-bit boot protocol") and zero-page.rst. */
#ifndef SABLE_HV_BZIMAGE_H
#define SABLE_HV_BZIMAGE_H

#include "types.h"

#define BZ_MIN_VERSION 0x020c /* 2.12: xloadflags, pref_address, init_size */

/* Offsets in the image (and in struct boot_params: the header is copied to
 * the same place) of the setup header fields. */
#define BZ_SETUP_SECTS      0x1f1
#define BZ_SYSSIZE          0x1f4
#define BZ_VID_MODE         0x1fa
#define BZ_BOOT_FLAG        0x1fe
#define BZ_HEADER_END_BYTE  0x201 /* header ends at 0x202 + this byte */
#define BZ_HEADER           0x202
#define BZ_VERSION          0x206
#define BZ_TYPE_OF_LOADER   0x210
#define BZ_LOADFLAGS        0x211
#define BZ_CODE32_START     0x214
#define BZ_RAMDISK_IMAGE    0x218
#define BZ_RAMDISK_SIZE     0x21c
#define BZ_CMD_LINE_PTR     0x228
#define BZ_INITRD_ADDR_MAX  0x22c
#define BZ_KERNEL_ALIGNMENT 0x230
#define BZ_RELOCATABLE      0x234
#define BZ_XLOADFLAGS       0x236
#define BZ_CMDLINE_SIZE     0x238
#define BZ_PAYLOAD_OFFSET   0x248
#define BZ_PAYLOAD_LENGTH   0x24c
#define BZ_PREF_ADDRESS     0x258
#define BZ_INIT_SIZE        0x260
#define BZ_HEADER_MIN_END   0x264 /* through init_size: all protocol 2.12 has */

/* Zero page fields outside the setup header (zero-page.rst). */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_E820_ENTRIES   0x1e8
#define BP_E820_TABLE     0x2d0
#define BP_E820_MAX       128
#define BP_SIZE           0x1000

#define BZ_BOOT_FLAG_MAGIC 0xaa55
#define BZ_HEADER_MAGIC    0x53726448u /* "HdrS" */
#define BZ_LOADED_HIGH     BIT(0)      /* loadflags: protected-mode code at 0x100000+ */
#define BZ_XLF_KERNEL_64   BIT(0)      /* xloadflags: 64-bit entry at load + 0x200 */
#define BZ_LOADER_UNDEF    0xff        /* type_of_loader: a loader without an ID */
#define BZ_VID_NORMAL      0xffff

/* e820 entry types (ACPI 6.5 sec. 15, address range types). */
#define E820_RAM      1
#define E820_RESERVED 2

/* Where Sable puts things in a Linux guest's RAM below 1 MiB. */
#define BZ_BOOT_PARAMS_GPA 0x7000ull
#define BZ_CMDLINE_GPA     0x20000ull
#define BZ_CMDLINE_ROOM    0x10000ull /* bytes reserved for it, NUL included */
#define BZ_LOW_RAM_END     0x9fc00ull /* the EBDA and the BIOS area above are reserved */
#define BZ_BIOS_START      0xe0000ull /* ACPI tables live here: reserved */
#define BZ_HIGH_START      0x100000ull

/* What the setup header says (protocol 2.12 fields). */
struct bzimage_info {
	uint16_t version;
	uint32_t setup_size; /* bytes before the protected-mode kernel: (setup_sects + 1) * 512 */
	uint32_t pm_size;    /* protected-mode kernel bytes: syssize * 16 */
	uint8_t loadflags;
	bool relocatable;
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;       /* bytes the kernel needs from its load address */
	uint32_t cmdline_size;    /* longest command line, NUL excluded */
	uint32_t initrd_addr_max; /* highest address the initrd may occupy */
	uint16_t xloadflags;
	uint32_t header_end; /* image offset where the setup header ends */
};

/*
 * Validates the setup header of image[0..len) and fills *info. Returns 0 or
 * -EINVAL with a one-line reason in err (errlen bytes, always NUL-terminated
 * when errlen > 0): too short or truncated (the file ends before the kernel
 * the header declares), no boot flag or "HdrS" (not a bzImage, or corrupted),
 * protocol older than 2.12, not loaded high (a zImage), inconsistent sizes or
 * alignment. Never reads outside image[0..len).
 */
int bzimage_parse(const void *image, size_t len, struct bzimage_info *info, char *err,
                  size_t errlen);

/* Where the kernel and initrd go in guest RAM [0, mem_size). */
struct bzimage_plan {
	uint64_t load_gpa;   /* protected-mode kernel, also the 32-bit entry (code32_start) */
	uint64_t kernel_end; /* load_gpa + init_size (or the end of its run address) */
	uint64_t initrd_gpa; /* 0 without an initrd */
	uint64_t initrd_len;
};

/*
 * Plans the load for a guest of mem_size bytes, a command line of cmdline_len
 * bytes (NUL excluded) and an initrd of initrd_len bytes (0: none). 0, or
 * -EINVAL / -ENOSPC with the reason in err: a command line longer than
 * cmdline_size, an initrd larger than the guest's RAM or one that does not
 * fit between the kernel and the highest address it may occupy, a kernel
 * whose init_size does not fit in RAM.
 */
int bzimage_plan(const struct bzimage_info *info, uint64_t mem_size, size_t cmdline_len,
                 uint64_t initrd_len, struct bzimage_plan *plan, char *err, size_t errlen);

struct bzimage_load {
	const void *image; /* the bzImage, as parsed */
	size_t len;
	const char *cmdline; /* NULL: empty */
	const void *initrd;  /* plan->initrd_len bytes */
	uint64_t mem_size;
	uint64_t acpi_rsdp; /* guest-physical RSDP for boot_params.acpi_rsdp_addr, 0: none */
};

/*
 * Copies the protected-mode kernel and the initrd to their planned places in
 * ram (host pointer to guest-physical 0), writes the command line at
 * BZ_CMDLINE_GPA and the zero page at BZ_BOOT_PARAMS_GPA: the image's setup
 * header with code32_start, type_of_loader, vid_mode, cmd_line_ptr, the
 * ramdisk fields filled in, acpi_rsdp_addr and the e820 map of RAM and the
 * reserved low ranges. Returns the zero page's guest-physical address (ESI
 * at the 32-bit entry).
 */
uint64_t bzimage_load(const struct bzimage_info *info, const struct bzimage_plan *plan,
                      const struct bzimage_load *req, uint8_t *ram);

#endif
