/* SPDX-License-Identifier: MIT */
/*
 * Sable guest library: Multiboot (v1, spec 0.6.96) boot information as the
 * boot loader (QEMU -kernel, GRUB, or the Sable hypervisor) hands it over.
 */
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_HEADER_MAGIC     0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

/* multiboot_info.flags bits: which fields are valid. */
#define MBI_FLAG_MEM     (1u << 0) /* mem_lower, mem_upper */
#define MBI_FLAG_BOOTDEV (1u << 1) /* boot_device */
#define MBI_FLAG_CMDLINE (1u << 2) /* cmdline */
#define MBI_FLAG_MODS    (1u << 3) /* mods_count, mods_addr */
#define MBI_FLAG_AOUT    (1u << 4)
#define MBI_FLAG_ELF     (1u << 5)
#define MBI_FLAG_MMAP    (1u << 6) /* mmap_length, mmap_addr */
#define MBI_FLAG_DRIVES  (1u << 7)
#define MBI_FLAG_CONFIG  (1u << 8)
#define MBI_FLAG_LOADER  (1u << 9) /* boot_loader_name */

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB of memory below 1 MiB */
	uint32_t mem_upper; /* KiB of memory from 1 MiB to the first hole */
	uint32_t boot_device;
	uint32_t cmdline; /* physical address of a NUL-terminated string */
	uint32_t mods_count;
	uint32_t mods_addr; /* physical address of struct multiboot_module[] */
	uint32_t syms[4];
	uint32_t mmap_length; /* bytes of the memory map */
	uint32_t mmap_addr;   /* physical address of the first struct multiboot_mmap_entry */
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
} __attribute__((packed));

struct multiboot_module {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t string;
	uint32_t reserved;
} __attribute__((packed));

/* One memory map entry; "size" counts the bytes after itself (normally 20). */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

#define MULTIBOOT_MEMORY_AVAILABLE 1
#define MULTIBOOT_MEMORY_RESERVED  2

/* First memory map entry of mbi (MBI_FLAG_MMAP must be set). */
static inline const struct multiboot_mmap_entry *mmap_first(const struct multiboot_info *mbi)
{
	return (const struct multiboot_mmap_entry *)(uintptr_t)mbi->mmap_addr;
}

/* True while e still lies inside mbi's memory map. */
static inline int mmap_valid(const struct multiboot_mmap_entry *e, const struct multiboot_info *mbi)
{
	return (uintptr_t)e + sizeof(*e) <= (uintptr_t)mbi->mmap_addr + mbi->mmap_length;
}

/* The entry after e ("size" does not count itself). */
static inline const struct multiboot_mmap_entry *mmap_next(const struct multiboot_mmap_entry *e)
{
	return (const struct multiboot_mmap_entry *)((uintptr_t)e + e->size + sizeof(e->size));
}

#endif
