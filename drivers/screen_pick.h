/* Which screen the console draws on, from the multiboot2 boot information (pure). */
#ifndef SABLE_DRIVERS_SCREEN_PICK_H
#define SABLE_DRIVERS_SCREEN_PICK_H

#include "hv/loader/multiboot2.h"
#include "types.h"

#define VGA_TEXT_PA   0xb8000
#define VGA_TEXT_COLS 80
#define VGA_TEXT_ROWS 25

enum screen_kind {
	SCREEN_NONE = 0,
	SCREEN_VGA_TEXT,    /* character cells with attribute bytes */
	SCREEN_FRAMEBUFFER, /* linear direct-colour pixels */
};

struct screen_choice {
	enum screen_kind kind;
	uint64_t addr, len; /* physical range the console writes */
	struct mb2_framebuffer fb;
	const char *why; /* SCREEN_NONE: the reason, for the boot log */
};

/*
 * A direct-RGB framebuffer tag gives a framebuffer, an EGA text tag VGA text
 * mode at its address; with no tag, a loader that did not start from UEFI
 * (no EFI64 tag) leaves the BIOS's 80x25 text mode at 0xB8000. A framebuffer
 * that wraps the address space, lies in usable RAM, or has a size of zero is
 * refused, as is an indexed-colour one.
 */
void screen_pick(const struct mb2_info *info, struct screen_choice *out);

#endif
