/* Boot command line tokenizer and value parsers (pure). */
#ifndef SABLE_HV_CMDLINE_H
#define SABLE_HV_CMDLINE_H

#include "types.h"

/* One whitespace-separated token: key=value. The slices point into the line. */
struct cmdline_token {
	const char *key;
	size_t key_len;
	const char *val;
	size_t val_len;
};

#define CMDLINE_KEY_MAX 32
#define CMDLINE_VAL_MAX 255

/*
 * Reads the next token from *cursor and advances past it.
 * Returns 1 for a well-formed key=value token, 0 at the end of the line,
 * -EINVAL for a malformed one (no '=', empty key, empty value, key longer than
 * CMDLINE_KEY_MAX, value longer than CMDLINE_VAL_MAX, key with characters
 * outside [A-Za-z0-9_.-]). For a malformed token, tok->key/key_len cover the
 * whole token and val is NULL, so the caller can name it in a warning.
 * Separators are space, tab, CR and LF. Never reads past the terminating NUL.
 */
int cmdline_next(const char **cursor, struct cmdline_token *tok);

/* True if the token's key is exactly key. */
bool cmdline_key_is(const struct cmdline_token *tok, const char *key);

/* True if the slice s[0..len) is exactly the string word. */
bool cmdline_slice_is(const char *s, size_t len, const char *word);

/* Decimal or 0x-prefixed hex unsigned integer, the whole slice. -EINVAL, -ERANGE. */
int cmdline_parse_u64(const char *s, size_t len, uint64_t *out);

/* Like cmdline_parse_u64 with an optional K/M/G/T suffix (either case, powers
 * of 1024). -EINVAL for junk, -ERANGE on overflow. */
int cmdline_parse_size(const char *s, size_t len, uint64_t *out);

#endif
