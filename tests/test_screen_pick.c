/* Unit tests for drivers/screen_pick.c: which screen the console uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/screen_pick.h"

static struct mb2_info info;

/* A BIOS-like memory map: RAM below 640 KiB and from 1 MiB to 512 MiB. */
static void setup(void)
{
	memset(&info, 0, sizeof(info));
	info.mmap[0] = (struct mem_region){0, 0x9fc00, MEM_AVAILABLE};
	info.mmap[1] = (struct mem_region){0x9fc00, 0x60400, MEM_RESERVED};
	info.mmap[2] = (struct mem_region){0x100000, MiB(511), MEM_AVAILABLE};
	info.mmap_count = 3;
}

static void rgb_fb(uint64_t addr)
{
	info.have_fb = true;
	info.fb = (struct mb2_framebuffer){addr, 1280 * 4, 1280, 800, 32, MB2_FB_RGB,
	                                   16,   8,        8,    8,   0,  8};
}

static void test_bios_without_tag_is_vga_text(void **state)
{
	struct screen_choice c;

	setup();
	screen_pick(&info, &c);
	assert_int_equal(c.kind, SCREEN_VGA_TEXT);
	assert_int_equal(c.addr, VGA_TEXT_PA);
	assert_int_equal(c.fb.width, 80);
	assert_int_equal(c.fb.height, 25);
	assert_int_equal(c.len, 4000);
}

static void test_uefi_without_tag_has_none(void **state)
{
	struct screen_choice c;

	setup();
	info.efi64 = true;
	screen_pick(&info, &c);
	assert_int_equal(c.kind, SCREEN_NONE);
	assert_non_null(c.why);
}

static void test_tags(void **state)
{
	struct screen_choice c;

	setup();
	rgb_fb(0xfd000000);
	screen_pick(&info, &c);
	assert_int_equal(c.kind, SCREEN_FRAMEBUFFER);
	assert_int_equal(c.addr, 0xfd000000);
	assert_int_equal(c.len, 1280 * 4 * 800);

	setup();
	info.have_fb = true;
	info.fb = (struct mb2_framebuffer){.addr = 0xb8000,
	                                   .pitch = 160,
	                                   .width = 80,
	                                   .height = 25,
	                                   .bpp = 16,
	                                   .type = MB2_FB_EGA_TEXT};
	screen_pick(&info, &c);
	assert_int_equal(c.kind, SCREEN_VGA_TEXT);

	setup();
	rgb_fb(0xfd000000);
	info.fb.type = MB2_FB_INDEXED;
	screen_pick(&info, &c);
	assert_int_equal(c.kind, SCREEN_NONE);
}

/* A framebuffer tag that points into RAM, wraps or is empty is refused. */
static void test_bad_framebuffers(void **state)
{
	struct screen_choice c;

	setup();
	rgb_fb(MiB(16));
	screen_pick(&info, &c);
	assert_int_equal(c.kind, SCREEN_NONE);
	assert_string_equal(c.why, "the framebuffer overlaps usable RAM");

	setup();
	rgb_fb(0x100000 - 4096); /* its end reaches into RAM at 1 MiB */
	screen_pick(&info, &c);
	assert_int_equal(c.kind, SCREEN_NONE);

	setup();
	rgb_fb(0xfffffffffff00000ull);
	screen_pick(&info, &c);
	assert_int_equal(c.kind, SCREEN_NONE);

	setup();
	rgb_fb(0xfd000000);
	info.fb.height = 0;
	screen_pick(&info, &c);
	assert_int_equal(c.kind, SCREEN_NONE);

	setup();
	info.have_fb = true;
	info.fb = (struct mb2_framebuffer){.addr = 0xb8000,
	                                   .pitch = 100,
	                                   .width = 80,
	                                   .height = 25,
	                                   .bpp = 16,
	                                   .type = MB2_FB_EGA_TEXT};
	screen_pick(&info, &c);
	assert_int_equal(c.kind, SCREEN_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bios_without_tag_is_vga_text),
		cmocka_unit_test(test_uefi_without_tag_has_none),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_bad_framebuffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
