/* A text console as a character grid (pure): cursor, newline, wrapping, scrolling. A backend
 * draws single cells; the grid remembers every cell, so scrolling redraws only the cells whose
 * character changes and never reads the screen back. */
#ifndef SABLE_HV_LIB_TEXTCON_H
#define SABLE_HV_LIB_TEXTCON_H

#include "types.h"

#define TEXTCON_TAB 8

/* Draws character ch (printable ASCII or ' ') at column col, row row. */
typedef void (*textcon_draw_fn)(void *ctx, uint32_t col, uint32_t row, char ch);

struct textcon {
	uint32_t cols, rows;
	uint32_t cx, cy; /* cursor: the cell the next character goes to */
	char *grid;      /* rows * cols cells, row-major */
	textcon_draw_fn draw;
	void *ctx;
};

/*
 * Sets up a cols x rows console over grid (grid_cells cells), blank, cursor
 * top left, and draws every cell blank. Returns 0, or -EINVAL when cols or rows
 * is 0 or the grid is too small.
 */
int textcon_init(struct textcon *tc, uint32_t cols, uint32_t rows, char *grid, size_t grid_cells,
                 textcon_draw_fn draw, void *ctx);

/* Writes n bytes: '\n' ends the line, '\r' is ignored, '\t' moves to the next
 * multiple of TEXTCON_TAB, other control or non-ASCII bytes show as '?'. A line
 * longer than cols wraps; a line past the last row scrolls the grid up. */
void textcon_write(struct textcon *tc, const char *s, size_t n);

/* The character at a cell (for tests and redraws). */
char textcon_at(const struct textcon *tc, uint32_t col, uint32_t row);

#endif
