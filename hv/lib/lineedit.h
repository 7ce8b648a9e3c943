/* The monitor's line editor (pure): keys in, the echo to print and finished
 * lines out. */
#ifndef SABLE_HV_LIB_LINEEDIT_H
#define SABLE_HV_LIB_LINEEDIT_H

#include "types.h"

#define LINEEDIT_MAX  100 /* characters in a line */
#define LINEEDIT_ECHO 8   /* the most echo bytes one key produces */

struct lineedit {
	char buf[LINEEDIT_MAX + 1]; /* NUL-terminated */
	size_t len;
	size_t refused; /* characters refused past LINEEDIT_MAX (not shown, erased first) */
	bool after_cr;  /* the last key was CR: an LF right after it is the same Enter */
	uint8_t esc;    /* 0, 1 after ESC, 2 inside an ESC [ sequence (skipped) */
};

enum lineedit_result {
	LINEEDIT_MORE = 0, /* keep typing */
	LINEEDIT_LINE,     /* buf holds a finished line; the editor is empty again */
	LINEEDIT_CANCEL,   /* Ctrl-C: the line was dropped */
	LINEEDIT_TOO_LONG, /* Enter on a line longer than LINEEDIT_MAX: dropped */
	LINEEDIT_REDRAW,   /* Ctrl-U emptied the line: print the prompt again */
};

void lineedit_reset(struct lineedit *e);
/* Takes one key: printable characters are inserted at the end, backspace and
 * DEL erase one, Ctrl-U erases the line, Ctrl-C cancels it, CR, LF or CR LF
 * end it; escape sequences (arrow keys) and other control characters are
 * ignored. echo gets what to print (at most LINEEDIT_ECHO bytes), *echo_len
 * its length. On LINEEDIT_LINE the line stays in buf until the next key. */
enum lineedit_result lineedit_key(struct lineedit *e, uint8_t c, char *echo, size_t *echo_len);

#endif
