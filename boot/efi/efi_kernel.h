/* Checks sable.elf before sable.efi loads it (pure): an x86-64 ELF executable
 * whose loadable segments sit below 4 GiB, with a valid multiboot2 header
 * (Multiboot2 Specification 1.0 sec. 3.1) in its first 32 KiB. */
#ifndef SABLE_BOOT_EFI_KERNEL_H
#define SABLE_BOOT_EFI_KERNEL_H

#include "types.h"

#define EFI_KERNEL_SEGS_MAX 8
#define MB2_HEADER_MAGIC    0xE85250D6u
#define MB2_HEADER_SEARCH   32768

struct efi_kernel_seg {
	uint64_t paddr, memsz;   /* where it runs */
	uint64_t offset, filesz; /* what the file holds; the rest is zeroed */
};

struct efi_kernel {
	uint64_t entry;
	struct efi_kernel_seg segs[EFI_KERNEL_SEGS_MAX];
	size_t nsegs;
};

/*
 * Checks the len bytes of file at img. Returns 0 with *k filled in, or
 * -EINVAL with *msg saying what is wrong (not ELF64 x86-64 executable, program
 * headers outside the file, a segment outside the file or above 4 GiB, the
 * entry outside every segment, no or a bad multiboot2 header, a header tag
 * that must be honoured and that this loader does not implement).
 */
int efi_kernel_check(const void *img, size_t len, struct efi_kernel *k, const char **msg);

#endif
