/* sable.elf checks before loading (pure; see efi_kernel.h). ELF-64 Object File
 * Format 1.5: header and program header layout. */
#include "err.h"
#include "boot/efi/efi_kernel.h"
#include "le.h"

#define ELF_HDR_SIZE     64
#define ELF_PHDR_SIZE    56
#define ET_EXEC          2
#define EM_X86_64        62
#define PT_LOAD          1
#define MB2_ARCH_I386    0
#define MB2_TAG_OPTIONAL 1 /* flags bit 0 */

/* Header tags this loader honours or may ignore (sec. 3.1.3 onwards). */
#define MB2_HTAG_END          0
#define MB2_HTAG_INFO_REQ     1
#define MB2_HTAG_FLAGS        4
#define MB2_HTAG_FRAMEBUFFER  5
#define MB2_HTAG_MODULE_ALIGN 6

/* Checks the header's tags; hlen bytes at h, already inside the file. */
static int check_header_tags(const uint8_t *h, uint32_t hlen, const char **msg)
{
	for (uint32_t off = 16; hlen - off >= 8;) {
		uint16_t type = le16(h + off), flags = le16(h + off + 2);
		uint32_t size = le32(h + off + 4);

		if (size < 8 || size > hlen - off) {
			*msg = "multiboot2 header tag runs past the header";
			return -EINVAL;
		}
		if (type == MB2_HTAG_END)
			return 0;
		if (type != MB2_HTAG_INFO_REQ && type != MB2_HTAG_FLAGS &&
		    type != MB2_HTAG_FRAMEBUFFER && type != MB2_HTAG_MODULE_ALIGN &&
		    !(flags & MB2_TAG_OPTIONAL)) {
			*msg = "multiboot2 header requires a tag sable.efi does not implement";
			return -EINVAL;
		}
		off += ALIGN_UP(size, 8u);
		if (off > hlen)
			break;
	}
	*msg = "multiboot2 header has no end tag";
	return -EINVAL;
}

/* Finds and checks the multiboot2 header in the first 32 KiB. */
static int check_mb2_header(const uint8_t *img, size_t len, const char **msg)
{
	size_t lim = MIN(len, (size_t)MB2_HEADER_SEARCH);

	for (size_t off = 0; off + 16 <= lim; off += 8) {
		uint32_t magic = le32(img + off), arch, hlen, sum;

		if (magic != MB2_HEADER_MAGIC)
			continue;
		arch = le32(img + off + 4);
		hlen = le32(img + off + 8);
		sum = magic + arch + hlen + le32(img + off + 12);
		if (sum != 0) {
			*msg = "multiboot2 header checksum is wrong";
			return -EINVAL;
		}
		if (arch != MB2_ARCH_I386) {
			*msg = "multiboot2 header is not for i386";
			return -EINVAL;
		}
		if (hlen < 16 || hlen > len - off) {
			*msg = "multiboot2 header length is out of the file";
			return -EINVAL;
		}
		return check_header_tags(img + off, hlen, msg);
	}
	*msg = "no multiboot2 header in the first 32 KiB";
	return -EINVAL;
}

int efi_kernel_check(const void *img, size_t len, struct efi_kernel *k, const char **msg)
{
	const uint8_t *p = img;
	uint64_t phoff;
	uint16_t phentsize, phnum;
	bool entry_ok = false;

	k->nsegs = 0;
	if (len < ELF_HDR_SIZE || p[0] != 0x7f || p[1] != 'E' || p[2] != 'L' || p[3] != 'F') {
		*msg = "not an ELF file";
		return -EINVAL;
	}
	if (p[4] != 2 || p[5] != 1 || le16(p + 16) != ET_EXEC || le16(p + 18) != EM_X86_64) {
		*msg = "not an x86-64 ELF64 executable";
		return -EINVAL;
	}
	k->entry = le64(p + 24);
	phoff = le64(p + 32);
	phentsize = le16(p + 54);
	phnum = le16(p + 56);
	if (phentsize < ELF_PHDR_SIZE || phoff > len || phnum > (len - phoff) / phentsize) {
		*msg = "program headers lie outside the file";
		return -EINVAL;
	}
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = p + phoff + (size_t)i * phentsize;
		struct efi_kernel_seg s;

		if (le32(ph) != PT_LOAD)
			continue;
		s.offset = le64(ph + 8);
		s.paddr = le64(ph + 24);
		s.filesz = le64(ph + 32);
		s.memsz = le64(ph + 40);
		if (s.memsz == 0)
			continue;
		if (s.filesz > s.memsz || s.offset > len || s.filesz > len - s.offset) {
			*msg = "a loadable segment lies outside the file";
			return -EINVAL;
		}
		if (s.paddr >= BIT(32) || s.memsz > BIT(32) - s.paddr) {
			*msg = "a loadable segment lies above 4 GiB";
			return -EINVAL;
		}
		if (k->nsegs == EFI_KERNEL_SEGS_MAX) {
			*msg = "more than 8 loadable segments";
			return -EINVAL;
		}
		if (k->entry >= s.paddr && k->entry < s.paddr + s.memsz)
			entry_ok = true;
		k->segs[k->nsegs++] = s;
	}
	if (k->nsegs == 0) {
		*msg = "no loadable segment";
		return -EINVAL;
	}
	if (!entry_ok) {
		*msg = "entry point outside the loadable segments";
		return -EINVAL;
	}
	return check_mb2_header(p, len, msg);
}
