/* The multiboot v1 header of a guest kernel image: search and flag checks (pure).
 * Spec: Multiboot Specification 0.6.96, sec. 3.1.1-3.1.3. */
#ifndef SABLE_HV_MB1_HEADER_H
#define SABLE_HV_MB1_HEADER_H

#include "types.h"

/* The header flags Sable honours: modules are always page-aligned (bit 0),
 * mem_* and the memory map are always given (bit 1), and a video mode request
 * (bit 2) is accepted without video information, as there is no display. */
#define MB1_HEADER_SUPPORTED (BIT(0) | BIT(1) | BIT(2))

struct mb1_header_info {
	uint32_t offset; /* file offset of the header */
	uint32_t flags;
};

/*
 * Finds the first valid multiboot v1 header of image[0..len): magic
 * 0x1BADB002 at a 4-byte aligned offset, all 12 bytes inside the first
 * 8192 bytes, magic + flags + checksum == 0 (mod 2^32); a magic whose checksum
 * does not match is skipped. Then checks its flags: the a.out kludge (bit 16)
 * and required bits (0-15) outside MB1_HEADER_SUPPORTED are refused.
 * Returns 0, -ENOENT when there is no valid header, -EOPNOTSUPP for a flag
 * Sable does not support, with a one-line reason in err (errlen bytes, always
 * NUL-terminated when errlen > 0). Never reads outside image[0..len).
 */
int mb1_header_find(const void *image, size_t len, struct mb1_header_info *out, char *err,
                    size_t errlen);

#endif
