/* Multiboot v1 definitions and the boot information builder for guests (pure).
 * Spec: Multiboot Specification 0.6.96, sec. 3.1 (header) and 3.3 (information). */
#ifndef SABLE_HV_MBINFO_H
#define SABLE_HV_MBINFO_H

#include "types.h"

/* OS image header (sec. 3.1). */
#define MB1_HEADER_MAGIC       0x1BADB002u
#define MB1_HEADER_SEARCH      8192 /* the header lies within the first 8 KiB */
#define MB1_HEADER_ALIGN       4
#define MB1_HEADER_PAGE_ALIGN  BIT(0)      /* align modules on 4 KiB pages */
#define MB1_HEADER_MEMORY_INFO BIT(1)      /* mem_* and mmap_* must be provided */
#define MB1_HEADER_VIDEO_MODE  BIT(2)      /* video mode table must be provided */
#define MB1_HEADER_AOUT_KLUDGE BIT(16)     /* load addresses are in the header */
#define MB1_HEADER_REQUIRED    0x0000ffffu /* bits a loader must understand */

struct mb1_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum;
	uint32_t header_addr; /* a.out kludge fields, valid with flag bit 16 */
	uint32_t load_addr;
	uint32_t load_end_addr;
	uint32_t bss_end_addr;
	uint32_t entry_addr;
	uint32_t mode_type; /* video mode fields, valid with flag bit 2 */
	uint32_t width;
	uint32_t height;
	uint32_t depth;
} __packed;
_Static_assert(sizeof(struct mb1_header) == 48, "multiboot v1 header layout");

/* EAX at the kernel's entry point. */
#define MB1_BOOTLOADER_MAGIC 0x2BADB002u

/* Information structure flags (sec. 3.3). */
#define MB1_INFO_MEMORY           BIT(0)
#define MB1_INFO_BOOTDEV          BIT(1)
#define MB1_INFO_CMDLINE          BIT(2)
#define MB1_INFO_MODS             BIT(3)
#define MB1_INFO_AOUT_SYMS        BIT(4)
#define MB1_INFO_ELF_SHDR         BIT(5)
#define MB1_INFO_MEM_MAP          BIT(6)
#define MB1_INFO_DRIVE_INFO       BIT(7)
#define MB1_INFO_CONFIG_TABLE     BIT(8)
#define MB1_INFO_BOOT_LOADER_NAME BIT(9)
#define MB1_INFO_APM_TABLE        BIT(10)
#define MB1_INFO_VBE_INFO         BIT(11)
#define MB1_INFO_FRAMEBUFFER_INFO BIT(12)

/* Memory map entry types. */
#define MB1_MEMORY_AVAILABLE 1
#define MB1_MEMORY_RESERVED  2

struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB of lower memory, from 0 */
	uint32_t mem_upper; /* KiB of upper memory, from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4]; /* a.out symbol table or ELF section header table */
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;
	uint8_t color_info[6];
} __packed;
_Static_assert(sizeof(struct mb1_info) == 116, "multiboot v1 info layout");

/* mmap_addr points at the size field; size excludes the size field itself. */
struct mb1_mmap_entry {
	uint32_t size;
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
} __packed;
_Static_assert(sizeof(struct mb1_mmap_entry) == 24, "multiboot v1 mmap entry layout");

/* mod_end is exclusive. */
struct mb1_module {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t string;
	uint32_t reserved;
} __packed;
_Static_assert(sizeof(struct mb1_module) == 16, "multiboot v1 module layout");

/* The legacy holes left out of the guest's RAM in the memory map. */
#define MBINFO_EBDA_START 0x9FC00ull
#define MBINFO_BIOS_START 0xF0000ull
#define MBINFO_HIGH_START 0x100000ull

#define MBINFO_MAX_MODULES 8

struct mbinfo_module {
	const void *data;
	uint64_t len;
	const char *cmdline; /* NULL = empty string */
};

struct mbinfo_request {
	uint64_t mem_size;       /* guest RAM bytes, RAM is [0, mem_size) except the legacy holes */
	const char *cmdline;     /* NULL = none */
	const char *loader_name; /* e.g. "Sable", NULL = none */
	const struct mbinfo_module *mods;
	size_t nmods;
	uint64_t place_gpa; /* where to start placing (page aligned, e.g. after the kernel) */
};

struct mbinfo_result {
	uint32_t info_gpa; /* EBX at the kernel's entry point */
	uint64_t end_gpa;  /* first free byte after everything placed */
};

/*
 * Writes the info structure, memory map, strings, module list and module
 * contents (each module page-aligned) into ram[0..mem_size) starting at
 * place_gpa. Returns 0, -ENOSPC if it does not fit below mem_size (or below
 * 4 GiB, since all fields are 32-bit, or below the EBDA when placed in low
 * memory), -EINVAL for bad requests: more than MBINFO_MAX_MODULES modules, a
 * module with NULL data and a non-zero length, mem_size not above 1 MiB,
 * place_gpa zero, unaligned or in the page-rounded hole [0x9F000, 0x100000).
 * Nothing is written unless it returns 0.
 */
int mbinfo_build(const struct mbinfo_request *req, uint8_t *ram, struct mbinfo_result *res);

#endif
