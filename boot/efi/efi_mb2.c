/* The multiboot2 boot information builder (pure; see efi_mb2.h). */
#include "err.h"
#include "boot/efi/efi_mb2.h"

struct out {
	uint8_t *b;
	size_t len, cap;
	bool full;
};

static void put(struct out *o, const void *src, size_t n)
{
	const uint8_t *s = src;

	if (o->full || n > o->cap - o->len) {
		o->full = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		o->b[o->len + i] = s[i];
	o->len += n;
}

static void put32(struct out *o, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	put(o, b, sizeof(b));
}

static void put64(struct out *o, uint64_t v)
{
	put32(o, (uint32_t)v);
	put32(o, (uint32_t)(v >> 32));
}

static void put8(struct out *o, uint8_t v)
{
	put(o, &v, 1);
}

/* Writes a tag header for a tag of size bytes; returns its offset. */
static size_t tag_begin(struct out *o, uint32_t type, uint32_t size)
{
	size_t at = o->len;

	put32(o, type);
	put32(o, size);
	return at;
}

/* Pads to the next 8-byte boundary (tags start 8-aligned). */
static void tag_end(struct out *o)
{
	static const uint8_t zero[8];

	put(o, zero, ALIGN_UP(o->len, (size_t)8) - o->len);
}

static size_t str_size(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n + 1;
}

static void string_tag(struct out *o, uint32_t type, const char *s)
{
	size_t n = str_size(s);

	tag_begin(o, type, (uint32_t)(8 + n));
	put(o, s, n);
	tag_end(o);
}

int efi_mb2_build(const struct efi_mb2_input *in, void *buf, size_t cap)
{
	struct out o = {buf, 0, cap, false};
	uint32_t lower_kb = 0, upper_kb = 0;

	for (size_t i = 0; i < in->nmodules; i++) {
		if (in->modules[i].end > BIT(32) || in->modules[i].end < in->modules[i].start)
			return -EINVAL;
	}
	put32(&o, 0); /* total_size, filled in last */
	put32(&o, 0);
	string_tag(&o, MB2_TAG_CMDLINE, in->cmdline ? in->cmdline : "");
	string_tag(&o, MB2_TAG_LOADER_NAME,
	           in->loader_name ? in->loader_name : EFI_MB2_LOADER_NAME);
	for (size_t i = 0; i < in->nmodules; i++) {
		const char *s = in->modules[i].string ? in->modules[i].string : "";
		size_t n = str_size(s);

		tag_begin(&o, MB2_TAG_MODULE, (uint32_t)(16 + n));
		put32(&o, (uint32_t)in->modules[i].start);
		put32(&o, (uint32_t)in->modules[i].end);
		put(&o, s, n);
		tag_end(&o);
	}
	for (size_t i = 0; i < in->nmmap; i++) {
		const struct mem_region *r = &in->mmap[i];

		if (r->type == MEM_AVAILABLE && r->base == 0)
			lower_kb = (uint32_t)(MIN(r->len, KiB(640)) >> 10);
	}
	{
		uint64_t upper_end = MiB(1);
		bool grew = true;

		while (grew) {
			grew = false;
			for (size_t i = 0; i < in->nmmap; i++) {
				const struct mem_region *r = &in->mmap[i];

				if (r->type == MEM_AVAILABLE && r->base <= upper_end &&
				    r->base + r->len > upper_end) {
					upper_end = r->base + r->len;
					grew = true;
				}
			}
		}
		upper_kb = (uint32_t)((MIN(upper_end, GiB(4)) - MiB(1)) >> 10);
	}
	tag_begin(&o, MB2_TAG_BASIC_MEMINFO, 16);
	put32(&o, lower_kb);
	put32(&o, upper_kb);
	tag_begin(&o, MB2_TAG_MMAP, (uint32_t)(16 + 24 * in->nmmap));
	put32(&o, 24); /* entry_size */
	put32(&o, 0);  /* entry_version */
	for (size_t i = 0; i < in->nmmap; i++) {
		put64(&o, in->mmap[i].base);
		put64(&o, in->mmap[i].len);
		put32(&o, in->mmap[i].type);
		put32(&o, 0);
	}
	if (in->fb) {
		tag_begin(&o, MB2_TAG_FRAMEBUFFER, 38);
		put64(&o, in->fb->addr);
		put32(&o, in->fb->pitch);
		put32(&o, in->fb->width);
		put32(&o, in->fb->height);
		put8(&o, in->fb->bpp);
		put8(&o, 1); /* direct RGB colour */
		put8(&o, 0); /* u16 reserved */
		put8(&o, 0);
		put8(&o, in->fb->red_pos);
		put8(&o, in->fb->red_size);
		put8(&o, in->fb->green_pos);
		put8(&o, in->fb->green_size);
		put8(&o, in->fb->blue_pos);
		put8(&o, in->fb->blue_size);
		tag_end(&o);
	}
	if (in->efi_system_table) {
		tag_begin(&o, MB2_TAG_EFI64, 16);
		put64(&o, in->efi_system_table);
	}
	if (in->rsdp_new) {
		tag_begin(&o, MB2_TAG_ACPI_NEW, (uint32_t)(8 + in->rsdp_new_len));
		put(&o, in->rsdp_new, in->rsdp_new_len);
		tag_end(&o);
	}
	if (in->rsdp_old) {
		tag_begin(&o, MB2_TAG_ACPI_OLD, 8 + RSDP_V1_LEN);
		put(&o, in->rsdp_old, RSDP_V1_LEN);
		tag_end(&o);
	}
	tag_begin(&o, MB2_TAG_END, 8);
	if (o.full || o.len > UINT32_MAX)
		return -E2BIG;
	{
		size_t total = o.len;

		o.len = 0;
		put32(&o, (uint32_t)total);
		return (int)total;
	}
}

int efi_rsdp_check(const void *rsdp, size_t avail, bool want_v2)
{
	static const char sig[8] = {'R', 'S', 'D', ' ', 'P', 'T', 'R', ' '};
	const uint8_t *p = rsdp;
	uint8_t sum = 0;
	uint32_t len;

	if (p == NULL || avail < RSDP_V1_LEN)
		return -EINVAL;
	for (int i = 0; i < 8; i++) {
		if (p[i] != (uint8_t)sig[i])
			return -EINVAL;
	}
	for (int i = 0; i < RSDP_V1_LEN; i++)
		sum = (uint8_t)(sum + p[i]);
	if (sum != 0)
		return -EINVAL;
	if (!want_v2)
		return RSDP_V1_LEN;
	if (p[15] < 2 || avail < RSDP_V2_LEN)
		return -EINVAL;
	len = (uint32_t)p[20] | (uint32_t)p[21] << 8 | (uint32_t)p[22] << 16 |
	      (uint32_t)p[23] << 24;
	if (len < RSDP_V2_LEN || len > avail || len > 256)
		return -EINVAL;
	sum = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0 ? (int)len : -EINVAL;
}
