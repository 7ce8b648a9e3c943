/* printf-style formatter (pure: no I/O, no locks). */
#ifndef SABLE_HV_FORMAT_H
#define SABLE_HV_FORMAT_H

#include <stdarg.h>
#include "types.h"

/*
 * Formats into buf (size bytes, always NUL-terminated when size > 0) and returns
 * the number of characters the full result has, as C99 vsnprintf does.
 * Conversions: %d %i %u %x %X %o %p %s %c %%; flags '-', '0', '#', ' ', '+';
 * width and precision (also '*'); length modifiers hh h l ll z t j.
 * %s of NULL prints "(null)"; %p prints 0x followed by 16 hex digits.
 * An unknown conversion is copied through literally.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
