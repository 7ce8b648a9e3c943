/* GDB remote serial protocol framing (pure): $payload#cs packets, +/- acks,
 * the 0x7d escape and the Ctrl-C break byte (GDB manual, "Overview" and
 * "Interrupts" of the Remote Protocol appendix). */
#ifndef SABLE_HV_GDB_PACKET_H
#define SABLE_HV_GDB_PACKET_H

#include "types.h"

#define GDB_PACKET_MAX 4096 /* payload bytes, unescaped (qSupported PacketSize) */
#define GDB_BREAK_BYTE 0x03 /* Ctrl-C outside a packet: stop the target */
#define GDB_ESCAPE     0x7d

enum gdb_rx_event {
	GDB_RX_NONE = 0, /* byte taken, nothing complete yet */
	GDB_RX_PACKET,   /* a packet with a good checksum: rx->buf, rx->len */
	GDB_RX_BAD,      /* a packet with a bad checksum or too long: answer '-' */
	GDB_RX_ACK,      /* '+' */
	GDB_RX_NAK,      /* '-': retransmit the last packet */
	GDB_RX_BREAK,    /* Ctrl-C */
};

enum gdb_rx_state {
	GDB_RX_IDLE = 0,
	GDB_RX_DATA,
	GDB_RX_ESC,
	GDB_RX_CS1,
	GDB_RX_CS2,
};

struct gdb_rx {
	enum gdb_rx_state state;
	uint8_t sum; /* of the bytes as sent, escapes included */
	uint8_t cs;  /* received checksum, high digit first */
	bool too_long;
	size_t len;
	char buf[GDB_PACKET_MAX + 1]; /* NUL-terminated after GDB_RX_PACKET */
};

void gdb_rx_init(struct gdb_rx *rx);
/* Takes one received byte. Bytes outside a packet other than '+', '-', '$'
 * and Ctrl-C are ignored; a '$' inside a packet starts a new one. */
enum gdb_rx_event gdb_rx_feed(struct gdb_rx *rx, uint8_t c);

/* Frames payload[0..len) as $...#cs into out[0..n), escaping '$', '#', '}'
 * and '*'. The framed length, or -ENOSPC if it does not fit. */
int gdb_encode(const char *payload, size_t len, char *out, size_t n);

/* Hex digit value, or -1. */
int gdb_hex_digit(char c);
/* Parses hex digits from *p up to end (at most 16); advances *p. The number of
 * digits taken (0: none, or more than 16 digits). */
int gdb_parse_hex(const char **p, const char *end, uint64_t *val);
/* Writes n bytes as 2n lower-case hex digits; returns out + 2n. */
char *gdb_put_hex(char *out, const void *bytes, size_t n);
/* Decodes 2n hex digits into bytes; 0 or -EINVAL. */
int gdb_get_hex(const char *hex, void *bytes, size_t n);

#endif
