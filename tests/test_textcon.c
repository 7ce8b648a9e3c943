/* Unit tests for hv/lib/textcon.c: the character grid behind the screen console. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "hv/lib/textcon.h"

#define COLS 10
#define ROWS 3

/* A fake screen: what the backend was last told to draw in each cell, and how often. */
struct screen {
	char cell[ROWS][COLS];
	unsigned draws;
};

static void draw(void *ctx, uint32_t col, uint32_t row, char ch)
{
	struct screen *s = ctx;

	assert_true(col < COLS && row < ROWS);
	s->cell[row][col] = ch;
	s->draws++;
}

static struct textcon tc;
static char grid[COLS * ROWS];
static struct screen scr;

static void setup(void)
{
	memset(&scr, 0, sizeof(scr));
	assert_int_equal(textcon_init(&tc, COLS, ROWS, grid, sizeof(grid), draw, &scr), 0);
}

static void write_str(const char *s)
{
	textcon_write(&tc, s, strlen(s));
}

/* Row r of the fake screen must read want, padded with blanks. */
static void row_is(uint32_t r, const char *want)
{
	char line[COLS + 1];

	memset(line, ' ', COLS);
	memcpy(line, want, strlen(want));
	line[COLS] = '\0';
	assert_memory_equal(scr.cell[r], line, COLS);
	for (uint32_t c = 0; c < COLS; c++)
		assert_int_equal(textcon_at(&tc, c, r), line[c]);
}

static void test_init_blanks_every_cell(void **state)
{
	setup();
	assert_int_equal(scr.draws, COLS * ROWS);
	row_is(0, "");
	row_is(2, "");
	assert_int_equal(tc.cx, 0);
	assert_int_equal(tc.cy, 0);
}

static void test_init_errors(void **state)
{
	struct textcon t;

	assert_int_equal(textcon_init(&t, 0, ROWS, grid, sizeof(grid), draw, &scr), -EINVAL);
	assert_int_equal(textcon_init(&t, COLS, 0, grid, sizeof(grid), draw, &scr), -EINVAL);
	assert_int_equal(textcon_init(&t, COLS, ROWS + 1, grid, sizeof(grid), draw, &scr), -EINVAL);
	assert_int_equal(textcon_init(&t, COLS, ROWS, NULL, sizeof(grid), draw, &scr), -EINVAL);
	assert_int_equal(textcon_init(&t, COLS, ROWS, grid, sizeof(grid), NULL, &scr), -EINVAL);
	assert_int_equal(textcon_init(&t, 0x10000, 0x10001, grid, sizeof(grid), draw, &scr),
	                 -EINVAL);
}

static void test_lines_and_cursor(void **state)
{
	setup();
	write_str("[cpu0] a\n[vm] b");
	row_is(0, "[cpu0] a");
	row_is(1, "[vm] b");
	assert_int_equal(tc.cx, 6);
	assert_int_equal(tc.cy, 1);
}

static void test_wrapping(void **state)
{
	setup();
	write_str("0123456789abc\n");
	row_is(0, "0123456789");
	row_is(1, "abc");
	assert_int_equal(tc.cy, 2);
	/* exactly one row long: the newline does not add a blank row */
	setup();
	write_str("0123456789\nx");
	row_is(0, "0123456789");
	row_is(1, "x");
}

static void test_scrolling(void **state)
{
	setup();
	write_str("one\ntwo\nthree\nfour");
	row_is(0, "two");
	row_is(1, "three");
	row_is(2, "four");
	write_str("\n");
	row_is(0, "three");
	row_is(1, "four");
	row_is(2, "");
	assert_int_equal(tc.cy, 2);
	assert_int_equal(tc.cx, 0);
	/* a long line wrapping past the bottom scrolls as many times as it needs */
	write_str("AAAAAAAAAABBBBBBBBBBCC");
	row_is(0, "AAAAAAAAAA");
	row_is(1, "BBBBBBBBBB");
	row_is(2, "CC");
}

/* Scrolling draws only the cells whose character changes. */
static void test_scroll_draws_changed_cells_only(void **state)
{
	setup();
	write_str("aaaa\naaaa\naaab");
	scr.draws = 0;
	write_str("\n");
	/* rows 0-1 keep "aaaa" except row 1 col 3 (a->b); row 2 "aaab"->blank: 4 cells */
	assert_int_equal(scr.draws, 1 + 4);
	row_is(0, "aaaa");
	row_is(1, "aaab");
	row_is(2, "");
}

static void test_control_bytes(void **state)
{
	setup();
	write_str("a\tb\r\x01\x7f\xe9");
	row_is(0, "a       b?");
	row_is(1, "??");
	setup();
	write_str("abcdefghi\tz");
	row_is(0, "abcdefghi ");
	row_is(1, "z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_blanks_every_cell),
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_lines_and_cursor),
		cmocka_unit_test(test_wrapping),
		cmocka_unit_test(test_scrolling),
		cmocka_unit_test(test_scroll_draws_changed_cells_only),
		cmocka_unit_test(test_control_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
