/* UEFI memory map to multiboot2 memory map (pure; see efi_mmap.h). */
#include "err.h"
#include "boot/efi/efi_mmap.h"
#include "le.h"

uint32_t efi_mmap_type(uint32_t efi_type, uint64_t attr)
{
	switch (efi_type) {
	case EFI_MT_LOADER_CODE:
	case EFI_MT_LOADER_DATA:
	case EFI_MT_BOOT_CODE:
	case EFI_MT_BOOT_DATA:
	case EFI_MT_CONVENTIONAL:
		return (attr & EFI_MEMORY_SP) ? MEM_RESERVED : MEM_AVAILABLE;
	case EFI_MT_UNUSABLE:
		return MEM_BADRAM;
	case EFI_MT_ACPI_RECLAIM:
		return MEM_ACPI_RECLAIMABLE;
	case EFI_MT_ACPI_NVS:
		return MEM_NVS;
	default: /* reserved, runtime services, MMIO, PAL, persistent, unaccepted */
		return MEM_RESERVED;
	}
}

/* Inserts r into the sorted out[0..*n), merging it with a neighbour of the same
 * type it touches; -E2BIG when a new entry is needed and there is no room. */
static int insert(struct mem_region *out, size_t *n, size_t cap, struct mem_region r)
{
	size_t i = *n;

	while (i > 0 && out[i - 1].base > r.base)
		i--;
	if (i > 0 && out[i - 1].type == r.type && out[i - 1].base + out[i - 1].len >= r.base) {
		uint64_t end = MAX(out[i - 1].base + out[i - 1].len, r.base + r.len);
		out[i - 1].len = end - out[i - 1].base;
		i--;
	} else {
		if (*n == cap)
			return -E2BIG;
		for (size_t j = *n; j > i; j--)
			out[j] = out[j - 1];
		out[i] = r;
		(*n)++;
	}
	/* the grown entry may now reach the ones after it */
	while (i + 1 < *n && out[i + 1].type == out[i].type &&
	       out[i].base + out[i].len >= out[i + 1].base) {
		uint64_t end = MAX(out[i].base + out[i].len, out[i + 1].base + out[i + 1].len);
		out[i].len = end - out[i].base;
		for (size_t j = i + 1; j + 1 < *n; j++)
			out[j] = out[j + 1];
		(*n)--;
	}
	return 0;
}

int efi_mmap_convert(const void *map, size_t map_size, size_t desc_size, struct mem_region *out,
                     size_t cap)
{
	const uint8_t *d = map;
	size_t n = 0;

	if (desc_size < EFI_MEM_DESC_MIN || desc_size % 8 != 0)
		return -EINVAL;
	for (size_t off = 0; map_size - off >= desc_size; off += desc_size) {
		uint32_t type =
			efi_mmap_type((uint32_t)le64(d + off) & 0xffffffffu, le64(d + off + 32));
		uint64_t base = le64(d + off + 8), pages = le64(d + off + 24), end;
		int r;

		if (pages > (UINT64_MAX - base) / EFI_MMAP_PAGE)
			return -EINVAL;
		end = base + pages * EFI_MMAP_PAGE;
		if (type == MEM_AVAILABLE) {
			base = ALIGN_UP(base, (uint64_t)EFI_MMAP_PAGE);
			end = ALIGN_DOWN(end, (uint64_t)EFI_MMAP_PAGE);
		} else {
			base = ALIGN_DOWN(base, (uint64_t)EFI_MMAP_PAGE);
			if (end > ALIGN_DOWN(UINT64_MAX, (uint64_t)EFI_MMAP_PAGE))
				return -EINVAL;
			end = ALIGN_UP(end, (uint64_t)EFI_MMAP_PAGE);
		}
		if (end <= base)
			continue;
		r = insert(out, &n, cap, (struct mem_region){base, end - base, type});
		if (r < 0)
			return r;
	}
	return (int)n;
}
