/* The console on the screen: VGA text mode or a linear framebuffer, fed the same lines as COM1. */
#ifndef SABLE_DRIVERS_SCREEN_H
#define SABLE_DRIVERS_SCREEN_H

#include "drivers/screen_pick.h"
#include "types.h"

/*
 * Finds the screen in the boot information (drivers/screen_pick.h), maps a
 * framebuffer above the direct map uncached, clears the screen and draws the
 * bytes written so far. Call once, after paging is set up. Returns the choice
 * (SCREEN_NONE with the reason when there is no usable screen).
 */
const struct screen_choice *screen_init(const struct mb2_info *info);

/* Draws n console bytes; before screen_init they are kept (up to SCREEN_EARLY_BUF).
 * The caller serializes calls (the console lock). */
void screen_write(const char *s, size_t n);

/* No screen output from now on (console=serial); the kept bytes are dropped. */
void screen_disable(void);

#endif
