#include "hv/log.h"
#include "drivers/screen.h"
#include "drivers/uart.h"
#include "hv/lib/format.h"
#include "hv/percpu.h"
#include "hv/lib/spinlock.h"
#include "param.h"

enum log_level log_threshold = LOG_INFO;

static struct spinlock console_lock = SPINLOCK_INIT;
static volatile bool emergency;
static bool serial_on = true;
/* The monitor's prompt and partial line (log_prompt): redrawn after each log line. */
static char prompt[LOG_PROMPT_MAX];
static size_t prompt_len;

#define ERASE_LINE "\r\033[K" /* CR, then erase to the end of the line (ECMA-48 EL) */

static const char *const level_tags[] = {
	[LOG_ERR] = "ERROR: ",
	[LOG_WARN] = "WARN: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

/* Emits a finished buffer under the console lock; in an emergency the lock is
 * taken with a bounded wait, so a core stopped while holding it cannot block panic. */
static void console_emit(const char *s, size_t n)
{
	bool locked;

	if (emergency)
		locked = spin_lock_bounded(&console_lock, 1u << 22);
	else {
		spin_lock(&console_lock);
		locked = true;
	}
	if (serial_on) {
		if (prompt_len)
			uart_write(ERASE_LINE, sizeof(ERASE_LINE) - 1);
		uart_write(s, n);
		if (prompt_len)
			uart_write(prompt, prompt_len);
	}
	screen_write(s, n);
	if (locked)
		spin_unlock(&console_lock);
}

void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int n;
	size_t len;

	if (level > log_threshold)
		return;
	n = fmt_snprintf(line, sizeof(line), "[cpu%u] %s", cpu_id(), level_tags[level]);
	len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	fmt_vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	len = 0;
	while (line[len])
		len++;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	console_emit(line, len);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}

void log_raw(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_emit(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void log_prompt(const char *echo, size_t echo_len, const char *line, size_t len)
{
	spin_lock(&console_lock);
	if (len > sizeof(prompt))
		len = sizeof(prompt);
	if (serial_on) {
		if (echo_len)
			uart_write(echo, echo_len);
		else if (len)
			uart_write(ERASE_LINE, sizeof(ERASE_LINE) - 1);
		if (!echo_len)
			uart_write(line, len);
	}
	for (size_t i = 0; i < len; i++)
		prompt[i] = line[i];
	prompt_len = len;
	spin_unlock(&console_lock);
}

void log_begin_emergency(void)
{
	emergency = true;
}

void log_set_serial(bool on)
{
	spin_lock(&console_lock);
	serial_on = on;
	spin_unlock(&console_lock);
}

void log_flush(void)
{
	uart_drain();
}
