/* printf-style formatter: C99 vsnprintf semantics for the subset in format.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"
#include "hv/lib/format.h"

#define FMT_FIELD_MAX 0x7fffffff

enum {
	FL_LEFT = 1 << 0,  /* '-' */
	FL_ZERO = 1 << 1,  /* '0' */
	FL_ALT = 1 << 2,   /* '#' */
	FL_SPACE = 1 << 3, /* ' ' */
	FL_PLUS = 1 << 4,  /* '+' */
};

enum len_mod { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

/* Output sink: counts every character, stores those that fit before the NUL. */
struct sink {
	char *buf;
	size_t size;
	size_t len;
};

/* One parsed conversion specification. prec < 0 means "not given". */
struct spec {
	unsigned int flags;
	int width;
	int prec;
	enum len_mod len;
	char conv;
};

/* Appends one character, storing it only while room for the NUL remains. */
static void put_char(struct sink *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* Appends n copies of c (n <= 0 appends nothing). */
static void put_repeat(struct sink *o, char c, long n)
{
	while (n-- > 0)
		put_char(o, c);
}

/* Appends the first n characters of s. */
static void put_mem(struct sink *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_char(o, s[i]);
}

/* Length of s, reading at most max characters. */
static size_t str_nlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/* Returns v * 10 + digit c, saturating at FMT_FIELD_MAX. */
static int add_digit(int v, char c)
{
	if (v > (FMT_FIELD_MAX - 9) / 10)
		return FMT_FIELD_MAX;
	return v * 10 + (c - '0');
}

/* Parses the flag characters at *p and advances past them. */
static unsigned int parse_flags(const char **p)
{
	unsigned int flags = 0;

	for (;; (*p)++) {
		switch (**p) {
		case '-':
			flags |= FL_LEFT;
			break;
		case '0':
			flags |= FL_ZERO;
			break;
		case '#':
			flags |= FL_ALT;
			break;
		case ' ':
			flags |= FL_SPACE;
			break;
		case '+':
			flags |= FL_PLUS;
			break;
		default:
			return flags;
		}
	}
}

/* Parses a width or precision (digits or '*') at *p into *v; false if absent. */
static bool parse_count(const char **p, va_list *ap, int *v)
{
	if (**p == '*') {
		(*p)++;
		*v = va_arg(*ap, int);
		return true;
	}
	if (**p < '0' || **p > '9')
		return false;
	*v = 0;
	while (**p >= '0' && **p <= '9')
		*v = add_digit(*v, *(*p)++);
	return true;
}

/* Parses a length modifier at *p and advances past it. */
static enum len_mod parse_len(const char **p)
{
	const char *s = *p;

	switch (*s) {
	case 'h':
		*p += s[1] == 'h' ? 2 : 1;
		return s[1] == 'h' ? LEN_HH : LEN_H;
	case 'l':
		*p += s[1] == 'l' ? 2 : 1;
		return s[1] == 'l' ? LEN_LL : LEN_L;
	case 'z':
		(*p)++;
		return LEN_Z;
	case 't':
		(*p)++;
		return LEN_T;
	case 'j':
		(*p)++;
		return LEN_J;
	default:
		return LEN_NONE;
	}
}

/* Parses the specification after a '%' at *p, leaving *p on the conversion
 * character (possibly the NUL), and consumes any '*' arguments. */
static void parse_spec(const char **p, va_list *ap, struct spec *sp)
{
	int v;

	sp->flags = parse_flags(p);
	sp->width = 0;
	if (parse_count(p, ap, &v)) {
		if (v < 0) {
			sp->flags |= FL_LEFT;
			v = v < -FMT_FIELD_MAX ? FMT_FIELD_MAX : -v;
		}
		sp->width = v;
	}
	sp->prec = -1;
	if (**p == '.') {
		(*p)++;
		if (!parse_count(p, ap, &v))
			v = 0;
		sp->prec = v < 0 ? -1 : v;
	}
	sp->len = parse_len(p);
	sp->conv = **p;
}

/* Fetches a signed argument of the size given by the length modifier. */
static intmax_t fetch_signed(enum len_mod len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

/* Fetches an unsigned argument of the size given by the length modifier. */
static uintmax_t fetch_unsigned(enum len_mod len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
	case LEN_T:
		return va_arg(*ap, size_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Writes v in base (8, 10 or 16) into the end of tmp; returns the digit count
 * (0 for v == 0). */
static int to_digits(uintmax_t v, unsigned int base, bool upper, char *tmp, int tmp_len)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	while (v != 0) {
		tmp[tmp_len - 1 - n++] = digits[v % base];
		v /= base;
	}
	return n;
}

/* Emits prefix, zeros and digits padded to the width: with spaces before or
 * after, or (flag '0' without precision) with zeros after the prefix. */
static void put_number(struct sink *o, const struct spec *sp, const char *prefix, int zeros,
                       const char *digits, int ndigits)
{
	long plen = (long)str_nlen(prefix, 2);
	long pad = (long)sp->width - plen - zeros - ndigits;

	if (!(sp->flags & FL_LEFT) && !(sp->flags & FL_ZERO && sp->prec < 0))
		put_repeat(o, ' ', pad);
	put_mem(o, prefix, (size_t)plen);
	if (!(sp->flags & FL_LEFT) && sp->flags & FL_ZERO && sp->prec < 0)
		put_repeat(o, '0', pad);
	put_repeat(o, '0', zeros);
	put_mem(o, digits, (size_t)ndigits);
	if (sp->flags & FL_LEFT)
		put_repeat(o, ' ', pad);
}

/* Formats an integer of magnitude mag (negative if neg) for conversion sp->conv. */
static void fmt_int(struct sink *o, const struct spec *sp, uintmax_t mag, bool neg)
{
	char tmp[24];
	char prefix[3] = "";
	unsigned int base = sp->conv == 'o' ? 8 : (sp->conv == 'x' || sp->conv == 'X') ? 16 : 10;
	int n = to_digits(mag, base, sp->conv == 'X', tmp, (int)sizeof(tmp));
	int prec = sp->prec < 0 ? 1 : sp->prec;
	int zeros = prec > n ? prec - n : 0;

	if (neg)
		prefix[0] = '-';
	else if ((sp->conv == 'd' || sp->conv == 'i') && sp->flags & FL_PLUS)
		prefix[0] = '+';
	else if ((sp->conv == 'd' || sp->conv == 'i') && sp->flags & FL_SPACE)
		prefix[0] = ' ';
	if (sp->flags & FL_ALT && base == 16 && mag != 0) {
		prefix[0] = '0';
		prefix[1] = sp->conv;
	}
	if (sp->flags & FL_ALT && base == 8 && zeros == 0)
		zeros = 1;
	put_number(o, sp, prefix, zeros, tmp + sizeof(tmp) - n, n);
}

/* Emits n characters of s padded with spaces to the width. */
static void put_padded(struct sink *o, const struct spec *sp, const char *s, size_t n)
{
	long pad = (long)sp->width - (long)n;

	if (!(sp->flags & FL_LEFT))
		put_repeat(o, ' ', pad);
	put_mem(o, s, n);
	if (sp->flags & FL_LEFT)
		put_repeat(o, ' ', pad);
}

/* Formats %s: NULL reads as "(null)"; the precision caps the characters read. */
static void fmt_str(struct sink *o, const struct spec *sp, const char *s)
{
	size_t max = sp->prec < 0 ? SIZE_MAX : (size_t)sp->prec;

	if (s == NULL)
		s = "(null)";
	put_padded(o, sp, s, str_nlen(s, max));
}

/* Formats %p as 0x and 16 lowercase hex digits; only width and '-' apply. */
static void fmt_ptr(struct sink *o, const struct spec *sp, const void *p)
{
	char tmp[18] = "0x";
	int n = to_digits((uintptr_t)p, 16, false, tmp + 2, 16);

	for (int i = 0; i < 16 - n; i++)
		tmp[2 + i] = '0';
	put_padded(o, sp, tmp, sizeof(tmp));
}

/* Performs one conversion; returns false if sp->conv is not a known one. */
static bool convert(struct sink *o, const struct spec *sp, va_list *ap)
{
	intmax_t v;
	char c;

	switch (sp->conv) {
	case 'd':
	case 'i':
		v = fetch_signed(sp->len, ap);
		fmt_int(o, sp, v < 0 ? 0 - (uintmax_t)v : (uintmax_t)v, v < 0);
		return true;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		fmt_int(o, sp, fetch_unsigned(sp->len, ap), false);
		return true;
	case 'p':
		fmt_ptr(o, sp, va_arg(*ap, void *));
		return true;
	case 's':
		fmt_str(o, sp, va_arg(*ap, const char *));
		return true;
	case 'c':
		c = (char)(unsigned char)va_arg(*ap, int);
		put_padded(o, sp, &c, 1);
		return true;
	case '%':
		put_char(o, '%');
		return true;
	default:
		return false;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink o = {.buf = buf, .size = size, .len = 0};
	struct spec sp;
	const char *start;
	va_list aq;

	va_copy(aq, ap);
	while (*fmt != '\0') {
		if (*fmt != '%') {
			put_char(&o, *fmt++);
			continue;
		}
		start = fmt++;
		parse_spec(&fmt, &aq, &sp);
		if (sp.conv == '\0') {
			put_mem(&o, start, (size_t)(fmt - start));
			break;
		}
		fmt++;
		if (!convert(&o, &sp, &aq))
			put_mem(&o, start, (size_t)(fmt - start));
	}
	va_end(aq);
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > FMT_FIELD_MAX ? FMT_FIELD_MAX : (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
