/* The prefix-key state machine of console input (pure; the keys are listed in
 * hv/console_in.h, the thin layer that reads the UART is hv/console_in.c). */
#ifndef SABLE_HV_CONSOLE_FEED_H
#define SABLE_HV_CONSOLE_FEED_H

#include "hv/console_in.h"
#include "types.h"

struct console_feed {
	enum console_target target;
	uint32_t vm_id;       /* while target is CONSOLE_TO_VM */
	bool prefix;          /* Ctrl-A seen, waiting for its key */
	bool monitor_enabled; /* false with console=log-only */
};

enum feed_action {
	FEED_NONE = 0,      /* nothing to do (a prefix, or a byte for nowhere) */
	FEED_BYTE,          /* give byte to the current target (monitor or VM) */
	FEED_ENTER_MONITOR, /* the caller sets target CONSOLE_TO_MONITOR */
	FEED_FOCUS_VM,      /* the caller checks vm_id and gives it the input */
	FEED_FOCUS_LOG,     /* target is now CONSOLE_TO_LOG */
	FEED_HELP,          /* print the keys */
	FEED_MONITOR_OFF,   /* Ctrl-A m with console=log-only */
	FEED_BAD_KEY,       /* Ctrl-A then a key that means nothing (byte) */
};

struct feed_out {
	enum feed_action action;
	uint8_t byte;
	uint32_t vm_id;
};

/* Takes one received byte and says what it means. Only FEED_FOCUS_LOG changes
 * the target itself: entering the monitor or a VM is up to the caller, which
 * knows whether that VM exists. */
struct feed_out console_in_feed(struct console_feed *s, uint8_t c);

#endif
