/* Unit tests for boot/efi/efi_mmap.c: UEFI memory map to multiboot2 memory map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "boot/efi/efi_mmap.h"

/* Descriptors 48 bytes apart, as firmware often reports (larger than the struct). */
#define DSZ 48

static uint8_t map[64 * DSZ];
static size_t map_len;

static void add(uint32_t type, uint64_t base, uint64_t pages, uint64_t attr)
{
	uint8_t *d = map + map_len;

	memset(d, 0xa5, DSZ); /* padding and virtual start must be ignored */
	memcpy(d, &type, 4);
	memcpy(d + 8, &base, 8);
	memcpy(d + 24, &pages, 8);
	memcpy(d + 32, &attr, 8);
	map_len += DSZ;
}

static void setup(void)
{
	map_len = 0;
}

static void test_types(void **state)
{
	assert_int_equal(efi_mmap_type(EFI_MT_CONVENTIONAL, 0), MEM_AVAILABLE);
	assert_int_equal(efi_mmap_type(EFI_MT_BOOT_CODE, 0), MEM_AVAILABLE);
	assert_int_equal(efi_mmap_type(EFI_MT_BOOT_DATA, 0), MEM_AVAILABLE);
	assert_int_equal(efi_mmap_type(EFI_MT_LOADER_CODE, 0), MEM_AVAILABLE);
	assert_int_equal(efi_mmap_type(EFI_MT_LOADER_DATA, 0), MEM_AVAILABLE);
	assert_int_equal(efi_mmap_type(EFI_MT_CONVENTIONAL, EFI_MEMORY_SP), MEM_RESERVED);
	assert_int_equal(efi_mmap_type(EFI_MT_RUNTIME_CODE, 0), MEM_RESERVED);
	assert_int_equal(efi_mmap_type(EFI_MT_RUNTIME_DATA, 0), MEM_RESERVED);
	assert_int_equal(efi_mmap_type(EFI_MT_RESERVED, 0), MEM_RESERVED);
	assert_int_equal(efi_mmap_type(EFI_MT_MMIO, 0), MEM_RESERVED);
	assert_int_equal(efi_mmap_type(EFI_MT_PERSISTENT, 0), MEM_RESERVED);
	assert_int_equal(efi_mmap_type(EFI_MT_UNACCEPTED, 0), MEM_RESERVED);
	assert_int_equal(efi_mmap_type(0x70000000, 0), MEM_RESERVED);
	assert_int_equal(efi_mmap_type(EFI_MT_UNUSABLE, 0), MEM_BADRAM);
	assert_int_equal(efi_mmap_type(EFI_MT_ACPI_RECLAIM, 0), MEM_ACPI_RECLAIMABLE);
	assert_int_equal(efi_mmap_type(EFI_MT_ACPI_NVS, 0), MEM_NVS);
}

/* An OVMF-like map, out of order: boot-services, loader and conventional memory
 * that touch become one available range; runtime data stays reserved. */
static void test_merge_and_sort(void **state)
{
	struct mem_region out[16];
	int n;

	setup();
	add(EFI_MT_CONVENTIONAL, 0x100000, 0x100, 0); /* 1 MiB .. 2 MiB */
	add(EFI_MT_BOOT_CODE, 0, 0xa0, 0);            /* 0 .. 640 KiB */
	add(EFI_MT_LOADER_DATA, 0x200000, 0x10, 0);   /* 2 MiB .. +64 KiB */
	add(EFI_MT_BOOT_DATA, 0x210000, 0x1f0, 0);    /* .. 4 MiB */
	add(EFI_MT_RUNTIME_DATA, 0x400000, 0x4, 0);   /* 16 KiB reserved */
	add(EFI_MT_CONVENTIONAL, 0x404000, 0x3c, 0);  /* .. 0x440000 */
	add(EFI_MT_ACPI_RECLAIM, 0x440000, 0x10, 0);
	add(EFI_MT_ACPI_NVS, 0x450000, 0x10, 0);
	add(EFI_MT_MMIO, 0xffc00000, 0x400, 0);
	add(EFI_MT_RESERVED, 0xa0000, 0x60, 0); /* 640 KiB .. 1 MiB */
	n = efi_mmap_convert(map, map_len, DSZ, out, 16);
	assert_int_equal(n, 8);
	assert_int_equal(out[0].base, 0);
	assert_int_equal(out[0].len, 0xa0000);
	assert_int_equal(out[0].type, MEM_AVAILABLE);
	assert_int_equal(out[1].base, 0xa0000);
	assert_int_equal(out[1].type, MEM_RESERVED);
	assert_int_equal(out[2].base, 0x100000);
	assert_int_equal(out[2].len, 0x300000);
	assert_int_equal(out[2].type, MEM_AVAILABLE);
	assert_int_equal(out[3].base, 0x400000);
	assert_int_equal(out[3].len, 0x4000);
	assert_int_equal(out[3].type, MEM_RESERVED);
	assert_int_equal(out[4].base, 0x404000);
	assert_int_equal(out[4].len, 0x3c000);
	assert_int_equal(out[5].type, MEM_ACPI_RECLAIMABLE);
	assert_int_equal(out[6].type, MEM_NVS);
	assert_int_equal(out[7].base, 0xffc00000);
	assert_int_equal(out[7].len, 0x400000);
	assert_int_equal(out[7].type, MEM_RESERVED);
}

/* An entry that fills the gap between two same-type ones joins all three. */
static void test_merge_bridges(void **state)
{
	struct mem_region out[4];

	setup();
	add(EFI_MT_CONVENTIONAL, 0x0, 0x10, 0);
	add(EFI_MT_CONVENTIONAL, 0x20000, 0x10, 0);
	add(EFI_MT_BOOT_DATA, 0x10000, 0x10, 0);
	assert_int_equal(efi_mmap_convert(map, map_len, DSZ, out, 4), 1);
	assert_int_equal(out[0].len, 0x30000);
	/* overlapping same type merges too */
	setup();
	add(EFI_MT_CONVENTIONAL, 0x0, 0x20, 0);
	add(EFI_MT_CONVENTIONAL, 0x10000, 0x20, 0);
	assert_int_equal(efi_mmap_convert(map, map_len, DSZ, out, 4), 1);
	assert_int_equal(out[0].len, 0x30000);
}

static void test_empty_and_errors(void **state)
{
	struct mem_region out[2];

	setup();
	add(EFI_MT_CONVENTIONAL, 0x1000, 0, 0); /* empty: dropped */
	assert_int_equal(efi_mmap_convert(map, map_len, DSZ, out, 2), 0);
	assert_int_equal(efi_mmap_convert(map, map_len, 36, out, 2), -EINVAL);
	assert_int_equal(efi_mmap_convert(map, map_len, 44, out, 2), -EINVAL);
	setup();
	add(EFI_MT_CONVENTIONAL, 0xfffffffffffff000ull, 2, 0); /* wraps */
	assert_int_equal(efi_mmap_convert(map, map_len, DSZ, out, 2), -EINVAL);
	setup();
	add(EFI_MT_CONVENTIONAL, 0x0, 1, 0);
	add(EFI_MT_MMIO, 0x1000, 1, 0);
	add(EFI_MT_CONVENTIONAL, 0x2000, 1, 0);
	assert_int_equal(efi_mmap_convert(map, map_len, DSZ, out, 2), -E2BIG);
	/* a trailing partial descriptor is ignored */
	assert_int_equal(efi_mmap_convert(map, 2 * DSZ + 8, DSZ, out, 2), 2);
}

/* A misaligned available base shrinks inward; misaligned reserved grows outward. */
static void test_alignment(void **state)
{
	struct mem_region out[4];

	setup();
	add(EFI_MT_CONVENTIONAL, 0x10800, 2, 0);
	add(EFI_MT_RUNTIME_CODE, 0x20800, 1, 0);
	assert_int_equal(efi_mmap_convert(map, map_len, DSZ, out, 4), 2);
	assert_int_equal(out[0].base, 0x11000);
	assert_int_equal(out[0].len, 0x1000);
	assert_int_equal(out[1].base, 0x20000);
	assert_int_equal(out[1].len, 0x2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),         cmocka_unit_test(test_merge_and_sort),
		cmocka_unit_test(test_merge_bridges), cmocka_unit_test(test_empty_and_errors),
		cmocka_unit_test(test_alignment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
