/* Multiboot v1 header search and flag checks (Multiboot 0.6.96 sec. 3.1). */
#include <stdarg.h>

#include "err.h"
#include "hv/lib/format.h"
#include "hv/loader/mb1_header.h"
#include "hv/loader/mbinfo.h"
#include "le.h"

#define MB1_HEADER_MIN_SIZE 12 /* magic, flags, checksum */

static __printf(3, 4) void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		fmt_vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
}

/* The lowest required flag bit Sable does not support, or -1. */
static int unsupported_required_bit(uint32_t flags)
{
	uint32_t bad = flags & MB1_HEADER_REQUIRED & ~MB1_HEADER_SUPPORTED;

	return bad ? __builtin_ctz(bad) : -1;
}

static int check_flags(const struct mb1_header_info *h, char *err, size_t errlen)
{
	int bit = unsupported_required_bit(h->flags);

	if (h->flags & MB1_HEADER_AOUT_KLUDGE) {
		say(err, errlen,
		    "multiboot header flags 0x%x: bit 16 (a.out kludge, load addresses in the "
		    "header) is not supported; link the kernel as ELF",
		    h->flags);
		return -EOPNOTSUPP;
	}
	if (bit >= 0) {
		say(err, errlen, "multiboot header flags 0x%x: required bit %d is not supported",
		    h->flags, bit);
		return -EOPNOTSUPP;
	}
	return 0;
}

int mb1_header_find(const void *image, size_t len, struct mb1_header_info *out, char *err,
                    size_t errlen)
{
	const uint8_t *p = image;
	size_t limit = image != NULL ? MIN(len, (size_t)MB1_HEADER_SEARCH) : 0;
	bool bad_sum = false;
	uint32_t bad_off = 0, bad_total = 0;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	for (size_t off = 0; limit >= MB1_HEADER_MIN_SIZE && off <= limit - MB1_HEADER_MIN_SIZE;
	     off += MB1_HEADER_ALIGN) {
		uint32_t flags, total;

		if (le32(p + off) != MB1_HEADER_MAGIC)
			continue;
		flags = le32(p + off + 4);
		total = MB1_HEADER_MAGIC + flags + le32(p + off + 8);
		if (total != 0) {
			if (!bad_sum) {
				bad_sum = true;
				bad_off = (uint32_t)off;
				bad_total = total;
			}
			continue;
		}
		out->offset = (uint32_t)off;
		out->flags = flags;
		return check_flags(out, err, errlen);
	}
	if (bad_sum)
		say(err, errlen,
		    "multiboot header at offset 0x%x has a bad checksum (magic + flags + checksum "
		    "= 0x%x, must be 0)",
		    bad_off, bad_total);
	else
		say(err, errlen, "no multiboot header (magic 0x1BADB002) in the first 8 KiB");
	return -ENOENT;
}
