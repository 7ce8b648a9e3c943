/* Unit tests for hv/loader/mb1_header.c: multiboot v1 headers in images built in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "hv/loader/mb1_header.h"
#include "hv/loader/mbinfo.h"

#define IMG_LEN 0x3000

static uint8_t img[IMG_LEN];

static void put32(size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

/* A header at off whose checksum is off by bad. */
static void put_mb(size_t off, uint32_t flags, uint32_t bad)
{
	put32(off, MB1_HEADER_MAGIC);
	put32(off + 4, flags);
	put32(off + 8, -(MB1_HEADER_MAGIC + flags) + bad);
}

/* Runs the search on a heap copy of img[0..len), so ASan flags reads past len. */
static int find(size_t len, struct mb1_header_info *h, char *err, size_t errlen)
{
	uint8_t *blk = malloc(len ? len : 1);
	int r;

	assert_non_null(blk);
	memcpy(blk, img, len);
	memset(h, 0x5a, sizeof(*h));
	r = mb1_header_find(blk, len, h, err, errlen);
	free(blk);
	return r;
}

static void expect_found(size_t len, uint32_t off, uint32_t flags)
{
	struct mb1_header_info h;
	char err[160];

	memset(err, 'x', sizeof(err));
	assert_int_equal(find(len, &h, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(h.offset, off);
	assert_int_equal(h.flags, flags);
}

static void expect_error(size_t len, int want_r, const char *want)
{
	struct mb1_header_info h;
	char err[160];

	memset(err, 'x', sizeof(err));
	assert_int_equal(find(len, &h, err, sizeof(err)), want_r);
	if (strcmp(err, want) != 0)
		fail_msg("reason '%s', want '%s'", err, want);
}

static int setup(void **state)
{
	memset(img, 0, sizeof(img));
	return 0;
}

static void test_no_header(void **state)
{
	const char *want = "no multiboot header (magic 0x1BADB002) in the first 8 KiB";

	expect_error(IMG_LEN, -ENOENT, want);
	expect_error(0, -ENOENT, want);
	expect_error(11, -ENOENT, want);
	assert_int_equal(mb1_header_find(NULL, 100, &(struct mb1_header_info){0}, NULL, 0),
	                 -ENOENT);
	/* Past the 8 KiB window, misaligned, or cut by the end of the file. */
	put_mb(8192, MB1_HEADER_MEMORY_INFO, 0);
	put_mb(8192 - 8, 0, 0);
	expect_error(IMG_LEN, -ENOENT, want);
	put_mb(0x1002, 0, 0);
	expect_error(IMG_LEN, -ENOENT, want);
	put_mb(0x100, 0, 0);
	expect_error(0x10b, -ENOENT, want);
	expect_found(0x10c, 0x100, 0);
}

static void test_positions(void **state)
{
	put_mb(0, MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMORY_INFO, 0);
	expect_found(12, 0, 3);
	memset(img, 0, sizeof(img));
	put_mb(8192 - 12, MB1_HEADER_MEMORY_INFO, 0); /* last place wholly inside 8 KiB */
	expect_found(IMG_LEN, 8192 - 12, MB1_HEADER_MEMORY_INFO);
	expect_found(8192 - 12 + 12, 8192 - 12, MB1_HEADER_MEMORY_INFO);
}

static void test_bad_checksum(void **state)
{
	put_mb(0x1000, MB1_HEADER_MEMORY_INFO, 1);
	expect_error(IMG_LEN, -ENOENT,
	             "multiboot header at offset 0x1000 has a bad checksum (magic + flags + "
	             "checksum = 0x1, must be 0)");
	/* A bad candidate before a valid header is skipped, as loaders do. */
	put_mb(0x1100, MB1_HEADER_PAGE_ALIGN, 0);
	put_mb(0x1200, MB1_HEADER_MEMORY_INFO, 0);
	expect_found(IMG_LEN, 0x1100, MB1_HEADER_PAGE_ALIGN);
	/* The first of several bad candidates is the one reported. */
	memset(img, 0, sizeof(img));
	put_mb(0x40, 0, 0x80000000u);
	put_mb(0x80, 0, 2);
	expect_error(IMG_LEN, -ENOENT,
	             "multiboot header at offset 0x40 has a bad checksum (magic + flags + "
	             "checksum = 0x80000000, must be 0)");
}

static void test_flags(void **state)
{
	put_mb(0x1000, MB1_HEADER_AOUT_KLUDGE | MB1_HEADER_MEMORY_INFO, 0);
	expect_error(IMG_LEN, -EOPNOTSUPP,
	             "multiboot header flags 0x10002: bit 16 (a.out kludge, load addresses in the "
	             "header) is not supported; link the kernel as ELF");
	put_mb(0x1000, BIT(3) | MB1_HEADER_MEMORY_INFO, 0);
	expect_error(IMG_LEN, -EOPNOTSUPP,
	             "multiboot header flags 0xa: required bit 3 is not supported");
	put_mb(0x1000, BIT(15) | BIT(9) | 1, 0);
	expect_error(IMG_LEN, -EOPNOTSUPP,
	             "multiboot header flags 0x8201: required bit 9 is not supported");
	/* The a.out kludge is named even with unknown required bits beside it. */
	put_mb(0x1000, BIT(16) | BIT(4), 0);
	expect_error(IMG_LEN, -EOPNOTSUPP,
	             "multiboot header flags 0x10010: bit 16 (a.out kludge, load addresses in the "
	             "header) is not supported; link the kernel as ELF");
	/* Supported required bits and optional bits other than 16 are accepted. */
	put_mb(0x1000, BIT(17) | BIT(31) | MB1_HEADER_SUPPORTED, 0);
	expect_found(IMG_LEN, 0x1000, BIT(17) | BIT(31) | 7);
	put_mb(0x1000, 0, 0);
	expect_found(IMG_LEN, 0x1000, 0);
}

static void test_error_buffer(void **state)
{
	struct mb1_header_info h;
	char err[8];

	assert_int_equal(find(IMG_LEN, &h, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "no mult");
	assert_int_equal(find(IMG_LEN, &h, NULL, 0), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_header, setup),
		cmocka_unit_test_setup(test_positions, setup),
		cmocka_unit_test_setup(test_bad_checksum, setup),
		cmocka_unit_test_setup(test_flags, setup),
		cmocka_unit_test_setup(test_error_buffer, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
