/* The screen console's hardware side: VGA text cells and framebuffer pixels. */
#include "drivers/screen.h"
#include "hv/lib/fbdraw.h"
#include "hv/lib/psf.h"
#include "hv/lib/textcon.h"
#include "mm/mm.h"
#include "param.h"
#include "x86.h"

#define VGA_ATTR         0x07 /* light grey on black */
#define VGA_CRTC_IDX     0x3d4
#define VGA_CRTC_DATA    0x3d5
#define VGA_CURSOR_START 0x0a
#define VGA_CURSOR_OFF   0x20

enum screen_state { SCREEN_EARLY, SCREEN_ON, SCREEN_OFF };

extern const uint8_t console_font_start[], console_font_end[];

static enum screen_state state = SCREEN_EARLY;
static char early[SCREEN_EARLY_BUF];
static size_t early_len;
static struct screen_choice choice;
static struct textcon con;
static char grid[SCREEN_MAX_COLS * SCREEN_MAX_ROWS];
static struct psf_font font;
static struct fb_surface surface;
static uint32_t fg, bg;
static volatile uint16_t *vga;
static uint32_t vga_stride; /* cells per row */

static void vga_draw(void *ctx, uint32_t col, uint32_t row, char ch)
{
	vga[(size_t)row * vga_stride + col] = (uint16_t)(VGA_ATTR << 8 | (uint8_t)ch);
}

static void fb_draw(void *ctx, uint32_t col, uint32_t row, char ch)
{
	fb_draw_char(&surface, &font, col, row, (unsigned char)ch, fg, bg);
}

static int start_vga(void)
{
	vga = phys_to_virt(choice.addr);
	vga_stride = choice.fb.pitch / 2;
	/* the BIOS cursor would blink where it was left: hide it */
	outb(VGA_CRTC_IDX, VGA_CURSOR_START);
	outb(VGA_CRTC_DATA, inb(VGA_CRTC_DATA) | VGA_CURSOR_OFF);
	return textcon_init(&con, MIN(choice.fb.width, SCREEN_MAX_COLS),
	                    MIN(choice.fb.height, SCREEN_MAX_ROWS), grid, sizeof(grid), vga_draw,
	                    NULL);
}

static int start_fb(void)
{
	const struct mb2_framebuffer *fb = &choice.fb;

	if (psf_parse(console_font_start, (size_t)(console_font_end - console_font_start), &font) <
	    0) {
		choice.why = "the built-in font does not parse";
		return -1;
	}
	if (mm_map_mmio(choice.addr, choice.len) < 0) {
		choice.why = "the framebuffer cannot be mapped";
		return -1;
	}
	surface = (struct fb_surface){phys_to_virt(fb->addr),
	                              fb->pitch,
	                              fb->width,
	                              fb->height,
	                              fb->bpp,
	                              fb->red_pos,
	                              fb->red_size,
	                              fb->green_pos,
	                              fb->green_size,
	                              fb->blue_pos,
	                              fb->blue_size};
	if (fb_check(&surface) < 0 || fb_cols(&surface, &font) == 0 ||
	    fb_rows(&surface, &font) == 0) {
		choice.why = "the framebuffer's format is not drawable";
		return -1;
	}
	fg = fb_rgb(&surface, 0xaa, 0xaa, 0xaa);
	bg = fb_rgb(&surface, 0, 0, 0);
	return textcon_init(&con, MIN(fb_cols(&surface, &font), SCREEN_MAX_COLS),
	                    MIN(fb_rows(&surface, &font), SCREEN_MAX_ROWS), grid, sizeof(grid),
	                    fb_draw, NULL);
}

const struct screen_choice *screen_init(const struct mb2_info *info)
{
	int r = -1;

	if (state != SCREEN_EARLY)
		return &choice;
	screen_pick(info, &choice);
	if (choice.kind == SCREEN_VGA_TEXT)
		r = start_vga();
	else if (choice.kind == SCREEN_FRAMEBUFFER)
		r = start_fb();
	if (r < 0) {
		if (choice.kind != SCREEN_NONE && choice.why == NULL)
			choice.why = "the screen is too small";
		choice.kind = SCREEN_NONE;
		state = SCREEN_OFF;
		return &choice;
	}
	state = SCREEN_ON;
	textcon_write(&con, early, early_len);
	return &choice;
}

void screen_write(const char *s, size_t n)
{
	if (state == SCREEN_ON)
		textcon_write(&con, s, n);
	else if (state == SCREEN_EARLY) {
		n = MIN(n, sizeof(early) - early_len);
		for (size_t i = 0; i < n; i++)
			early[early_len + i] = s[i];
		early_len += n;
	}
}

void screen_disable(void)
{
	state = SCREEN_OFF;
	early_len = 0;
}
