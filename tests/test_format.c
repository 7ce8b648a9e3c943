/* Unit tests for hv/format.c: fmt_snprintf / fmt_vsnprintf. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include "hv/lib/format.h"

/* Formats with fmt_snprintf and the host snprintf into 256-byte buffers and
 * requires the same return value and text. */
#define SAME_AS_LIBC(...)                                                                          \
	do {                                                                                       \
		char ours_[256], libc_[256];                                                       \
		int ro_ = fmt_snprintf(ours_, sizeof(ours_), __VA_ARGS__);                         \
		int rl_ = snprintf(libc_, sizeof(libc_), __VA_ARGS__);                             \
		check_same(#__VA_ARGS__, ours_, ro_, libc_, rl_);                                  \
	} while (0)

/* Fails with the call's text when the two results differ. */
static void check_same(const char *call, const char *ours, int ro, const char *libc, int rl)
{
	if (ro != rl || strcmp(ours, libc) != 0)
		fail_msg("%s: ours \"%s\" (%d), libc \"%s\" (%d)", call, ours, ro, libc, rl);
}

/* Calls fmt_vsnprintf without the printf attribute, for formats the compiler
 * would reject (unknown conversions, a trailing '%'). */
static int fmt_raw(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Formats with fmt_raw and requires the text want and its length as result. */
#define EXPECT_RAW(want, ...)                                                                      \
	do {                                                                                       \
		char out_[256];                                                                    \
		int r_ = fmt_raw(out_, sizeof(out_), __VA_ARGS__);                                 \
		assert_string_equal(out_, want);                                                   \
		assert_int_equal(r_, strlen(want));                                                \
	} while (0)

static void test_plain_text(void **state)
{
	SAME_AS_LIBC("%s", "");
	SAME_AS_LIBC("hello, world");
	SAME_AS_LIBC("100%% sure");
	SAME_AS_LIBC("%%%d%%", 7);
	EXPECT_RAW("", "");
}

static void test_signed(void **state)
{
	SAME_AS_LIBC("%d", 0);
	SAME_AS_LIBC("%d", 42);
	SAME_AS_LIBC("%i", -42);
	SAME_AS_LIBC("%d", INT_MAX);
	SAME_AS_LIBC("%d", INT_MIN);
	SAME_AS_LIBC("%ld", LONG_MIN);
	SAME_AS_LIBC("%lld", (long long)INT64_MIN);
	SAME_AS_LIBC("%lld", (long long)INT64_MAX);
	SAME_AS_LIBC("%jd", (intmax_t)INT64_MIN);
	SAME_AS_LIBC("%zd", (ssize_t)-5);
	SAME_AS_LIBC("%td", (ptrdiff_t)-123456789012345);
	SAME_AS_LIBC("%hd", 40000);
	SAME_AS_LIBC("%hd", -32768);
	SAME_AS_LIBC("%hhd", 200);
	SAME_AS_LIBC("%hhi", -128);
	SAME_AS_LIBC("%hhd", 0x17f);
}

static void test_unsigned(void **state)
{
	SAME_AS_LIBC("%u", 0u);
	SAME_AS_LIBC("%u", UINT_MAX);
	SAME_AS_LIBC("%u", -1);
	SAME_AS_LIBC("%lu", ULONG_MAX);
	SAME_AS_LIBC("%llu", (unsigned long long)UINT64_MAX);
	SAME_AS_LIBC("%ju", (uintmax_t)UINT64_MAX);
	SAME_AS_LIBC("%zu", (size_t)SIZE_MAX);
	SAME_AS_LIBC("%tu", (size_t)12345);
	SAME_AS_LIBC("%hu", 70000);
	SAME_AS_LIBC("%hhu", 257);
	SAME_AS_LIBC("%x", 0xdeadbeefu);
	SAME_AS_LIBC("%X", 0xdeadbeefu);
	SAME_AS_LIBC("%llx", (unsigned long long)UINT64_MAX);
	SAME_AS_LIBC("%lX", 0xabcdef0123456789ul);
	SAME_AS_LIBC("%hx", 0x12345);
	SAME_AS_LIBC("%hhx", 0x1ff);
	SAME_AS_LIBC("%x", 0u);
	SAME_AS_LIBC("%o", 8u);
	SAME_AS_LIBC("%o", 0u);
	SAME_AS_LIBC("%llo", (unsigned long long)UINT64_MAX);
}

/* The tables below include flag combinations C99 defines as ignored ('0' with
 * '-' or a precision, ' ' with '+', '+' on unsigned): gcc warns about them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"

static void test_flags(void **state)
{
	SAME_AS_LIBC("[%5d]", 42);
	SAME_AS_LIBC("[%-5d]", 42);
	SAME_AS_LIBC("[%05d]", 42);
	SAME_AS_LIBC("[%05d]", -42);
	SAME_AS_LIBC("[%-05d]", -42);
	SAME_AS_LIBC("[%+d]", 42);
	SAME_AS_LIBC("[%+d]", -42);
	SAME_AS_LIBC("[%+d]", 0);
	SAME_AS_LIBC("[% d]", 42);
	SAME_AS_LIBC("[% d]", -42);
	SAME_AS_LIBC("[% +d]", 42);
	SAME_AS_LIBC("[%+05d]", 42);
	SAME_AS_LIBC("[% 05d]", 42);
	SAME_AS_LIBC("[%+u]", 42u);
	SAME_AS_LIBC("[% x]", 42u);
	SAME_AS_LIBC("[%#x]", 0xabu);
	SAME_AS_LIBC("[%#X]", 0xabu);
	SAME_AS_LIBC("[%#x]", 0u);
	SAME_AS_LIBC("[%#10x]", 0xabu);
	SAME_AS_LIBC("[%#-10x]", 0xabu);
	SAME_AS_LIBC("[%#010x]", 0xabu);
	SAME_AS_LIBC("[%#o]", 8u);
	SAME_AS_LIBC("[%#o]", 0u);
	SAME_AS_LIBC("[%#5o]", 8u);
	SAME_AS_LIBC("[%#.3o]", 8u);
	SAME_AS_LIBC("[%#.0o]", 0u);
	SAME_AS_LIBC("[%#llo]", (unsigned long long)UINT64_MAX);
	SAME_AS_LIBC("[%-+8d]", 7);
	SAME_AS_LIBC("[%0-8d]", 7);
	SAME_AS_LIBC("[%020lld]", (long long)INT64_MIN);
	SAME_AS_LIBC("[%-25lld]", (long long)INT64_MIN);
	SAME_AS_LIBC("[%025llu]", (unsigned long long)UINT64_MAX);
}

static void test_width_precision(void **state)
{
	SAME_AS_LIBC("[%.3d]", 5);
	SAME_AS_LIBC("[%.3d]", -5);
	SAME_AS_LIBC("[%.3d]", 12345);
	SAME_AS_LIBC("[%8.3d]", -5);
	SAME_AS_LIBC("[%-8.3d]", -5);
	SAME_AS_LIBC("[%08.3d]", -5);
	SAME_AS_LIBC("[%.0d]", 0);
	SAME_AS_LIBC("[%.d]", 0);
	SAME_AS_LIBC("[%5.0d]", 0);
	SAME_AS_LIBC("[%+.0d]", 0);
	SAME_AS_LIBC("[%.0x]", 0u);
	SAME_AS_LIBC("[%#.0x]", 0u);
	SAME_AS_LIBC("[%.0d]", 1);
	SAME_AS_LIBC("[%.10x]", 0xabcu);
	SAME_AS_LIBC("[%#.6x]", 0xabcu);
	SAME_AS_LIBC("[%.30llu]", (unsigned long long)UINT64_MAX);
	SAME_AS_LIBC("[%1d]", 12345);
	SAME_AS_LIBC("[%100d]", 1);
	SAME_AS_LIBC("[%*d]", 6, 42);
	SAME_AS_LIBC("[%*d]", -6, 42);
	SAME_AS_LIBC("[%-*d]", -6, 42);
	SAME_AS_LIBC("[%0*d]", 6, -42);
	SAME_AS_LIBC("[%.*d]", 4, 42);
	SAME_AS_LIBC("[%.*d]", -4, 42);
	SAME_AS_LIBC("[%.*d]", -1, 0);
	SAME_AS_LIBC("[%0.*d]", -1, 42);
	SAME_AS_LIBC("[%*.*d]", 8, 4, -42);
	SAME_AS_LIBC("[%*.*s]", -8, 2, "abcdef");
	SAME_AS_LIBC("[%*c]", 3, 'z');
}

#pragma GCC diagnostic pop

static void test_strings_chars(void **state)
{
	char unterminated[3] = {'a', 'b', 'c'};

	SAME_AS_LIBC("[%s]", "hello");
	SAME_AS_LIBC("[%10s]", "hello");
	SAME_AS_LIBC("[%-10s]", "hello");
	SAME_AS_LIBC("[%.2s]", "hello");
	SAME_AS_LIBC("[%.0s]", "hello");
	SAME_AS_LIBC("[%.s]", "hello");
	SAME_AS_LIBC("[%.10s]", "hello");
	SAME_AS_LIBC("[%7.3s]", "hello");
	SAME_AS_LIBC("[%-7.3s]", "hello");
	SAME_AS_LIBC("[%2s]", "hello");
	SAME_AS_LIBC("[%c]", 'A');
	SAME_AS_LIBC("[%5c]", 'A');
	SAME_AS_LIBC("[%-5c]", 'A');
	SAME_AS_LIBC("[%c]", 0x141);
	SAME_AS_LIBC("[%c%c%c]", 'x', 'y', 'z');
	SAME_AS_LIBC("%s=%d, %s=%#x", "a", -1, "b", 255u);
	/* The precision bounds the read: ASan catches a read past the array. */
	SAME_AS_LIBC("[%.3s]", unterminated);
}

static void test_char_nul(void **state)
{
	char out[8];

	memset(out, 'X', sizeof(out));
	assert_int_equal(fmt_snprintf(out, sizeof(out), "a%cb", 0), 3);
	assert_memory_equal(out, "a\0b\0XXXX", 8);
}

static void test_null_string(void **state)
{
	char out[32];

	assert_int_equal(fmt_raw(out, sizeof(out), "[%s]", (char *)NULL), 8);
	assert_string_equal(out, "[(null)]");
	assert_int_equal(fmt_raw(out, sizeof(out), "[%8s]", (char *)NULL), 10);
	assert_string_equal(out, "[  (null)]");
	assert_int_equal(fmt_raw(out, sizeof(out), "[%-8s]", (char *)NULL), 10);
	assert_string_equal(out, "[(null)  ]");
	/* "(null)" stands in for the string, so the precision cuts it. */
	assert_int_equal(fmt_raw(out, sizeof(out), "[%.3s]", (char *)NULL), 5);
	assert_string_equal(out, "[(nu]");
}

static void test_pointer(void **state)
{
	char out[64];

	assert_int_equal(fmt_snprintf(out, sizeof(out), "%p", (void *)0x1234), 18);
	assert_string_equal(out, "0x0000000000001234");
	assert_int_equal(fmt_snprintf(out, sizeof(out), "%p", NULL), 18);
	assert_string_equal(out, "0x0000000000000000");
	fmt_snprintf(out, sizeof(out), "%p", (void *)UINTPTR_MAX);
	assert_string_equal(out, "0xffffffffffffffff");
	fmt_snprintf(out, sizeof(out), "%p", (void *)0xFFFF800000ABCDEFull);
	assert_string_equal(out, "0xffff800000abcdef");
	assert_int_equal(fmt_snprintf(out, sizeof(out), "[%20p]", (void *)0xab), 22);
	assert_string_equal(out, "[  0x00000000000000ab]");
	assert_int_equal(fmt_snprintf(out, sizeof(out), "[%-20p]", (void *)0xab), 22);
	assert_string_equal(out, "[0x00000000000000ab  ]");
	fmt_snprintf(out, sizeof(out), "[%*p]", -19, (void *)1);
	assert_string_equal(out, "[0x0000000000000001 ]");
	fmt_snprintf(out, sizeof(out), "%p|%d", (void *)1, 9);
	assert_string_equal(out, "0x0000000000000001|9");
}

static void test_unknown_conversion(void **state)
{
	EXPECT_RAW("%q", "%q");
	EXPECT_RAW("a%yb", "a%yb");
	EXPECT_RAW("[%-5w]", "[%-5w]");
	EXPECT_RAW("[%.3v]", "[%.3v]");
	EXPECT_RAW("[%lk]", "[%lk]");
	EXPECT_RAW("[%hhk]", "[%hhk]");
	EXPECT_RAW("[%Lf]", "[%Lf]");
	/* An unknown conversion consumes no argument. */
	EXPECT_RAW("%y5", "%y%d", 5);
	EXPECT_RAW("%n 5 %f", "%n %d %f", 5);
}

static void test_trailing_percent(void **state)
{
	EXPECT_RAW("%", "%");
	EXPECT_RAW("abc%", "abc%");
	EXPECT_RAW("7%", "%d%", 7);
	EXPECT_RAW("abc%-5", "abc%-5");
	EXPECT_RAW("abc%.", "abc%.");
	EXPECT_RAW("abc%l", "abc%l");
	EXPECT_RAW("abc%hh", "abc%hh");
}

static void test_truncation(void **state)
{
	char out[16];

	memset(out, '#', sizeof(out));
	assert_int_equal(fmt_snprintf(out, 5, "%s-%d", "abcdef", 123), 10);
	assert_memory_equal(out, "abcd\0###########", 16);

	memset(out, '#', sizeof(out));
	assert_int_equal(fmt_snprintf(out, 1, "hello"), 5);
	assert_memory_equal(out, "\0###############", 16);

	memset(out, '#', sizeof(out));
	assert_int_equal(fmt_snprintf(out, 0, "hello %d", 42), 8);
	assert_memory_equal(out, "################", 16);
	assert_int_equal(fmt_snprintf(NULL, 0, "%020d", 1), 20);

	/* Exactly fits: all characters and the NUL. */
	memset(out, '#', sizeof(out));
	assert_int_equal(fmt_snprintf(out, 6, "%5d", 42), 5);
	assert_memory_equal(out, "   42\0##########", 16);

	/* One short: the last character gives way to the NUL. */
	memset(out, '#', sizeof(out));
	assert_int_equal(fmt_snprintf(out, 5, "%-5d", 42), 5);
	assert_memory_equal(out, "42  \0###########", 16);

	memset(out, '#', sizeof(out));
	assert_int_equal(fmt_snprintf(out, 8, "%p", (void *)0x1), 18);
	assert_memory_equal(out, "0x00000\0########", 16);

	memset(out, '#', sizeof(out));
	assert_int_equal(fmt_raw(out, 3, "ab%q"), 4);
	assert_memory_equal(out, "ab\0#############", 16);
}

/* Truncation at every buffer size matches the host for a varied format, and
 * the exact-size heap buffer lets ASan catch a write past size. */
static void test_truncation_all_sizes(void **state)
{
	char want[128];
	int full = snprintf(want, sizeof(want), "x=%-6d|%#08x|%+.3d|%s|%c", -12, 0xbeefu, 7, "str",
	                    'q');

	for (size_t size = 0; size <= (size_t)full + 1; size++) {
		char *out = malloc(size ? size : 1);

		assert_non_null(out);
		int r = fmt_snprintf(size ? out : NULL, size, "x=%-6d|%#08x|%+.3d|%s|%c", -12,
		                     0xbeefu, 7, "str", 'q');
		assert_int_equal(r, full);
		if (size > 0) {
			assert_memory_equal(out, want, size - 1);
			assert_int_equal(out[size - 1], '\0');
		}
		free(out);
	}
}

static void test_many_args(void **state)
{
	char out[64];

	/* Many arguments: some spill from registers to the stack. */
	assert_int_equal(fmt_snprintf(out, sizeof(out), "%d %d %d %d %d %d %d %s", 1, 2, 3, 4, 5, 6,
	                              7, "end"),
	                 17);
	assert_string_equal(out, "1 2 3 4 5 6 7 end");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_width_precision),
		cmocka_unit_test(test_strings_chars),
		cmocka_unit_test(test_char_nul),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_unknown_conversion),
		cmocka_unit_test(test_trailing_percent),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_truncation_all_sizes),
		cmocka_unit_test(test_many_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
