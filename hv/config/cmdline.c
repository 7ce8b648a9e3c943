/* Boot command line tokenizer and value parsers. */
#include "err.h"
#include "types.h"
#include "hv/config/cmdline.h"

/* True for the token separators: space, tab, CR, LF. */
static bool is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* True for the characters allowed in a key: [A-Za-z0-9_.-]. */
static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

/* True if every character of s[0..len) is a key character. */
static bool key_chars_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!is_key_char(s[i]))
			return false;
	}
	return true;
}

/* Splits the token s[0..len) at its first '='; false if it is malformed. */
static bool split_token(const char *s, size_t len, struct cmdline_token *tok)
{
	size_t eq = 0;

	while (eq < len && s[eq] != '=')
		eq++;
	if (eq == 0 || eq >= len - 1 || eq > CMDLINE_KEY_MAX || len - eq - 1 > CMDLINE_VAL_MAX)
		return false;
	if (!key_chars_ok(s, eq))
		return false;
	tok->key = s;
	tok->key_len = eq;
	tok->val = s + eq + 1;
	tok->val_len = len - eq - 1;
	return true;
}

int cmdline_next(const char **cursor, struct cmdline_token *tok)
{
	const char *s = *cursor;
	size_t len = 0;

	while (is_sep(*s))
		s++;
	while (s[len] != '\0' && !is_sep(s[len]))
		len++;
	*cursor = s + len;
	tok->key = s;
	tok->key_len = len;
	tok->val = NULL;
	tok->val_len = 0;
	if (len == 0)
		return 0;
	return split_token(s, len, tok) ? 1 : -EINVAL;
}

bool cmdline_slice_is(const char *s, size_t len, const char *word)
{
	for (size_t i = 0; i < len; i++) {
		if (word[i] == '\0' || word[i] != s[i])
			return false;
	}
	return word[len] == '\0';
}

bool cmdline_key_is(const struct cmdline_token *tok, const char *key)
{
	return cmdline_slice_is(tok->key, tok->key_len, key);
}

/* Value of c as a digit in base (10 or 16), or -1 if it is not one. */
static int digit_value(char c, unsigned int base)
{
	int v = -1;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	return v < (int)base ? v : -1;
}

int cmdline_parse_u64(const char *s, size_t len, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	bool overflow = false;
	int d;

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		d = digit_value(s[i], base);
		if (d < 0)
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			overflow = true;
		v = v * base + (uint64_t)d;
	}
	if (overflow)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Binary shift of a K/M/G/T suffix (either case), or 0 if c is none. */
static unsigned int suffix_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	case 't':
	case 'T':
		return 40;
	default:
		return 0;
	}
}

int cmdline_parse_size(const char *s, size_t len, uint64_t *out)
{
	unsigned int shift = len > 0 ? suffix_shift(s[len - 1]) : 0;
	uint64_t v;
	int ret;

	ret = cmdline_parse_u64(s, shift ? len - 1 : len, &v);
	if (ret < 0)
		return ret;
	if (v > UINT64_MAX >> shift)
		return -ERANGE;
	*out = v << shift;
	return 0;
}
