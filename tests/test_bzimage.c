/* Unit tests for hv/loader/bzimage.c: setup header checks, load plan, zero page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "hv/loader/bzimage.h"

#define SETUP_SECTS 3
#define SETUP_BYTES ((SETUP_SECTS + 1) * 512)
#define PM_BYTES    0x3000 /* syssize * 16 */
#define IMG_BYTES   (SETUP_BYTES + PM_BYTES)
#define INIT_SIZE   0x200000
#define MEM         (64ull << 20)

static uint8_t img[IMG_BYTES];
static char err[160];

static void w16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}
static void w32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}
static void w64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}
static uint32_t r32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}
static uint64_t r64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* A well-formed protocol 2.15 relocatable bzImage; the kernel bytes count up. */
static int make_image(void **state)
{
	(void)state;
	memset(img, 0, sizeof(img));
	img[BZ_SETUP_SECTS] = SETUP_SECTS;
	w32(img + BZ_SYSSIZE, PM_BYTES / 16);
	w16(img + BZ_BOOT_FLAG, BZ_BOOT_FLAG_MAGIC);
	img[BZ_HEADER_END_BYTE] = 0x6a; /* header ends at 0x26c */
	w32(img + BZ_HEADER, BZ_HEADER_MAGIC);
	w16(img + BZ_VERSION, 0x020f);
	img[BZ_LOADFLAGS] = BZ_LOADED_HIGH;
	w32(img + BZ_INITRD_ADDR_MAX, 0x7fffffff);
	w32(img + BZ_KERNEL_ALIGNMENT, 0x200000);
	img[BZ_RELOCATABLE] = 1;
	w16(img + BZ_XLOADFLAGS, BZ_XLF_KERNEL_64);
	w32(img + BZ_CMDLINE_SIZE, 2047);
	w32(img + BZ_PAYLOAD_OFFSET, 0x100);
	w32(img + BZ_PAYLOAD_LENGTH, 0x1000);
	w64(img + BZ_PREF_ADDRESS, 0x1000000);
	w32(img + BZ_INIT_SIZE, INIT_SIZE);
	for (size_t i = 0; i < PM_BYTES; i++)
		img[SETUP_BYTES + i] = (uint8_t)(i * 7 + 1);
	return 0;
}

static int parse(size_t len, struct bzimage_info *info)
{
	return bzimage_parse(img, len, info, err, sizeof(err));
}

static void test_parse_good(void **state)
{
	struct bzimage_info info;

	(void)state;
	assert_int_equal(parse(IMG_BYTES, &info), 0);
	assert_int_equal(info.version, 0x020f);
	assert_int_equal(info.setup_size, SETUP_BYTES);
	assert_int_equal(info.pm_size, PM_BYTES);
	assert_true(info.relocatable);
	assert_int_equal(info.kernel_alignment, 0x200000);
	assert_int_equal(info.pref_address, 0x1000000);
	assert_int_equal(info.init_size, INIT_SIZE);
	assert_int_equal(info.cmdline_size, 2047);
	assert_int_equal(info.xloadflags, BZ_XLF_KERNEL_64);
	assert_int_equal(info.header_end, 0x26c);
	assert_string_equal(err, "");
}

/* setup_sects 0 means 4 sectors. */
static void test_parse_setup_sects_zero(void **state)
{
	struct bzimage_info info;

	(void)state;
	img[BZ_SETUP_SECTS] = 0;
	w32(img + BZ_SYSSIZE, (PM_BYTES - 512) / 16);
	assert_int_equal(parse(IMG_BYTES, &info), 0);
	assert_int_equal(info.setup_size, 5 * 512);
}

static void test_parse_truncated(void **state)
{
	struct bzimage_info info;

	(void)state;
	assert_int_equal(parse(IMG_BYTES - 1, &info), -EINVAL);
	assert_non_null(strstr(err, "truncated"));
	assert_int_equal(parse(SETUP_BYTES - 16, &info), -EINVAL);
	assert_non_null(strstr(err, "truncated"));
	assert_int_equal(parse(0x100, &info), -EINVAL);
	assert_non_null(strstr(err, "too short"));
}

static void test_parse_bad_magic(void **state)
{
	struct bzimage_info info;

	(void)state;
	img[BZ_HEADER + 1] ^= 0x20;
	assert_int_equal(parse(IMG_BYTES, &info), -EINVAL);
	assert_non_null(strstr(err, "HdrS"));
	make_image(NULL);
	img[BZ_BOOT_FLAG] = 0;
	assert_int_equal(parse(IMG_BYTES, &info), -EINVAL);
	assert_non_null(strstr(err, "not a bzImage"));
}

static void test_parse_old_protocol(void **state)
{
	struct bzimage_info info;

	(void)state;
	w16(img + BZ_VERSION, 0x020b);
	assert_int_equal(parse(IMG_BYTES, &info), -EINVAL);
	assert_non_null(strstr(err, "protocol 2.11"));
	assert_non_null(strstr(err, "2.12"));
}

static void test_parse_corrupted_fields(void **state)
{
	struct bzimage_info info;

	(void)state;
	w32(img + BZ_SYSSIZE, 0);
	assert_int_equal(parse(IMG_BYTES, &info), -EINVAL);
	assert_non_null(strstr(err, "syssize 0"));
	make_image(NULL);
	w32(img + BZ_INIT_SIZE, PM_BYTES - 1);
	assert_int_equal(parse(IMG_BYTES, &info), -EINVAL);
	assert_non_null(strstr(err, "init_size"));
	make_image(NULL);
	w32(img + BZ_KERNEL_ALIGNMENT, 0x300000);
	assert_int_equal(parse(IMG_BYTES, &info), -EINVAL);
	assert_non_null(strstr(err, "kernel_alignment"));
	make_image(NULL);
	w32(img + BZ_PAYLOAD_LENGTH, PM_BYTES);
	assert_int_equal(parse(IMG_BYTES, &info), -EINVAL);
	assert_non_null(strstr(err, "payload"));
	make_image(NULL);
	img[BZ_HEADER_END_BYTE] = 0x40; /* ends before init_size */
	assert_int_equal(parse(IMG_BYTES, &info), -EINVAL);
	assert_non_null(strstr(err, "header end"));
	make_image(NULL);
	img[BZ_LOADFLAGS] = 0;
	assert_int_equal(parse(IMG_BYTES, &info), -EINVAL);
	assert_non_null(strstr(err, "zImage"));
}

static void test_plan_pref_address(void **state)
{
	struct bzimage_info info;
	struct bzimage_plan plan;

	(void)state;
	assert_int_equal(parse(IMG_BYTES, &info), 0);
	assert_int_equal(bzimage_plan(&info, MEM, 10, 0x5000, &plan, err, sizeof(err)), 0);
	assert_int_equal(plan.load_gpa, 0x1000000);
	assert_int_equal(plan.kernel_end, 0x1000000 + INIT_SIZE);
	assert_int_equal(plan.initrd_len, 0x5000);
	assert_int_equal(plan.initrd_gpa, MEM - 0x5000);
	/* without room at pref_address: the first aligned address above 1 MiB */
	assert_int_equal(bzimage_plan(&info, 0x1100000, 0, 0, &plan, err, sizeof(err)), 0);
	assert_int_equal(plan.load_gpa, 0x200000);
	assert_int_equal(plan.initrd_gpa, 0);
}

/* The initrd goes page-aligned below initrd_addr_max + 1. */
static void test_plan_initrd_addr_max(void **state)
{
	struct bzimage_info info;
	struct bzimage_plan plan;

	(void)state;
	w32(img + BZ_INITRD_ADDR_MAX, 0x2000fff);
	assert_int_equal(parse(IMG_BYTES, &info), 0);
	assert_int_equal(bzimage_plan(&info, MEM, 0, 0x1800, &plan, err, sizeof(err)), 0);
	assert_int_equal(plan.initrd_gpa, 0x2000000 - 0x1000);
}

static void test_plan_errors(void **state)
{
	struct bzimage_info info;
	struct bzimage_plan plan;

	(void)state;
	assert_int_equal(parse(IMG_BYTES, &info), 0);
	assert_int_equal(bzimage_plan(&info, MEM, 2047, 0, &plan, err, sizeof(err)), 0);
	assert_int_equal(bzimage_plan(&info, MEM, 2048, 0, &plan, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "command line of 2048 bytes"));
	assert_non_null(strstr(err, "at most 2047"));
	assert_int_equal(bzimage_plan(&info, MEM, 0, MEM, &plan, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "larger than the guest's 64 MiB"));
	assert_int_equal(bzimage_plan(&info, MEM, 0, MEM - 0x100000, &plan, err, sizeof(err)),
	                 -ENOSPC);
	assert_non_null(strstr(err, "does not fit"));
	assert_int_equal(bzimage_plan(&info, 0x200000, 0, 0, &plan, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "init_size"));
	/* an initrd above the RAM size is named as such even where the kernel does not fit */
	assert_int_equal(bzimage_plan(&info, 0x200000, 0, 0x300000, &plan, err, sizeof(err)),
	                 -EINVAL);
	assert_non_null(strstr(err, "larger than the guest's 2 MiB"));
}

/* A non-relocatable kernel loads at 1 MiB and needs RAM from pref_address. */
static void test_plan_not_relocatable(void **state)
{
	struct bzimage_info info;
	struct bzimage_plan plan;

	(void)state;
	img[BZ_RELOCATABLE] = 0;
	assert_int_equal(parse(IMG_BYTES, &info), 0);
	assert_int_equal(bzimage_plan(&info, MEM, 0, 0, &plan, err, sizeof(err)), 0);
	assert_int_equal(plan.load_gpa, 0x100000);
	assert_int_equal(plan.kernel_end, 0x1000000 + INIT_SIZE);
}

static void test_load_zero_page(void **state)
{
	struct bzimage_info info;
	struct bzimage_plan plan;
	uint8_t initrd[0x1800];
	uint8_t *ram = calloc(1, MEM);
	const char *cl = "console=ttyS0 quiet";
	struct bzimage_load req = {img, IMG_BYTES, cl, initrd, MEM, 0xe0000};
	uint8_t *bp;

	(void)state;
	assert_non_null(ram);
	memset(initrd, 0x5a, sizeof(initrd));
	assert_int_equal(parse(IMG_BYTES, &info), 0);
	assert_int_equal(
		bzimage_plan(&info, MEM, strlen(cl), sizeof(initrd), &plan, err, sizeof(err)), 0);
	assert_int_equal(bzimage_load(&info, &plan, &req, ram), BZ_BOOT_PARAMS_GPA);
	bp = ram + BZ_BOOT_PARAMS_GPA;
	assert_memory_equal(ram + plan.load_gpa, img + SETUP_BYTES, PM_BYTES);
	assert_memory_equal(ram + plan.initrd_gpa, initrd, sizeof(initrd));
	assert_string_equal((char *)ram + BZ_CMDLINE_GPA, cl);
	assert_int_equal(r32(bp + BZ_HEADER), BZ_HEADER_MAGIC);
	assert_int_equal(r32(bp + BZ_INIT_SIZE), INIT_SIZE);
	assert_int_equal(bp[BZ_TYPE_OF_LOADER], 0xff);
	assert_int_equal(r32(bp + BZ_CODE32_START), 0x1000000);
	assert_int_equal(r32(bp + BZ_RAMDISK_IMAGE), plan.initrd_gpa);
	assert_int_equal(r32(bp + BZ_RAMDISK_SIZE), sizeof(initrd));
	assert_int_equal(r32(bp + BZ_CMD_LINE_PTR), BZ_CMDLINE_GPA);
	assert_int_equal(r64(bp + BP_ACPI_RSDP_ADDR), 0xe0000);
	/* nothing of the image past the header end is copied */
	assert_int_equal(bp[0x26c], 0);
	assert_int_equal(bp[BP_E820_ENTRIES], 4);
	assert_int_equal(r64(bp + BP_E820_TABLE), 0);
	assert_int_equal(r64(bp + BP_E820_TABLE + 8), 0x9fc00);
	assert_int_equal(r32(bp + BP_E820_TABLE + 16), E820_RAM);
	assert_int_equal(r64(bp + BP_E820_TABLE + 40), 0xe0000);
	assert_int_equal(r32(bp + BP_E820_TABLE + 56), E820_RESERVED);
	assert_int_equal(r64(bp + BP_E820_TABLE + 60), 0x100000);
	assert_int_equal(r64(bp + BP_E820_TABLE + 68), MEM - 0x100000);
	assert_int_equal(r32(bp + BP_E820_TABLE + 76), E820_RAM);
	free(ram);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_parse_good, make_image),
		cmocka_unit_test_setup(test_parse_setup_sects_zero, make_image),
		cmocka_unit_test_setup(test_parse_truncated, make_image),
		cmocka_unit_test_setup(test_parse_bad_magic, make_image),
		cmocka_unit_test_setup(test_parse_old_protocol, make_image),
		cmocka_unit_test_setup(test_parse_corrupted_fields, make_image),
		cmocka_unit_test_setup(test_plan_pref_address, make_image),
		cmocka_unit_test_setup(test_plan_initrd_addr_max, make_image),
		cmocka_unit_test_setup(test_plan_errors, make_image),
		cmocka_unit_test_setup(test_plan_not_relocatable, make_image),
		cmocka_unit_test_setup(test_load_zero_page, make_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
