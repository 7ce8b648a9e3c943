/* Unit tests for hv/fwcfg.c: the fw_cfg legacy I/O item stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/vdev/fwcfg.h"

/* Selects key and requires the next n bytes to be want[0..n). */
static void expect_item(struct fwcfg *f, uint16_t key, const uint8_t *want, size_t n)
{
	fwcfg_select(f, key);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(f->offset, i);
		assert_int_equal(fwcfg_read_byte(f), want[i]);
	}
}

/* Requires the next n reads to be 0 without moving the offset. */
static void expect_end(struct fwcfg *f, size_t n)
{
	uint32_t at = f->offset;

	for (size_t i = 0; i < n; i++)
		assert_int_equal(fwcfg_read_byte(f), 0);
	assert_int_equal(f->offset, at);
}

static void test_init(void **state)
{
	struct fwcfg f;

	memset(&f, 0xa5, sizeof(f));
	fwcfg_init(&f, 0x12345678ull, 3);
	assert_int_equal(f.selector, FWCFG_KEY_SIGNATURE);
	assert_int_equal(f.offset, 0);
	assert_int_equal(f.ram_size, 0x12345678ull);
	assert_int_equal(f.ncpus, 3);
	assert_int_equal(fwcfg_read_byte(&f), 'Q');
}

static void test_signature(void **state)
{
	struct fwcfg f;

	fwcfg_init(&f, 0, 1);
	expect_item(&f, FWCFG_KEY_SIGNATURE, (const uint8_t *)"QEMU", 4);
	expect_end(&f, 3);
}

static void test_id(void **state)
{
	static const uint8_t want[] = {0x01, 0x00, 0x00, 0x00};
	struct fwcfg f;

	fwcfg_init(&f, 0, 1);
	expect_item(&f, FWCFG_KEY_ID, want, sizeof(want));
	expect_end(&f, 2);
}

static void test_ram_size(void **state)
{
	static const uint8_t want[] = {0x00, 0x00, 0x00, 0x40, 0x02, 0x00, 0x00, 0x00};
	static const uint8_t want_odd[] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
	struct fwcfg f;

	fwcfg_init(&f, 0x240000000ull, 1); /* 9 GiB */
	expect_item(&f, FWCFG_KEY_RAM_SIZE, want, sizeof(want));
	expect_end(&f, 2);

	fwcfg_init(&f, 0x0102030405060708ull, 1);
	expect_item(&f, FWCFG_KEY_RAM_SIZE, want_odd, sizeof(want_odd));
	expect_end(&f, 1);
}

static void test_cpu_counts(void **state)
{
	static const uint8_t want[] = {0x04, 0x01};
	struct fwcfg f;

	fwcfg_init(&f, MiB(128), 0x104);
	expect_item(&f, FWCFG_KEY_NB_CPUS, want, sizeof(want));
	expect_end(&f, 2);
	expect_item(&f, FWCFG_KEY_MAX_CPUS, want, sizeof(want));
	expect_end(&f, 2);
}

static void test_file_dir_empty(void **state)
{
	static const uint8_t want[] = {0, 0, 0, 0};
	struct fwcfg f;

	fwcfg_init(&f, MiB(128), 2);
	expect_item(&f, FWCFG_KEY_FILE_DIR, want, sizeof(want));
	assert_int_equal(f.offset, 4);
	expect_end(&f, 4);
}

static void test_reselect_rewinds(void **state)
{
	struct fwcfg f;

	fwcfg_init(&f, MiB(128), 2);
	fwcfg_select(&f, FWCFG_KEY_SIGNATURE);
	assert_int_equal(fwcfg_read_byte(&f), 'Q');
	assert_int_equal(fwcfg_read_byte(&f), 'E');
	fwcfg_select(&f, FWCFG_KEY_SIGNATURE);
	assert_int_equal(f.offset, 0);
	assert_int_equal(fwcfg_read_byte(&f), 'Q');

	/* Switching items mid-stream starts the new one at its first byte. */
	fwcfg_select(&f, FWCFG_KEY_NB_CPUS);
	assert_int_equal(fwcfg_read_byte(&f), 2);
	assert_int_equal(fwcfg_read_byte(&f), 0);
	expect_end(&f, 1);
	fwcfg_select(&f, FWCFG_KEY_NB_CPUS);
	assert_int_equal(fwcfg_read_byte(&f), 2);
}

static void test_unknown_keys(void **state)
{
	static const uint16_t keys[] = {0x0002, 0x0004, 0x000e, 0x0018, 0x001a, 0x0020,
	                                0x4000, 0x4001, 0x8000, 0x8003, 0xffff};
	struct fwcfg f;

	fwcfg_init(&f, MiB(128), 2);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		fwcfg_select(&f, keys[i]);
		assert_int_equal(f.selector, keys[i]);
		expect_end(&f, 16);
		assert_int_equal(f.offset, 0);
	}
}

static void test_long_read_past_end(void **state)
{
	struct fwcfg f;

	fwcfg_init(&f, ~0ull, 0xffff);
	fwcfg_select(&f, FWCFG_KEY_RAM_SIZE);
	for (int i = 0; i < 8; i++)
		assert_int_equal(fwcfg_read_byte(&f), 0xff);
	expect_end(&f, 100000);
	assert_int_equal(f.offset, 8);

	/* A corrupted offset near the top still reads 0 and does not wrap. */
	f.offset = UINT32_MAX;
	expect_end(&f, 4);
	assert_int_equal(f.offset, UINT32_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_ram_size),
		cmocka_unit_test(test_cpu_counts),
		cmocka_unit_test(test_file_dir_empty),
		cmocka_unit_test(test_reselect_rewinds),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_long_read_past_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
