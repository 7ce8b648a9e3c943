#include "hv/lib/lineedit.h"

#define KEY_CTRL_C 0x03
#define KEY_BS     0x08
#define KEY_CTRL_U 0x15
#define KEY_ESC    0x1b
#define KEY_DEL    0x7f

void lineedit_reset(struct lineedit *e)
{
	e->len = 0;
	e->buf[0] = 0;
	e->refused = 0;
	e->esc = 0;
}

static size_t put(char *echo, const char *s)
{
	size_t n = 0;

	while (s[n] && n < LINEEDIT_ECHO) {
		echo[n] = s[n];
		n++;
	}
	return n;
}

/* ESC [ params final: the final byte is 0x40-0x7e (ECMA-48 sec. 5.4). */
static bool skip_escape(struct lineedit *e, uint8_t c)
{
	if (e->esc == 1) {
		e->esc = c == '[' ? 2 : 0;
		return true;
	}
	if (e->esc == 2) {
		if (c >= 0x40 && c <= 0x7e)
			e->esc = 0;
		return true;
	}
	return false;
}

static enum lineedit_result enter(struct lineedit *e, char *echo, size_t *echo_len)
{
	*echo_len = put(echo, "\n");
	if (e->refused) {
		lineedit_reset(e);
		return LINEEDIT_TOO_LONG;
	}
	e->buf[e->len] = 0;
	e->len = 0;
	e->esc = 0;
	return LINEEDIT_LINE;
}

enum lineedit_result lineedit_key(struct lineedit *e, uint8_t c, char *echo, size_t *echo_len)
{
	bool after_cr = e->after_cr;

	*echo_len = 0;
	e->after_cr = c == '\r';
	if (skip_escape(e, c))
		return LINEEDIT_MORE;
	if (e->len == 0 && e->buf[0])
		e->buf[0] = 0; /* the previous line was taken */
	switch (c) {
	case '\r':
		return enter(e, echo, echo_len);
	case '\n':
		if (after_cr)
			return LINEEDIT_MORE;
		return enter(e, echo, echo_len);
	case KEY_CTRL_C:
		lineedit_reset(e);
		*echo_len = put(echo, "^C\n");
		return LINEEDIT_CANCEL;
	case KEY_CTRL_U:
		lineedit_reset(e);
		return LINEEDIT_REDRAW;
	case KEY_BS:
	case KEY_DEL:
		if (e->refused) {
			e->refused--; /* what was refused was never shown */
			return LINEEDIT_MORE;
		}
		if (e->len) {
			e->buf[--e->len] = 0;
			*echo_len = put(echo, "\b \b");
		}
		return LINEEDIT_MORE;
	case KEY_ESC:
		e->esc = 1;
		return LINEEDIT_MORE;
	default:
		break;
	}
	if (c < 0x20 || c > 0x7e)
		return LINEEDIT_MORE;
	if (e->len == LINEEDIT_MAX) {
		e->refused++;
		return LINEEDIT_MORE;
	}
	e->buf[e->len++] = (char)c;
	e->buf[e->len] = 0;
	echo[0] = (char)c;
	*echo_len = 1;
	return LINEEDIT_MORE;
}
