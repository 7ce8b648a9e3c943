#include "hv/console_feed.h"

static struct feed_out to_target(const struct console_feed *s, uint8_t c)
{
	if (s->target == CONSOLE_TO_LOG)
		return (struct feed_out){.action = FEED_NONE, .byte = c};
	return (struct feed_out){.action = FEED_BYTE, .byte = c, .vm_id = s->vm_id};
}

struct feed_out console_in_feed(struct console_feed *s, uint8_t c)
{
	if (!s->prefix) {
		if (c == CONSOLE_IN_PREFIX) {
			s->prefix = true;
			return (struct feed_out){.action = FEED_NONE};
		}
		return to_target(s, c);
	}
	s->prefix = false;
	if (c >= '0' && c <= '9')
		return (struct feed_out){.action = FEED_FOCUS_VM, .vm_id = (uint32_t)(c - '0')};
	switch (c) {
	case 'm':
		return (struct feed_out){.action = s->monitor_enabled ? FEED_ENTER_MONITOR
		                                                      : FEED_MONITOR_OFF};
	case 'h':
		s->target = CONSOLE_TO_LOG;
		return (struct feed_out){.action = FEED_FOCUS_LOG};
	case '?':
		return (struct feed_out){.action = FEED_HELP};
	case 'a':
		return to_target(s, CONSOLE_IN_PREFIX);
	default:
		return (struct feed_out){.action = FEED_BAD_KEY, .byte = c};
	}
}
