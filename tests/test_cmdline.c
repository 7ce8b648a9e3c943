/* Unit tests for hv/cmdline.c: tokenizer and value parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "hv/config/cmdline.h"

/* Heap copy of s of exactly strlen(s) + 1 bytes, so ASan flags reads past the NUL. */
static char *exact_copy(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

/* Reads the next token and requires result 1 with the given key and value. */
static void expect_pair(const char **cur, const char *key, const char *val)
{
	struct cmdline_token tok;

	assert_int_equal(cmdline_next(cur, &tok), 1);
	assert_int_equal(tok.key_len, strlen(key));
	assert_memory_equal(tok.key, key, tok.key_len);
	assert_non_null(tok.val);
	assert_int_equal(tok.val_len, strlen(val));
	assert_memory_equal(tok.val, val, tok.val_len);
}

/* Reads the next token and requires -EINVAL with the whole token as key slice. */
static void expect_bad(const char **cur, const char *token)
{
	struct cmdline_token tok;

	assert_int_equal(cmdline_next(cur, &tok), -EINVAL);
	assert_int_equal(tok.key_len, strlen(token));
	assert_memory_equal(tok.key, token, tok.key_len);
	assert_null(tok.val);
}

/* Requires the end of the line, twice: the end is sticky. */
static void expect_end(const char **cur)
{
	struct cmdline_token tok;
	const char *at;

	assert_int_equal(cmdline_next(cur, &tok), 0);
	at = *cur;
	assert_int_equal(**cur, '\0');
	assert_int_equal(cmdline_next(cur, &tok), 0);
	assert_ptr_equal(*cur, at);
}

static void test_empty_and_blank(void **state)
{
	char *line = exact_copy("");
	const char *cur = line;

	expect_end(&cur);
	assert_ptr_equal(cur, line);
	free(line);

	line = exact_copy(" \t\r\n  ");
	cur = line;
	expect_end(&cur);
	free(line);
}

static void test_tokens_and_whitespace(void **state)
{
	char *line = exact_copy("  \tloglevel=info\r\nserial=0x3f8\t \tvm=linux  ");
	const char *cur = line;

	expect_pair(&cur, "loglevel", "info");
	expect_pair(&cur, "serial", "0x3f8");
	expect_pair(&cur, "vm", "linux");
	expect_end(&cur);
	free(line);
}

static void test_slices_point_into_line(void **state)
{
	char *line = exact_copy("a=b cc=dd");
	const char *cur = line;
	struct cmdline_token tok;

	assert_int_equal(cmdline_next(&cur, &tok), 1);
	assert_ptr_equal(tok.key, line);
	assert_ptr_equal(tok.val, line + 2);
	assert_ptr_equal(cur, line + 3);
	assert_int_equal(cmdline_next(&cur, &tok), 1);
	assert_ptr_equal(tok.key, line + 4);
	assert_ptr_equal(tok.val, line + 7);
	assert_ptr_equal(cur, line + 9);
	free(line);
}

static void test_value_with_equals_and_commas(void **state)
{
	char *line = exact_copy("vm=a:module=1,mem=128M x==y k=v=");
	const char *cur = line;

	expect_pair(&cur, "vm", "a:module=1,mem=128M");
	expect_pair(&cur, "x", "=y");
	expect_pair(&cur, "k", "v=");
	expect_end(&cur);
	free(line);
}

static void test_key_characters(void **state)
{
	char *line = exact_copy("A-z_0.9=1 k@y=1 k/=1 k:x=1 ok=1");
	const char *cur = line;

	expect_pair(&cur, "A-z_0.9", "1");
	expect_bad(&cur, "k@y=1");
	expect_bad(&cur, "k/=1");
	expect_bad(&cur, "k:x=1");
	expect_pair(&cur, "ok", "1");
	expect_end(&cur);
	free(line);
}

static void test_malformed_then_continue(void **state)
{
	char *line = exact_copy("/boot/sable.elf quiet =v k= = loglevel=debug");
	const char *cur = line;

	expect_bad(&cur, "/boot/sable.elf");
	expect_bad(&cur, "quiet");
	expect_bad(&cur, "=v");
	expect_bad(&cur, "k=");
	expect_bad(&cur, "=");
	expect_pair(&cur, "loglevel", "debug");
	expect_end(&cur);
	free(line);
}

static void test_malformed_last_token(void **state)
{
	char *line = exact_copy("a=1 novalue");
	const char *cur = line;

	expect_pair(&cur, "a", "1");
	expect_bad(&cur, "novalue");
	expect_end(&cur);
	free(line);
}

static void test_length_limits(void **state)
{
	char key_ok[CMDLINE_KEY_MAX + 1], key_long[CMDLINE_KEY_MAX + 2];
	char val_ok[CMDLINE_VAL_MAX + 1], val_long[CMDLINE_VAL_MAX + 2];
	char buf[1024];
	char *line;
	const char *cur;

	memset(key_ok, 'k', CMDLINE_KEY_MAX);
	key_ok[CMDLINE_KEY_MAX] = '\0';
	memset(key_long, 'k', CMDLINE_KEY_MAX + 1);
	key_long[CMDLINE_KEY_MAX + 1] = '\0';
	memset(val_ok, 'v', CMDLINE_VAL_MAX);
	val_ok[CMDLINE_VAL_MAX] = '\0';
	memset(val_long, 'v', CMDLINE_VAL_MAX + 1);
	val_long[CMDLINE_VAL_MAX + 1] = '\0';
	snprintf(buf, sizeof(buf), "%s=1 %s=1 a=%s a=%s end=1", key_ok, key_long, val_ok, val_long);
	line = exact_copy(buf);
	cur = line;

	expect_pair(&cur, key_ok, "1");
	snprintf(buf, sizeof(buf), "%s=1", key_long);
	expect_bad(&cur, buf);
	expect_pair(&cur, "a", val_ok);
	snprintf(buf, sizeof(buf), "a=%s", val_long);
	expect_bad(&cur, buf);
	expect_pair(&cur, "end", "1");
	expect_end(&cur);
	free(line);
}

static void test_key_is_and_slice_is(void **state)
{
	char *line = exact_copy("loglevel=info");
	const char *cur = line;
	struct cmdline_token tok;

	assert_int_equal(cmdline_next(&cur, &tok), 1);
	assert_true(cmdline_key_is(&tok, "loglevel"));
	assert_false(cmdline_key_is(&tok, "log"));
	assert_false(cmdline_key_is(&tok, "loglevelx"));
	assert_false(cmdline_key_is(&tok, "Loglevel"));
	assert_false(cmdline_key_is(&tok, ""));
	assert_true(cmdline_slice_is(tok.val, tok.val_len, "info"));
	assert_false(cmdline_slice_is(tok.val, tok.val_len, "inf"));
	assert_false(cmdline_slice_is(tok.val, tok.val_len, "infos"));
	assert_false(cmdline_slice_is(tok.val, tok.val_len, "infx"));
	assert_true(cmdline_slice_is("", 0, ""));
	assert_false(cmdline_slice_is("", 0, "a"));
	assert_true(cmdline_slice_is("abc", 2, "ab"));
	free(line);
}

static void test_slice_is_stops_at_word_end(void **state)
{
	char *word = exact_copy("ab");

	/* The slice holds a NUL where the word ends: no match, no read past it. */
	assert_false(cmdline_slice_is("ab\0c", 4, word));
	assert_false(cmdline_slice_is("ab\0", 3, word));
	assert_true(cmdline_slice_is("ab\0", 2, word));
	free(word);
}

/* Parses s (without its NUL, from an exact heap copy) with cmdline_parse_u64. */
static int parse_u64(const char *s, uint64_t *out)
{
	char *copy = malloc(strlen(s) ? strlen(s) : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, s, strlen(s));
	ret = cmdline_parse_u64(copy, strlen(s), out);
	free(copy);
	return ret;
}

/* Parses s (without its NUL, from an exact heap copy) with cmdline_parse_size. */
static int parse_size(const char *s, uint64_t *out)
{
	char *copy = malloc(strlen(s) ? strlen(s) : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, s, strlen(s));
	ret = cmdline_parse_size(copy, strlen(s), out);
	free(copy);
	return ret;
}

/* Requires parse_u64(s) to succeed with value want. */
static void expect_u64(const char *s, uint64_t want)
{
	uint64_t v = ~want;

	assert_int_equal(parse_u64(s, &v), 0);
	assert_int_equal(v, want);
}

/* Requires parse_u64(s) to fail with err and leave the output untouched. */
static void expect_u64_err(const char *s, int err)
{
	uint64_t v = 0x5a5a;

	assert_int_equal(parse_u64(s, &v), err);
	assert_int_equal(v, 0x5a5a);
}

static void test_parse_u64_ok(void **state)
{
	expect_u64("0", 0);
	expect_u64("7", 7);
	expect_u64("1234567890", 1234567890ull);
	expect_u64("007", 7);
	expect_u64("0x0", 0);
	expect_u64("0x3f8", 0x3f8);
	expect_u64("0X3F8", 0x3f8);
	expect_u64("0xDeadBeef", 0xdeadbeefull);
	expect_u64("0xabcdef", 0xabcdef);
	expect_u64("0xABCDEF", 0xabcdef);
	expect_u64("18446744073709551615", UINT64_MAX);
	expect_u64("0xffffffffffffffff", UINT64_MAX);
	expect_u64("0x0000000000000000ffffffffffffffff", UINT64_MAX);
}

static void test_parse_u64_errors(void **state)
{
	expect_u64_err("", -EINVAL);
	expect_u64_err("0x", -EINVAL);
	expect_u64_err("0X", -EINVAL);
	expect_u64_err("x10", -EINVAL);
	expect_u64_err("12a", -EINVAL);
	expect_u64_err("abc", -EINVAL);
	expect_u64_err("0xg", -EINVAL);
	expect_u64_err("0x12g", -EINVAL);
	expect_u64_err("-1", -EINVAL);
	expect_u64_err("+1", -EINVAL);
	expect_u64_err(" 1", -EINVAL);
	expect_u64_err("1 ", -EINVAL);
	expect_u64_err("1.5", -EINVAL);
	expect_u64_err("0x0x1", -EINVAL);
	expect_u64_err("18446744073709551616", -ERANGE);
	expect_u64_err("99999999999999999999", -ERANGE);
	expect_u64_err("0x10000000000000000", -ERANGE);
	/* Junk wins over overflow. */
	expect_u64_err("99999999999999999999z", -EINVAL);
}

static void test_parse_u64_uses_only_the_slice(void **state)
{
	uint64_t v = 0;

	assert_int_equal(cmdline_parse_u64("123456", 3, &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(cmdline_parse_u64("0x1fz", 4, &v), 0);
	assert_int_equal(v, 0x1f);
	assert_int_equal(cmdline_parse_u64("12,mem", 2, &v), 0);
	assert_int_equal(v, 12);
}

/* Requires parse_size(s) to succeed with value want. */
static void expect_size(const char *s, uint64_t want)
{
	uint64_t v = ~want;

	assert_int_equal(parse_size(s, &v), 0);
	assert_int_equal(v, want);
}

/* Requires parse_size(s) to fail with err and leave the output untouched. */
static void expect_size_err(const char *s, int err)
{
	uint64_t v = 0x5a5a;

	assert_int_equal(parse_size(s, &v), err);
	assert_int_equal(v, 0x5a5a);
}

static void test_parse_size_ok(void **state)
{
	expect_size("0", 0);
	expect_size("4096", 4096);
	expect_size("4K", 4ull << 10);
	expect_size("128M", 128ull << 20);
	expect_size("2G", 2ull << 30);
	expect_size("1T", 1ull << 40);
	expect_size("4k", 4ull << 10);
	expect_size("128m", 128ull << 20);
	expect_size("2g", 2ull << 30);
	expect_size("1t", 1ull << 40);
	expect_size("0x10M", 16ull << 20);
	expect_size("0M", 0);
	expect_size("18446744073709551615", UINT64_MAX);
	expect_size("16777215T", 16777215ull << 40);
	expect_size("17179869183G", 17179869183ull << 30);
}

static void test_parse_size_errors(void **state)
{
	expect_size_err("", -EINVAL);
	expect_size_err("M", -EINVAL);
	expect_size_err("k", -EINVAL);
	expect_size_err("12Q", -EINVAL);
	expect_size_err("12KB", -EINVAL);
	expect_size_err("1MK", -EINVAL);
	expect_size_err("K12", -EINVAL);
	expect_size_err("0xM", -EINVAL);
	expect_size_err("-1M", -EINVAL);
	expect_size_err("16777216T", -ERANGE);
	expect_size_err("17179869184G", -ERANGE);
	expect_size_err("18014398509481984K", -ERANGE);
	expect_size_err("18446744073709551615K", -ERANGE);
	expect_size_err("18446744073709551616", -ERANGE);
	expect_size_err("18446744073709551616M", -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_blank),
		cmocka_unit_test(test_tokens_and_whitespace),
		cmocka_unit_test(test_slices_point_into_line),
		cmocka_unit_test(test_value_with_equals_and_commas),
		cmocka_unit_test(test_key_characters),
		cmocka_unit_test(test_malformed_then_continue),
		cmocka_unit_test(test_malformed_last_token),
		cmocka_unit_test(test_length_limits),
		cmocka_unit_test(test_key_is_and_slice_is),
		cmocka_unit_test(test_slice_is_stops_at_word_end),
		cmocka_unit_test(test_parse_u64_ok),
		cmocka_unit_test(test_parse_u64_errors),
		cmocka_unit_test(test_parse_u64_uses_only_the_slice),
		cmocka_unit_test(test_parse_size_ok),
		cmocka_unit_test(test_parse_size_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
