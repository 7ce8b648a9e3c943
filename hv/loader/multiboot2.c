/* Multiboot2 boot information parser (Multiboot2 Specification 1.0, sec. 3.6). */
#include "err.h"
#include "param.h"
#include "types.h"
#include "hv/loader/multiboot2.h"
#include "le.h"

#define MB2_INFO_HDR       8 /* u32 total_size, u32 reserved */
#define MB2_TAG_HDR        8 /* u32 type, u32 size */
#define MB2_TAG_ALIGN      8
#define MB2_MODULE_HDR     16 /* tag header, u32 mod_start, u32 mod_end */
#define MB2_MEMINFO_SIZE   16 /* tag header, u32 mem_lower, u32 mem_upper */
#define MB2_MMAP_HDR       16 /* tag header, u32 entry_size, u32 entry_version */
#define MB2_MMAP_ENTRY_MIN 24 /* u64 base_addr, u64 length, u32 type, u32 reserved */
#define MB2_FB_HDR         32 /* tag header, u64 addr, u32 pitch/width/height, u8 bpp/type, u16 */
#define MB2_FB_RGB_SIZE    38 /* then u8 position and mask size of red, green, blue */

/* One tag: its type and the bytes it covers, header included. */
struct mb2_tag {
	uint32_t type;
	const uint8_t *p;
	size_t size;
};

/* True if s[0..len) contains a NUL, i.e. s is a terminated string inside it. */
static bool has_nul(const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\0')
			return true;
	}
	return false;
}

/* Returns the string that fills the tag after hdr bytes, or NULL if the tag is
 * shorter than hdr or the string is not NUL-terminated inside it. */
static const char *tag_string(const struct mb2_tag *t, size_t hdr)
{
	if (t->size < hdr || !has_nul(t->p + hdr, t->size - hdr))
		return NULL;
	return (const char *)(t->p + hdr);
}

/* Records a module tag; modules beyond MAX_BOOT_MODULES are only counted. */
static int parse_module(const struct mb2_tag *t, struct mb2_info *out)
{
	const char *cmdline = tag_string(t, MB2_MODULE_HDR);
	uint32_t start, end;

	if (cmdline == NULL)
		return -EINVAL;
	start = le32(t->p + 8);
	end = le32(t->p + 12);
	if (end < start)
		return -EINVAL;
	if (out->module_count >= MAX_BOOT_MODULES) {
		out->modules_dropped++;
		return 0;
	}
	out->modules[out->module_count].start = start;
	out->modules[out->module_count].end = end;
	out->modules[out->module_count].cmdline = cmdline;
	out->module_count++;
	return 0;
}

/* Records the basic memory information tag. */
static int parse_meminfo(const struct mb2_tag *t, struct mb2_info *out)
{
	if (t->size < MB2_MEMINFO_SIZE)
		return -EINVAL;
	out->have_meminfo = true;
	out->mem_lower_kb = le32(t->p + 8);
	out->mem_upper_kb = le32(t->p + 12);
	return 0;
}

/* Records the memory-map entries, honoring the tag's entry_size; entries beyond
 * MAX_MEM_REGIONS are only counted. The entries must fill the tag exactly. */
static int parse_mmap(const struct mb2_tag *t, struct mb2_info *out)
{
	uint32_t esize;
	const uint8_t *e;

	if (t->size < MB2_MMAP_HDR)
		return -EINVAL;
	esize = le32(t->p + 8);
	if (esize < MB2_MMAP_ENTRY_MIN || esize % 8 != 0 || (t->size - MB2_MMAP_HDR) % esize != 0)
		return -EINVAL;
	for (e = t->p + MB2_MMAP_HDR; e < t->p + t->size; e += esize) {
		if (out->mmap_count >= MAX_MEM_REGIONS) {
			out->mmap_dropped++;
			continue;
		}
		out->mmap[out->mmap_count].base = le64(e);
		out->mmap[out->mmap_count].len = le64(e + 8);
		out->mmap[out->mmap_count].type = le32(e + 16);
		out->mmap_count++;
	}
	return 0;
}

/* Records an ACPI RSDP copy; a 2.0+ RSDP is kept over a 1.0 one. */
static int parse_acpi(const struct mb2_tag *t, struct mb2_info *out)
{
	bool is_new = t->type == MB2_TAG_ACPI_NEW;

	if (out->rsdp_new && !is_new)
		return 0;
	out->rsdp = t->p + MB2_TAG_HDR;
	out->rsdp_len = t->size - MB2_TAG_HDR;
	out->rsdp_new = is_new;
	return 0;
}

/* Records the framebuffer tag; the colour fields are read for a direct-RGB one only. */
static int parse_framebuffer(const struct mb2_tag *t, struct mb2_info *out)
{
	struct mb2_framebuffer *fb = &out->fb;

	if (t->size < MB2_FB_HDR)
		return -EINVAL;
	fb->addr = le64(t->p + 8);
	fb->pitch = le32(t->p + 16);
	fb->width = le32(t->p + 20);
	fb->height = le32(t->p + 24);
	fb->bpp = t->p[28];
	fb->type = t->p[29];
	if (fb->type == MB2_FB_RGB) {
		if (t->size < MB2_FB_RGB_SIZE)
			return -EINVAL;
		fb->red_pos = t->p[32];
		fb->red_size = t->p[33];
		fb->green_pos = t->p[34];
		fb->green_size = t->p[35];
		fb->blue_pos = t->p[36];
		fb->blue_size = t->p[37];
	}
	out->have_fb = true;
	return 0;
}

/* Records one tag's information; unknown tags are ignored. */
static int parse_tag(const struct mb2_tag *t, struct mb2_info *out)
{
	switch (t->type) {
	case MB2_TAG_CMDLINE:
		out->cmdline = tag_string(t, MB2_TAG_HDR);
		return out->cmdline ? 0 : -EINVAL;
	case MB2_TAG_LOADER_NAME:
		out->loader_name = tag_string(t, MB2_TAG_HDR);
		return out->loader_name ? 0 : -EINVAL;
	case MB2_TAG_MODULE:
		return parse_module(t, out);
	case MB2_TAG_BASIC_MEMINFO:
		return parse_meminfo(t, out);
	case MB2_TAG_MMAP:
		return parse_mmap(t, out);
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		return parse_acpi(t, out);
	case MB2_TAG_FRAMEBUFFER:
		return parse_framebuffer(t, out);
	case MB2_TAG_EFI64:
		out->efi64 = true;
		return 0;
	default:
		return 0;
	}
}

/* Resets every field that mb2_parse fills in. */
static void info_init(struct mb2_info *out)
{
	out->total_size = 0;
	out->cmdline = NULL;
	out->loader_name = NULL;
	out->have_meminfo = false;
	out->mem_lower_kb = 0;
	out->mem_upper_kb = 0;
	out->mmap_count = 0;
	out->mmap_dropped = 0;
	out->module_count = 0;
	out->modules_dropped = 0;
	out->rsdp = NULL;
	out->rsdp_len = 0;
	out->rsdp_new = false;
	out->have_fb = false;
	out->fb = (struct mb2_framebuffer){0};
	out->efi64 = false;
}

int mb2_parse(const void *mbi, size_t avail, struct mb2_info *out)
{
	const uint8_t *base = mbi;
	struct mb2_tag t;
	size_t total, off;
	int ret;

	info_init(out);
	if (mbi == NULL || (uintptr_t)mbi % MB2_TAG_ALIGN != 0 || avail < 2 * MB2_INFO_HDR)
		return -EINVAL;
	total = le32(base);
	if (total < 2 * MB2_INFO_HDR || total > avail)
		return -EINVAL;
	out->total_size = (uint32_t)total;
	for (off = MB2_INFO_HDR; total - off >= MB2_TAG_HDR;
	     off += ALIGN_UP(t.size, MB2_TAG_ALIGN)) {
		t.p = base + off;
		t.type = le32(t.p);
		t.size = le32(t.p + 4);
		if (t.size < MB2_TAG_HDR || t.size > total - off)
			return -EINVAL;
		if (t.type == MB2_TAG_END)
			return 0;
		ret = parse_tag(&t, out);
		if (ret < 0)
			return ret;
		if (ALIGN_UP(t.size, MB2_TAG_ALIGN) > total - off)
			break;
	}
	return -EINVAL;
}
