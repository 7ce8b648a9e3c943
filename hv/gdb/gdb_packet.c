#include "hv/gdb/gdb_packet.h"
#include "err.h"

static const char hex_digits[] = "0123456789abcdef";

void gdb_rx_init(struct gdb_rx *rx)
{
	rx->state = GDB_RX_IDLE;
	rx->len = 0;
	rx->sum = 0;
	rx->too_long = false;
}

static void start(struct gdb_rx *rx)
{
	rx->state = GDB_RX_DATA;
	rx->len = 0;
	rx->sum = 0;
	rx->too_long = false;
}

static void put(struct gdb_rx *rx, char c)
{
	if (rx->len < GDB_PACKET_MAX)
		rx->buf[rx->len++] = c;
	else
		rx->too_long = true;
}

enum gdb_rx_event gdb_rx_feed(struct gdb_rx *rx, uint8_t c)
{
	int d;

	switch (rx->state) {
	case GDB_RX_IDLE:
		if (c == '$')
			start(rx);
		else if (c == '+')
			return GDB_RX_ACK;
		else if (c == '-')
			return GDB_RX_NAK;
		else if (c == GDB_BREAK_BYTE)
			return GDB_RX_BREAK;
		return GDB_RX_NONE;
	case GDB_RX_DATA:
		if (c == '$') {
			start(rx);
		} else if (c == '#') {
			rx->state = GDB_RX_CS1;
		} else {
			rx->sum += c;
			if (c == GDB_ESCAPE)
				rx->state = GDB_RX_ESC;
			else
				put(rx, (char)c);
		}
		return GDB_RX_NONE;
	case GDB_RX_ESC:
		rx->sum += c;
		put(rx, (char)(c ^ 0x20));
		rx->state = GDB_RX_DATA;
		return GDB_RX_NONE;
	case GDB_RX_CS1:
	case GDB_RX_CS2:
		d = gdb_hex_digit((char)c);
		if (d < 0) {
			rx->state = c == '$' ? GDB_RX_DATA : GDB_RX_IDLE;
			if (c == '$')
				start(rx);
			return GDB_RX_BAD;
		}
		if (rx->state == GDB_RX_CS1) {
			rx->cs = (uint8_t)(d << 4);
			rx->state = GDB_RX_CS2;
			return GDB_RX_NONE;
		}
		rx->cs |= (uint8_t)d;
		rx->state = GDB_RX_IDLE;
		if (rx->cs != rx->sum || rx->too_long)
			return GDB_RX_BAD;
		rx->buf[rx->len] = '\0';
		return GDB_RX_PACKET;
	}
	rx->state = GDB_RX_IDLE;
	return GDB_RX_NONE;
}

static bool needs_escape(char c)
{
	return c == '$' || c == '#' || c == '}' || c == '*';
}

int gdb_encode(const char *payload, size_t len, char *out, size_t n)
{
	size_t o = 0;
	uint8_t sum = 0;

	if (n < 4)
		return -ENOSPC;
	out[o++] = '$';
	for (size_t i = 0; i < len; i++) {
		char c = payload[i];

		if (o + (needs_escape(c) ? 2 : 1) + 3 > n)
			return -ENOSPC;
		if (needs_escape(c)) {
			out[o++] = GDB_ESCAPE;
			sum += GDB_ESCAPE;
			c ^= 0x20;
		}
		out[o++] = c;
		sum += (uint8_t)c;
	}
	out[o++] = '#';
	out[o++] = hex_digits[sum >> 4];
	out[o++] = hex_digits[sum & 15];
	return (int)o;
}

int gdb_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gdb_parse_hex(const char **p, const char *end, uint64_t *val)
{
	uint64_t v = 0;
	int n = 0;
	int d;

	while (*p < end && (d = gdb_hex_digit(**p)) >= 0) {
		if (++n > 16)
			return 0;
		v = v << 4 | (uint64_t)d;
		(*p)++;
	}
	*val = v;
	return n;
}

char *gdb_put_hex(char *out, const void *bytes, size_t n)
{
	const uint8_t *b = bytes;

	for (size_t i = 0; i < n; i++) {
		*out++ = hex_digits[b[i] >> 4];
		*out++ = hex_digits[b[i] & 15];
	}
	return out;
}

int gdb_get_hex(const char *hex, void *bytes, size_t n)
{
	uint8_t *b = bytes;

	for (size_t i = 0; i < n; i++) {
		int hi = gdb_hex_digit(hex[2 * i]), lo;

		if (hi < 0)
			return -EINVAL;
		lo = gdb_hex_digit(hex[2 * i + 1]);
		if (lo < 0)
			return -EINVAL;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
