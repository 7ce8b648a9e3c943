// SPDX-License-Identifier: MIT
/*
 * Sable guest library: a small printf. One formatter feeds either COM1 or a
 * caller's buffer; see guest.h for the supported conversions.
 */
#include "guest.h"

struct sink {
	bool serial; /* true: write to COM1, else to buf */
	char *buf;
	size_t size;
	size_t len; /* bytes produced so far (including ones that did not fit) */
};

/* Emits one byte to the sink, dropping it if a buffer is full. */
static void sink_put(struct sink *s, char c)
{
	if (s->serial)
		serial_putc(c);
	else if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

/* Emits c count times. */
static void sink_repeat(struct sink *s, char c, int count)
{
	while (count-- > 0)
		sink_put(s, c);
}

/* Emits an unsigned number in base (8, 10 or 16) honouring width, '0' and '-'. */
static void put_number(struct sink *s, uint64_t v, unsigned int base, bool upper, bool negative,
                       int width, bool zero_pad, bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);

	len = n + (negative ? 1 : 0);
	if (!left && !zero_pad)
		sink_repeat(s, ' ', width - len);
	if (negative)
		sink_put(s, '-');
	if (!left && zero_pad)
		sink_repeat(s, '0', width - len);
	while (n)
		sink_put(s, tmp[--n]);
	if (left)
		sink_repeat(s, ' ', width - len);
}

/* The formatter shared by all printf variants; returns the produced length. */
static int format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		bool left = false, zero_pad = false, upper = false;
		int width = 0, longs = 0;
		unsigned int base = 10;
		uint64_t u;
		int64_t d;

		if (*fmt != '%') {
			sink_put(s, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				zero_pad = true;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = true;
				width = -width;
			}
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i':
			d = longs >= 2 ? va_arg(ap, long long) : (int64_t)va_arg(ap, long);
			put_number(s, d < 0 ? -(uint64_t)d : (uint64_t)d, 10, false, d < 0, width,
			           zero_pad, left);
			break;
		case 'X':
		case 'x':
		case 'o':
		case 'u':
			if (*fmt == 'x' || *fmt == 'X')
				base = 16;
			else if (*fmt == 'o')
				base = 8;
			upper = *fmt == 'X';
			u = longs >= 2 ? va_arg(ap, unsigned long long)
			               : (uint64_t)va_arg(ap, unsigned long);
			put_number(s, u, base, upper, false, width, zero_pad, left);
			break;
		case 'p':
			sink_put(s, '0');
			sink_put(s, 'x');
			put_number(s, (uintptr_t)va_arg(ap, void *), 16, false, false, 8, true,
			           false);
			break;
		case 'c':
			if (!left)
				sink_repeat(s, ' ', width - 1);
			sink_put(s, (char)va_arg(ap, int));
			if (left)
				sink_repeat(s, ' ', width - 1);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			int len;

			if (!str)
				str = "(null)";
			len = (int)strlen(str);
			if (!left)
				sink_repeat(s, ' ', width - len);
			while (*str)
				sink_put(s, *str++);
			if (left)
				sink_repeat(s, ' ', width - len);
			break;
		}
		case '%':
			sink_put(s, '%');
			break;
		case '\0':
			return (int)s->len;
		default: /* unknown conversion: print it literally */
			sink_put(s, '%');
			sink_put(s, *fmt);
			break;
		}
	}
	return (int)s->len;
}

int vprintf(const char *fmt, va_list ap)
{
	struct sink s = {.serial = true};

	return format(&s, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = {.buf = buf, .size = size};
	int n = format(&s, fmt, ap);

	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
