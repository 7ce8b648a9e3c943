#include "hv/lib/textcon.h"
#include "err.h"

static char *cell(const struct textcon *tc, uint32_t col, uint32_t row)
{
	return &tc->grid[(size_t)row * tc->cols + col];
}

static void set_cell(struct textcon *tc, uint32_t col, uint32_t row, char ch)
{
	char *c = cell(tc, col, row);

	if (*c == ch)
		return;
	*c = ch;
	tc->draw(tc->ctx, col, row, ch);
}

int textcon_init(struct textcon *tc, uint32_t cols, uint32_t rows, char *grid, size_t grid_cells,
                 textcon_draw_fn draw, void *ctx)
{
	if (cols == 0 || rows == 0 || grid == NULL || draw == NULL ||
	    (uint64_t)cols * rows > grid_cells)
		return -EINVAL;
	*tc = (struct textcon){.cols = cols, .rows = rows, .grid = grid, .draw = draw, .ctx = ctx};
	for (uint32_t r = 0; r < rows; r++)
		for (uint32_t c = 0; c < cols; c++) {
			*cell(tc, c, r) = ' ';
			draw(ctx, c, r, ' ');
		}
	return 0;
}

/* Moves every row up by one and blanks the last; only changed cells are drawn. */
static void scroll_up(struct textcon *tc)
{
	for (uint32_t r = 0; r + 1 < tc->rows; r++)
		for (uint32_t c = 0; c < tc->cols; c++)
			set_cell(tc, c, r, *cell(tc, c, r + 1));
	for (uint32_t c = 0; c < tc->cols; c++)
		set_cell(tc, c, tc->rows - 1, ' ');
}

static void newline(struct textcon *tc)
{
	tc->cx = 0;
	if (tc->cy + 1 < tc->rows)
		tc->cy++;
	else
		scroll_up(tc);
}

static void put_char(struct textcon *tc, char ch)
{
	if (tc->cx >= tc->cols)
		newline(tc);
	set_cell(tc, tc->cx, tc->cy, ch);
	tc->cx++;
}

void textcon_write(struct textcon *tc, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\n')
			newline(tc);
		else if (ch == '\r')
			continue;
		else if (ch == '\t') {
			do
				put_char(tc, ' ');
			while (tc->cx % TEXTCON_TAB != 0 && tc->cx < tc->cols);
		} else
			put_char(tc, ch >= 0x20 && ch < 0x7f ? (char)ch : '?');
	}
}

char textcon_at(const struct textcon *tc, uint32_t col, uint32_t row)
{
	return col < tc->cols && row < tc->rows ? *cell(tc, col, row) : '\0';
}
