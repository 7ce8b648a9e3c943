/* Unit tests for hv/multiboot2.c: boot information images built in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "param.h"
#include "hv/loader/multiboot2.h"

#define IMG_MAX 16384

/* A boot information image under construction; len is 8-aligned between tags. */
struct img {
	uint8_t b[IMG_MAX];
	size_t len;
};

/* Writes a little-endian u32 at off (the host is x86-64). */
static void put32(struct img *im, size_t off, uint32_t v)
{
	memcpy(im->b + off, &v, sizeof(v));
}

/* Starts an image: header with total_size still 0. */
static void img_init(struct img *im)
{
	memset(im->b, 0, sizeof(im->b));
	im->len = 8;
}

/* Appends a tag whose size field is size, followed by n payload bytes, and pads
 * the image to 8 bytes; returns the tag's offset. */
static size_t add_raw(struct img *im, uint32_t type, uint32_t size, const void *payload, size_t n)
{
	size_t off = im->len;

	assert_true(off + 8 + n + 8 <= IMG_MAX);
	put32(im, off, type);
	put32(im, off + 4, size);
	if (n > 0)
		memcpy(im->b + off + 8, payload, n);
	im->len = (off + 8 + n + 7) & ~(size_t)7;
	return off;
}

/* Appends a well-formed tag holding n payload bytes; returns its offset. */
static size_t add_tag(struct img *im, uint32_t type, const void *payload, size_t n)
{
	return add_raw(im, type, (uint32_t)(8 + n), payload, n);
}

/* Appends a string tag (cmdline or loader name) with its NUL; returns its offset. */
static size_t add_string(struct img *im, uint32_t type, const char *s)
{
	return add_tag(im, type, s, strlen(s) + 1);
}

/* Appends a module tag; returns its offset. */
static size_t add_module(struct img *im, uint32_t start, uint32_t end, const char *cmdline)
{
	uint8_t p[256];
	size_t n = strlen(cmdline) + 1;

	assert_true(8 + n <= sizeof(p));
	memcpy(p, &start, 4);
	memcpy(p + 4, &end, 4);
	memcpy(p + 8, cmdline, n);
	return add_tag(im, MB2_TAG_MODULE, p, 8 + n);
}

/* Appends a basic memory information tag; returns its offset. */
static size_t add_meminfo(struct img *im, uint32_t lower, uint32_t upper)
{
	uint32_t p[2] = {lower, upper};

	return add_tag(im, MB2_TAG_BASIC_MEMINFO, p, sizeof(p));
}

/* Appends an mmap tag of n entries of entry_size bytes; bytes of an entry past
 * the standard 24 are filled with 0xee. Returns the tag's offset. */
static size_t add_mmap(struct img *im, uint32_t entry_size, const struct mem_region *r, size_t n)
{
	size_t len = 8 + n * entry_size;
	uint8_t *p = calloc(1, len);
	uint32_t version = 0;
	size_t off;

	assert_non_null(p);
	memcpy(p, &entry_size, 4);
	memcpy(p + 4, &version, 4);
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = p + 8 + i * entry_size;

		memset(e, 0xee, entry_size);
		memcpy(e, &r[i].base, 8);
		memcpy(e + 8, &r[i].len, 8);
		memcpy(e + 16, &r[i].type, 4);
		memset(e + 20, 0, 4);
	}
	off = add_tag(im, MB2_TAG_MMAP, p, len);
	free(p);
	return off;
}

/* Appends the end tag and stores total_size. */
static void img_finish(struct img *im)
{
	add_tag(im, MB2_TAG_END, NULL, 0);
	put32(im, 0, (uint32_t)im->len);
}

/* Copies the image into a heap block of exactly avail bytes (the copy stops at
 * avail), so ASan flags any read past avail. */
static uint8_t *place(const struct img *im, size_t avail)
{
	uint8_t *blk = malloc(avail ? avail : 1);

	assert_non_null(blk);
	memcpy(blk, im->b, avail < im->len ? avail : im->len);
	return blk;
}

/* Parses the image from an exact-size heap copy and returns mb2_parse's result;
 * the copy is freed, so only counts and scalars of *out may be used. */
static int parse_len(const struct img *im, size_t avail, struct mb2_info *out)
{
	uint8_t *blk = place(im, avail);
	int ret = mb2_parse(blk, avail, out);

	assert_true(out->mmap_count <= MAX_MEM_REGIONS);
	assert_true(out->module_count <= MAX_BOOT_MODULES);
	free(blk);
	return ret;
}

/* parse_len for the whole image. */
static int parse_img(const struct img *im, struct mb2_info *out)
{
	return parse_len(im, im->len, out);
}

/* Fills an mb2_info with junk, so tests see what mb2_parse sets. */
static void junk_info(struct mb2_info *info)
{
	memset(info, 0xa5, sizeof(*info));
}

static void test_only_end_tag(void **state)
{
	struct img im;
	struct mb2_info info;

	img_init(&im);
	img_finish(&im);
	junk_info(&info);
	assert_int_equal(parse_img(&im, &info), 0);
	assert_int_equal(info.total_size, 16);
	assert_null(info.cmdline);
	assert_null(info.loader_name);
	assert_false(info.have_meminfo);
	assert_int_equal(info.mmap_count, 0);
	assert_int_equal(info.mmap_dropped, 0);
	assert_int_equal(info.module_count, 0);
	assert_int_equal(info.modules_dropped, 0);
	assert_null(info.rsdp);
	assert_int_equal(info.rsdp_len, 0);
	assert_false(info.rsdp_new);
}

static void test_full_image(void **state)
{
	static const struct mem_region map[] = {
		{0x0, 0x9fc00, MEM_AVAILABLE},         {0x9fc00, 0x400, MEM_RESERVED},
		{0x100000, 0x7fee0000, MEM_AVAILABLE}, {0x7ffe0000, 0x20000, MEM_ACPI_RECLAIMABLE},
		{0xfffc0000, 0x40000, MEM_NVS},        {0x100000000ull, 0x180000000ull, MEM_BADRAM},
	};
	static const uint8_t odd[5] = {1, 2, 3, 4, 5};
	uint8_t rsdp[20];
	struct img im;
	struct mb2_info info;
	size_t cmd, name, mod0, mod1, acpi;
	uint8_t *blk;

	memset(rsdp, 0x42, sizeof(rsdp));
	img_init(&im);
	cmd = add_string(&im, MB2_TAG_CMDLINE, "loglevel=debug vm=linux");
	add_tag(&im, 0x1234, odd, sizeof(odd));
	name = add_string(&im, MB2_TAG_LOADER_NAME, "GRUB 2.06");
	add_meminfo(&im, 639, 2096000);
	add_mmap(&im, 24, map, 6);
	add_tag(&im, MB2_TAG_LOAD_BASE_ADDR, odd, 4);
	mod0 = add_module(&im, 0x200000, 0x280000, "linux console=ttyS0");
	mod1 = add_module(&im, 0x300000, 0x300000, "");
	acpi = add_tag(&im, MB2_TAG_ACPI_OLD, rsdp, sizeof(rsdp));
	add_tag(&im, 99, NULL, 0);
	img_finish(&im);

	blk = place(&im, im.len);
	junk_info(&info);
	assert_int_equal(mb2_parse(blk, im.len, &info), 0);
	assert_int_equal(info.total_size, im.len);
	assert_ptr_equal(info.cmdline, blk + cmd + 8);
	assert_string_equal(info.cmdline, "loglevel=debug vm=linux");
	assert_ptr_equal(info.loader_name, blk + name + 8);
	assert_string_equal(info.loader_name, "GRUB 2.06");
	assert_true(info.have_meminfo);
	assert_int_equal(info.mem_lower_kb, 639);
	assert_int_equal(info.mem_upper_kb, 2096000);
	assert_int_equal(info.mmap_count, 6);
	assert_int_equal(info.mmap_dropped, 0);
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(info.mmap[i].base, map[i].base);
		assert_int_equal(info.mmap[i].len, map[i].len);
		assert_int_equal(info.mmap[i].type, map[i].type);
	}
	assert_int_equal(info.module_count, 2);
	assert_int_equal(info.modules_dropped, 0);
	assert_int_equal(info.modules[0].start, 0x200000);
	assert_int_equal(info.modules[0].end, 0x280000);
	assert_ptr_equal(info.modules[0].cmdline, blk + mod0 + 16);
	assert_string_equal(info.modules[0].cmdline, "linux console=ttyS0");
	assert_int_equal(info.modules[1].start, 0x300000);
	assert_int_equal(info.modules[1].end, 0x300000);
	assert_ptr_equal(info.modules[1].cmdline, blk + mod1 + 16);
	assert_string_equal(info.modules[1].cmdline, "");
	assert_ptr_equal(info.rsdp, blk + acpi + 8);
	assert_int_equal(info.rsdp_len, 20);
	assert_false(info.rsdp_new);
	free(blk);
}

static void test_mmap_entry_size_honored(void **state)
{
	static const struct mem_region map[] = {
		{0x1000, 0x2000, MEM_AVAILABLE},
		{0x100000000ull, 0x3000, MEM_RESERVED},
		{0xabcdef000ull, 0x123456789ull, MEM_ACPI_RECLAIMABLE},
	};
	struct img im;
	struct mb2_info info;

	for (uint32_t esize = 32; esize <= 48; esize += 16) {
		img_init(&im);
		add_mmap(&im, esize, map, 3);
		img_finish(&im);
		junk_info(&info);
		assert_int_equal(parse_img(&im, &info), 0);
		assert_int_equal(info.mmap_count, 3);
		for (size_t i = 0; i < 3; i++) {
			assert_int_equal(info.mmap[i].base, map[i].base);
			assert_int_equal(info.mmap[i].len, map[i].len);
			assert_int_equal(info.mmap[i].type, map[i].type);
		}
	}
}

static void test_mmap_empty(void **state)
{
	struct img im;
	struct mb2_info info;

	img_init(&im);
	add_mmap(&im, 24, NULL, 0);
	img_finish(&im);
	junk_info(&info);
	assert_int_equal(parse_img(&im, &info), 0);
	assert_int_equal(info.mmap_count, 0);
	assert_int_equal(info.mmap_dropped, 0);
}

/* Builds an image with ACPI tags of the given types in order, parses it and
 * checks which RSDP was kept. */
static void check_acpi(const uint32_t *types, size_t n, size_t want_index)
{
	uint8_t old_rsdp[20], new_rsdp[36];
	struct img im;
	struct mb2_info info;
	size_t offs[4];
	uint8_t *blk;
	bool want_new = types[want_index] == MB2_TAG_ACPI_NEW;

	memset(old_rsdp, 0x11, sizeof(old_rsdp));
	memset(new_rsdp, 0x22, sizeof(new_rsdp));
	img_init(&im);
	for (size_t i = 0; i < n; i++) {
		if (types[i] == MB2_TAG_ACPI_NEW)
			offs[i] = add_tag(&im, types[i], new_rsdp, sizeof(new_rsdp));
		else
			offs[i] = add_tag(&im, types[i], old_rsdp, sizeof(old_rsdp));
	}
	img_finish(&im);
	blk = place(&im, im.len);
	assert_int_equal(mb2_parse(blk, im.len, &info), 0);
	assert_ptr_equal(info.rsdp, blk + offs[want_index] + 8);
	assert_int_equal(info.rsdp_len, want_new ? 36 : 20);
	assert_int_equal(info.rsdp_new, want_new);
	free(blk);
}

static void test_acpi_tags(void **state)
{
	const uint32_t only_old[] = {MB2_TAG_ACPI_OLD};
	const uint32_t only_new[] = {MB2_TAG_ACPI_NEW};
	const uint32_t old_new[] = {MB2_TAG_ACPI_OLD, MB2_TAG_ACPI_NEW};
	const uint32_t new_old[] = {MB2_TAG_ACPI_NEW, MB2_TAG_ACPI_OLD};

	check_acpi(only_old, 1, 0);
	check_acpi(only_new, 1, 0);
	check_acpi(old_new, 2, 1);
	check_acpi(new_old, 2, 0);
}

static void test_unknown_tags_skipped(void **state)
{
	static const uint8_t junk[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	struct img im;
	struct mb2_info info;

	img_init(&im);
	add_tag(&im, 7, junk, sizeof(junk));
	add_tag(&im, 0xffffffffu, junk, 1);
	add_tag(&im, 9, NULL, 0);
	add_meminfo(&im, 1, 2);
	add_tag(&im, 100, junk, 7);
	img_finish(&im);
	junk_info(&info);
	assert_int_equal(parse_img(&im, &info), 0);
	assert_true(info.have_meminfo);
	assert_int_equal(info.mem_lower_kb, 1);
	assert_int_equal(info.mem_upper_kb, 2);
	assert_null(info.cmdline);
}

/* A framebuffer tag's fixed part: addr, pitch, width, height, bpp, type, then rgb[6]. */
static size_t add_fb(struct img *im, uint8_t type, size_t payload)
{
	uint8_t p[32] = {0};
	uint64_t addr = 0xfd0000000ull;
	uint32_t pitch = 4096, width = 1024, height = 768;

	memcpy(p, &addr, 8);
	memcpy(p + 8, &pitch, 4);
	memcpy(p + 12, &width, 4);
	memcpy(p + 16, &height, 4);
	p[20] = 32;
	p[21] = type;
	memcpy(p + 24, (const uint8_t[6]){16, 8, 8, 8, 0, 8}, 6); /* x8r8g8b8 */
	return add_tag(im, MB2_TAG_FRAMEBUFFER, p, payload);
}

static void test_framebuffer_rgb(void **state)
{
	struct img im;
	struct mb2_info info;

	img_init(&im);
	add_fb(&im, MB2_FB_RGB, 30);
	add_tag(&im, MB2_TAG_EFI64, "\0\0\0\0\0\0\0", 8);
	img_finish(&im);
	junk_info(&info);
	assert_int_equal(parse_img(&im, &info), 0);
	assert_true(info.have_fb);
	assert_true(info.efi64);
	assert_int_equal(info.fb.addr, 0xfd0000000ull);
	assert_int_equal(info.fb.pitch, 4096);
	assert_int_equal(info.fb.width, 1024);
	assert_int_equal(info.fb.height, 768);
	assert_int_equal(info.fb.bpp, 32);
	assert_int_equal(info.fb.type, MB2_FB_RGB);
	assert_int_equal(info.fb.red_pos, 16);
	assert_int_equal(info.fb.red_size, 8);
	assert_int_equal(info.fb.green_pos, 8);
	assert_int_equal(info.fb.blue_pos, 0);
	assert_int_equal(info.fb.blue_size, 8);
}

/* An EGA text tag has no colour fields; an RGB tag without them, or any
 * framebuffer tag shorter than its fixed part, is malformed. */
static void test_framebuffer_short_or_text(void **state)
{
	struct img im;
	struct mb2_info info;

	img_init(&im);
	add_fb(&im, MB2_FB_EGA_TEXT, 24);
	img_finish(&im);
	junk_info(&info);
	assert_int_equal(parse_img(&im, &info), 0);
	assert_true(info.have_fb);
	assert_false(info.efi64);
	assert_int_equal(info.fb.type, MB2_FB_EGA_TEXT);
	assert_int_equal(info.fb.red_size, 0);

	img_init(&im);
	add_fb(&im, MB2_FB_RGB, 24);
	img_finish(&im);
	assert_int_equal(parse_img(&im, &info), -EINVAL);

	img_init(&im);
	add_fb(&im, MB2_FB_EGA_TEXT, 20);
	img_finish(&im);
	assert_int_equal(parse_img(&im, &info), -EINVAL);

	img_init(&im);
	img_finish(&im);
	junk_info(&info);
	assert_int_equal(parse_img(&im, &info), 0);
	assert_false(info.have_fb);
}

static void test_bytes_after_end_tag_ignored(void **state)
{
	struct img im;
	struct mb2_info info;

	img_init(&im);
	add_string(&im, MB2_TAG_CMDLINE, "a=b");
	img_finish(&im);
	/* Garbage inside total_size but after the end tag. */
	add_raw(&im, MB2_TAG_MODULE, 2, NULL, 0);
	put32(&im, 0, (uint32_t)im.len);
	assert_int_equal(parse_img(&im, &info), 0);
	assert_int_equal(info.total_size, im.len);
	assert_int_equal(info.module_count, 0);
}

static void test_avail_larger_than_total(void **state)
{
	struct img im;
	struct mb2_info info;
	size_t total;

	img_init(&im);
	add_meminfo(&im, 3, 4);
	img_finish(&im);
	total = im.len;
	add_string(&im, MB2_TAG_CMDLINE, "beyond");
	assert_int_equal(parse_len(&im, im.len, &info), 0);
	assert_int_equal(info.total_size, total);
	assert_null(info.cmdline);
}

static void test_total_size_too_small(void **state)
{
	struct img im;
	struct mb2_info info;

	img_init(&im);
	img_finish(&im);
	for (uint32_t total = 0; total < 16; total++) {
		put32(&im, 0, total);
		assert_int_equal(parse_len(&im, 16, &info), -EINVAL);
		assert_int_equal(parse_len(&im, total, &info), -EINVAL);
	}
}

static void test_avail_too_small(void **state)
{
	struct img im;
	struct mb2_info info;

	img_init(&im);
	img_finish(&im);
	for (size_t avail = 0; avail < 16; avail++)
		assert_int_equal(parse_len(&im, avail, &info), -EINVAL);
	assert_int_equal(mb2_parse(NULL, 64, &info), -EINVAL);
}

static void test_total_size_above_avail(void **state)
{
	struct img im;
	struct mb2_info info;

	img_init(&im);
	add_string(&im, MB2_TAG_CMDLINE, "x=y");
	img_finish(&im);
	assert_int_equal(parse_len(&im, im.len, &info), 0);
	assert_int_equal(parse_len(&im, im.len - 1, &info), -EINVAL);
	assert_int_equal(parse_len(&im, im.len - 8, &info), -EINVAL);
	assert_int_equal(parse_len(&im, 16, &info), -EINVAL);
}

static void test_misaligned_mbi(void **state)
{
	struct img im;
	struct mb2_info info;
	uint8_t *blk;

	img_init(&im);
	img_finish(&im);
	blk = malloc(im.len + 4);
	assert_non_null(blk);
	memcpy(blk + 4, im.b, im.len);
	assert_int_equal(mb2_parse(blk + 4, im.len, &info), -EINVAL);
	free(blk);
}

static void test_tag_runs_past_end(void **state)
{
	struct img im;
	struct mb2_info info;

	img_init(&im);
	add_raw(&im, MB2_TAG_CMDLINE, 200, "a=b", 4);
	img_finish(&im);
	assert_int_equal(parse_img(&im, &info), -EINVAL);

	/* Past total_size, though still inside avail. */
	img_init(&im);
	add_raw(&im, 77, 40, NULL, 0);
	img_finish(&im);
	memset(im.b + im.len, 0, 64);
	assert_int_equal(parse_len(&im, im.len + 64, &info), -EINVAL);

	/* The end tag itself overruns. */
	img_init(&im);
	add_raw(&im, MB2_TAG_END, 16, NULL, 0);
	put32(&im, 0, (uint32_t)im.len);
	assert_int_equal(parse_img(&im, &info), -EINVAL);
}

static void test_tag_size_below_header(void **state)
{
	struct img im;
	struct mb2_info info;

	for (uint32_t size = 0; size < 8; size++) {
		img_init(&im);
		add_raw(&im, 77, size, NULL, 0);
		img_finish(&im);
		assert_int_equal(parse_img(&im, &info), -EINVAL);

		img_init(&im);
		add_raw(&im, MB2_TAG_END, size, NULL, 0);
		put32(&im, 0, (uint32_t)im.len);
		assert_int_equal(parse_img(&im, &info), -EINVAL);
	}
}

static void test_missing_end_tag(void **state)
{
	struct img im;
	struct mb2_info info;
	size_t total;

	img_init(&im);
	add_string(&im, MB2_TAG_CMDLINE, "a=b");
	put32(&im, 0, (uint32_t)im.len);
	assert_int_equal(parse_img(&im, &info), -EINVAL);

	/* An end tag exists, but only after total_size. */
	img_init(&im);
	add_meminfo(&im, 1, 2);
	total = im.len;
	img_finish(&im);
	put32(&im, 0, (uint32_t)total);
	assert_int_equal(parse_len(&im, im.len, &info), -EINVAL);

	/* Only part of an end-tag header fits before total_size. */
	img_init(&im);
	add_meminfo(&im, 1, 2);
	img_finish(&im);
	put32(&im, 0, (uint32_t)im.len - 4);
	assert_int_equal(parse_len(&im, im.len, &info), -EINVAL);
	assert_int_equal(parse_len(&im, im.len - 4, &info), -EINVAL);
}

static void test_unterminated_strings(void **state)
{
	static const uint32_t types[] = {MB2_TAG_CMDLINE, MB2_TAG_LOADER_NAME};
	uint8_t mod[11] = {0, 0, 1, 0, 0, 0, 2, 0, 'a', 'b', 'c'};
	struct img im;
	struct mb2_info info;

	for (size_t i = 0; i < 2; i++) {
		/* The padding after the tag is zero, but lies outside the tag. */
		img_init(&im);
		add_tag(&im, types[i], "abc", 3);
		img_finish(&im);
		assert_int_equal(parse_img(&im, &info), -EINVAL);

		img_init(&im);
		add_tag(&im, types[i], NULL, 0);
		img_finish(&im);
		assert_int_equal(parse_img(&im, &info), -EINVAL);
	}
	img_init(&im);
	add_tag(&im, MB2_TAG_MODULE, mod, sizeof(mod));
	img_finish(&im);
	assert_int_equal(parse_img(&im, &info), -EINVAL);

	img_init(&im);
	add_tag(&im, MB2_TAG_MODULE, mod, 8);
	img_finish(&im);
	assert_int_equal(parse_img(&im, &info), -EINVAL);
}

static void test_short_fixed_tags(void **state)
{
	static const uint32_t words[2] = {24, 0};
	struct img im;
	struct mb2_info info;

	img_init(&im);
	add_tag(&im, MB2_TAG_BASIC_MEMINFO, words, 4);
	img_finish(&im);
	assert_int_equal(parse_img(&im, &info), -EINVAL);

	img_init(&im);
	add_tag(&im, MB2_TAG_MMAP, words, 4);
	img_finish(&im);
	assert_int_equal(parse_img(&im, &info), -EINVAL);

	img_init(&im);
	add_tag(&im, MB2_TAG_MODULE, words, 4);
	img_finish(&im);
	assert_int_equal(parse_img(&im, &info), -EINVAL);
}

/* A fixed-layout tag holding only its header, ending exactly at total_size and
 * avail: reading any field of it would be caught by ASan. */
static void test_header_only_tags_at_end(void **state)
{
	static const uint32_t types[] = {MB2_TAG_CMDLINE, MB2_TAG_LOADER_NAME, MB2_TAG_MODULE,
	                                 MB2_TAG_BASIC_MEMINFO, MB2_TAG_MMAP};
	struct img im;
	struct mb2_info info;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		img_init(&im);
		add_tag(&im, types[i], NULL, 0);
		put32(&im, 0, (uint32_t)im.len);
		assert_int_equal(parse_img(&im, &info), -EINVAL);
	}
}

static void test_mmap_bad_entry_size(void **state)
{
	static const uint32_t bad[] = {0, 8, 16, 20, 23, 25, 28, 30, 36};
	static const struct mem_region map[2] = {
		{0, 0x1000, MEM_AVAILABLE},
		{0x1000, 0x1000, MEM_RESERVED},
	};
	struct img im;
	struct mb2_info info;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		img_init(&im);
		if (bad[i] >= 24)
			add_mmap(&im, bad[i], map, 2);
		else
			add_mmap(&im, bad[i], NULL, 0);
		img_finish(&im);
		assert_int_equal(parse_img(&im, &info), -EINVAL);
	}
}

static void test_mmap_partial_entry(void **state)
{
	static const struct mem_region map[2] = {
		{0, 0x1000, MEM_AVAILABLE},
		{0x1000, 0x1000, MEM_RESERVED},
	};
	struct img im;
	struct mb2_info info;
	size_t off;

	/* Two entries' worth of bytes, but the tag claims part of a third. */
	img_init(&im);
	off = add_mmap(&im, 24, map, 2);
	put32(&im, off + 4, 8 + 8 + 2 * 24 + 16);
	im.len += 16;
	img_finish(&im);
	assert_int_equal(parse_img(&im, &info), -EINVAL);

	/* With entry_size 32, 48 bytes hold one and a half entries. */
	img_init(&im);
	off = add_mmap(&im, 32, map, 2);
	put32(&im, off + 4, 8 + 8 + 48);
	img_finish(&im);
	assert_int_equal(parse_img(&im, &info), -EINVAL);
}

static void test_module_end_before_start(void **state)
{
	struct img im;
	struct mb2_info info;

	img_init(&im);
	add_module(&im, 0x200000, 0x1fffff, "m");
	img_finish(&im);
	assert_int_equal(parse_img(&im, &info), -EINVAL);

	img_init(&im);
	add_module(&im, 0x200000, 0x200001, "m");
	img_finish(&im);
	assert_int_equal(parse_img(&im, &info), 0);
	assert_int_equal(info.module_count, 1);
}

static void test_too_many_mmap_entries(void **state)
{
	const size_t n = MAX_MEM_REGIONS + 3;
	struct mem_region *map = calloc(n, sizeof(*map));
	struct img im;
	struct mb2_info info;

	assert_non_null(map);
	for (size_t i = 0; i < n; i++) {
		map[i].base = (uint64_t)i << 20;
		map[i].len = 0x1000 + i;
		map[i].type = 1 + i % 5;
	}
	for (uint32_t esize = 24; esize <= 32; esize += 8) {
		img_init(&im);
		add_mmap(&im, esize, map, n);
		img_finish(&im);
		junk_info(&info);
		assert_int_equal(parse_img(&im, &info), 0);
		assert_int_equal(info.mmap_count, MAX_MEM_REGIONS);
		assert_int_equal(info.mmap_dropped, 3);
		for (size_t i = 0; i < MAX_MEM_REGIONS; i++) {
			assert_int_equal(info.mmap[i].base, map[i].base);
			assert_int_equal(info.mmap[i].len, map[i].len);
			assert_int_equal(info.mmap[i].type, map[i].type);
		}
	}

	/* Split over two tags: the second tag's entries count as dropped too. */
	img_init(&im);
	add_mmap(&im, 24, map, MAX_MEM_REGIONS - 1);
	add_mmap(&im, 24, map, 4);
	img_finish(&im);
	assert_int_equal(parse_img(&im, &info), 0);
	assert_int_equal(info.mmap_count, MAX_MEM_REGIONS);
	assert_int_equal(info.mmap_dropped, 3);
	assert_int_equal(info.mmap[MAX_MEM_REGIONS - 1].base, map[0].base);
	free(map);
}

static void test_too_many_modules(void **state)
{
	const size_t n = MAX_BOOT_MODULES + 2;
	struct img im;
	struct mb2_info info;
	uint8_t *blk;

	img_init(&im);
	for (size_t i = 0; i < n; i++)
		add_module(&im, (uint32_t)(i << 20), (uint32_t)((i << 20) + 0x1000 + i),
		           i % 2 ? "odd" : "even");
	img_finish(&im);
	blk = place(&im, im.len);
	junk_info(&info);
	assert_int_equal(mb2_parse(blk, im.len, &info), 0);
	assert_int_equal(info.module_count, MAX_BOOT_MODULES);
	assert_int_equal(info.modules_dropped, 2);
	for (size_t i = 0; i < MAX_BOOT_MODULES; i++) {
		assert_int_equal(info.modules[i].start, i << 20);
		assert_int_equal(info.modules[i].end, (i << 20) + 0x1000 + i);
		assert_string_equal(info.modules[i].cmdline, i % 2 ? "odd" : "even");
	}
	free(blk);
}

static void test_error_after_many_entries_keeps_bounds(void **state)
{
	const size_t n = MAX_MEM_REGIONS + 1;
	struct mem_region *map = calloc(n, sizeof(*map));
	struct img im;
	struct mb2_info info;

	assert_non_null(map);
	img_init(&im);
	add_mmap(&im, 24, map, n);
	add_module(&im, 2, 1, "bad");
	img_finish(&im);
	/* parse_img checks that the counts stay within the arrays. */
	assert_int_equal(parse_img(&im, &info), -EINVAL);
	free(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_end_tag),
		cmocka_unit_test(test_full_image),
		cmocka_unit_test(test_mmap_entry_size_honored),
		cmocka_unit_test(test_mmap_empty),
		cmocka_unit_test(test_acpi_tags),
		cmocka_unit_test(test_unknown_tags_skipped),
		cmocka_unit_test(test_framebuffer_rgb),
		cmocka_unit_test(test_framebuffer_short_or_text),
		cmocka_unit_test(test_bytes_after_end_tag_ignored),
		cmocka_unit_test(test_avail_larger_than_total),
		cmocka_unit_test(test_total_size_too_small),
		cmocka_unit_test(test_avail_too_small),
		cmocka_unit_test(test_total_size_above_avail),
		cmocka_unit_test(test_misaligned_mbi),
		cmocka_unit_test(test_tag_runs_past_end),
		cmocka_unit_test(test_tag_size_below_header),
		cmocka_unit_test(test_missing_end_tag),
		cmocka_unit_test(test_unterminated_strings),
		cmocka_unit_test(test_short_fixed_tags),
		cmocka_unit_test(test_header_only_tags_at_end),
		cmocka_unit_test(test_mmap_bad_entry_size),
		cmocka_unit_test(test_mmap_partial_entry),
		cmocka_unit_test(test_module_end_before_start),
		cmocka_unit_test(test_too_many_mmap_entries),
		cmocka_unit_test(test_too_many_modules),
		cmocka_unit_test(test_error_after_many_entries_keeps_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
