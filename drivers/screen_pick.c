#include "drivers/screen_pick.h"

static bool overlaps_ram(const struct mb2_info *info, uint64_t addr, uint64_t len)
{
	for (size_t i = 0; i < info->mmap_count; i++) {
		const struct mem_region *r = &info->mmap[i];

		if (r->type == MEM_AVAILABLE && addr < r->base + r->len && r->base < addr + len)
			return true;
	}
	return false;
}

static void none(struct screen_choice *out, const char *why)
{
	out->kind = SCREEN_NONE;
	out->why = why;
}

void screen_pick(const struct mb2_info *info, struct screen_choice *out)
{
	const struct mb2_framebuffer *fb = &info->fb;
	uint64_t len;

	*out = (struct screen_choice){0};
	if (!info->have_fb) {
		if (info->efi64)
			return none(out, "started from UEFI without a framebuffer");
		out->kind = SCREEN_VGA_TEXT;
		out->fb = (struct mb2_framebuffer){.addr = VGA_TEXT_PA,
		                                   .pitch = VGA_TEXT_COLS * 2,
		                                   .width = VGA_TEXT_COLS,
		                                   .height = VGA_TEXT_ROWS,
		                                   .bpp = 16,
		                                   .type = MB2_FB_EGA_TEXT};
	} else if (fb->type == MB2_FB_RGB || fb->type == MB2_FB_EGA_TEXT) {
		out->kind = fb->type == MB2_FB_RGB ? SCREEN_FRAMEBUFFER : SCREEN_VGA_TEXT;
		out->fb = *fb;
	} else
		return none(out, "the framebuffer uses indexed colour");
	len = (uint64_t)out->fb.pitch * out->fb.height;
	if (out->kind == SCREEN_VGA_TEXT && out->fb.pitch < (uint64_t)out->fb.width * 2)
		return none(out, "the text mode's pitch is shorter than a row");
	if (len == 0 || out->fb.width == 0 || out->fb.addr + len < out->fb.addr)
		return none(out, "the framebuffer has no size or wraps around");
	if (overlaps_ram(info, out->fb.addr, len))
		return none(out, "the framebuffer overlaps usable RAM");
	out->addr = out->fb.addr;
	out->len = len;
}
