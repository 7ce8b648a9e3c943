/* UEFI memory map to multiboot2 memory map (pure). UEFI 2.10 sec. 7.2
 * (EFI_MEMORY_DESCRIPTOR, memory types) and the table of memory type usage
 * after ExitBootServices(). */
#ifndef SABLE_BOOT_EFI_MMAP_H
#define SABLE_BOOT_EFI_MMAP_H

#include "types.h"
#include "hv/loader/multiboot2.h"

/* EFI_MEMORY_TYPE values. */
#define EFI_MT_RESERVED        0
#define EFI_MT_LOADER_CODE     1
#define EFI_MT_LOADER_DATA     2
#define EFI_MT_BOOT_CODE       3
#define EFI_MT_BOOT_DATA       4
#define EFI_MT_RUNTIME_CODE    5
#define EFI_MT_RUNTIME_DATA    6
#define EFI_MT_CONVENTIONAL    7
#define EFI_MT_UNUSABLE        8
#define EFI_MT_ACPI_RECLAIM    9
#define EFI_MT_ACPI_NVS        10
#define EFI_MT_MMIO            11
#define EFI_MT_MMIO_PORT_SPACE 12
#define EFI_MT_PAL_CODE        13
#define EFI_MT_PERSISTENT      14
#define EFI_MT_UNACCEPTED      15

#define EFI_MEMORY_SP    BIT(18) /* specific-purpose memory: not general RAM */
#define EFI_MMAP_PAGE    4096u
#define EFI_MEM_DESC_MIN 40 /* u32 type, pad, u64 phys, virt, pages, attribute */

/* The multiboot2 (E820) type for an EFI memory type and attribute, as it is
 * after ExitBootServices: loader and boot-services memory become available. */
uint32_t efi_mmap_type(uint32_t efi_type, uint64_t attr);

/*
 * Converts the UEFI map (map_size bytes of descriptors desc_size apart, as
 * GetMemoryMap returns it) into out, sorted by base, adjacent or overlapping
 * ranges of the same type merged, available ranges shrunk to whole pages and
 * others grown to whole pages, empty ones dropped. Returns the number of
 * entries, or -EINVAL (desc_size below 40 or not a multiple of 8, or a range
 * that wraps) or -E2BIG (more than cap entries are needed).
 */
int efi_mmap_convert(const void *map, size_t map_size, size_t desc_size, struct mem_region *out,
                     size_t cap);

#endif
