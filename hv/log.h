/* Console logging: levels, a [cpuN] prefix, whole lines even from several cores, to COM1 and
 * the screen (drivers/screen.h) under one lock. */
#ifndef SABLE_HV_LOG_H
#define SABLE_HV_LOG_H

#include <stdarg.h>
#include "types.h"

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

extern enum log_level log_threshold;

/* Writes one line "[cpuN] <LEVEL: >message\n" if level <= log_threshold. */
void log_printf(enum log_level level, const char *fmt, ...) __printf(2, 3);
void log_vprintf(enum log_level level, const char *fmt, va_list ap);
/* Formatted output with no prefix and no level filter (dumps, banners). */
void log_raw(const char *fmt, ...) __printf(1, 2);
#define LOG_PROMPT_MAX 128

/*
 * The monitor's input line (prompt and what was typed so far): while it is
 * set, every log line erases it, is printed, and redraws it, so that console
 * output never breaks the line being typed. Writes echo (the editor's echo of
 * one key) if echo_len, else redraws line; len 0 clears it (nothing drawn).
 */
void log_prompt(const char *echo, size_t echo_len, const char *line, size_t len);
/* Marks the console for emergency use: later writers break a held lock after a bounded wait. */
void log_begin_emergency(void);
/* Turns the serial console on or off (console=); the screen console is drivers/screen.h's. */
void log_set_serial(bool on);
/* Waits until the UART has sent every byte. */
void log_flush(void);

#define log_err(...)   log_printf(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

#endif
