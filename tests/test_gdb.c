/* Unit tests for the GDB stub's pure parts: packet framing and encoding
 * (hv/gdb/gdb_packet.c), command parsing (gdb_cmd.c), register layouts and
 * target descriptions (gdb_tdesc.c) and the session (gdb_session.c) over a
 * fake vCPU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "hv/gdb/gdb_packet.h"
#include "hv/gdb/gdb_session.h"

/* Feeds a string; returns the last event other than GDB_RX_NONE. */
static enum gdb_rx_event feed(struct gdb_rx *rx, const char *s)
{
	enum gdb_rx_event last = GDB_RX_NONE, e;

	for (; *s; s++)
		if ((e = gdb_rx_feed(rx, (uint8_t)*s)) != GDB_RX_NONE)
			last = e;
	return last;
}

static void test_rx_good_and_bad_checksum(void **state)
{
	static struct gdb_rx rx;

	gdb_rx_init(&rx);
	assert_int_equal(feed(&rx, "$g#67"), GDB_RX_PACKET);
	assert_string_equal(rx.buf, "g");
	assert_int_equal(feed(&rx, "$g#68"), GDB_RX_BAD);
	assert_int_equal(feed(&rx, "$m0,4#fd"), GDB_RX_PACKET);
	assert_string_equal(rx.buf, "m0,4");
	/* a checksum digit that is not hex */
	assert_int_equal(feed(&rx, "$g#6z"), GDB_RX_BAD);
	/* upper-case checksum digits are accepted */
	assert_int_equal(feed(&rx, "$m0,4#FD"), GDB_RX_PACKET);
}

static void test_rx_acks_break_and_restart(void **state)
{
	static struct gdb_rx rx;

	gdb_rx_init(&rx);
	assert_int_equal(gdb_rx_feed(&rx, '+'), GDB_RX_ACK);
	assert_int_equal(gdb_rx_feed(&rx, '-'), GDB_RX_NAK);
	assert_int_equal(gdb_rx_feed(&rx, 0x03), GDB_RX_BREAK);
	assert_int_equal(gdb_rx_feed(&rx, 'x'), GDB_RX_NONE); /* noise between packets */
	/* '$' inside a packet starts over; a 0x03 inside a packet is data */
	assert_int_equal(feed(&rx, "$junk$g#67"), GDB_RX_PACKET);
	assert_string_equal(rx.buf, "g");
}

static void test_rx_escape(void **state)
{
	static struct gdb_rx rx;
	char framed[32];
	int n;

	gdb_rx_init(&rx);
	n = gdb_encode("a#b}c$*", 7, framed, sizeof(framed));
	assert_true(n > 0);
	framed[n] = '\0';
	assert_string_equal(framed, "$a}\x03"
	                            "b}]c}\x04}\x0a#88");
	assert_int_equal(feed(&rx, framed), GDB_RX_PACKET);
	assert_int_equal(rx.len, 7);
	assert_memory_equal(rx.buf, "a#b}c$*", 7);
}

static void test_rx_too_long(void **state)
{
	static struct gdb_rx rx;
	uint8_t sum = 0;
	char cs[4];

	gdb_rx_init(&rx);
	gdb_rx_feed(&rx, '$');
	for (int i = 0; i < GDB_PACKET_MAX + 10; i++) {
		assert_int_equal(gdb_rx_feed(&rx, 'a'), GDB_RX_NONE);
		sum += 'a';
	}
	snprintf(cs, sizeof(cs), "#%02x", sum);
	assert_int_equal(feed(&rx, cs), GDB_RX_BAD);
	/* and the next packet is fine */
	assert_int_equal(feed(&rx, "$?#3f"), GDB_RX_PACKET);
}

static void test_encode_no_room(void **state)
{
	char out[8];

	assert_int_equal(gdb_encode("OK", 2, out, sizeof(out)), 6);
	assert_memory_equal(out, "$OK#9a", 6);
	assert_int_equal(gdb_encode("12345", 5, out, sizeof(out)), -ENOSPC);
}

static void test_parse(void **state)
{
	struct gdb_cmd c;

	gdb_cmd_parse("m1000,20", 8, &c);
	assert_int_equal(c.kind, GDB_CMD_READ_MEM);
	assert_int_equal(c.addr, 0x1000);
	assert_int_equal(c.len, 0x20);
	gdb_cmd_parse("Z1,ffff800000001000,1", 21, &c);
	assert_int_equal(c.kind, GDB_CMD_INSERT_BP);
	assert_int_equal(c.type, 1);
	assert_int_equal(c.addr, 0xffff800000001000ull);
	gdb_cmd_parse("vCont;s:1;c", 11, &c);
	assert_int_equal(c.kind, GDB_CMD_STEP);
	gdb_cmd_parse("vCont;C05", 9, &c);
	assert_int_equal(c.kind, GDB_CMD_CONTINUE);
	gdb_cmd_parse("c2000", 5, &c);
	assert_int_equal(c.kind, GDB_CMD_CONTINUE);
	assert_true(c.has_addr);
	gdb_cmd_parse("qXfer:features:read:target.xml:0,ffb", 36, &c);
	assert_int_equal(c.kind, GDB_CMD_XFER_FEATURES);
	assert_string_equal(c.annex, "target.xml");
	assert_int_equal(c.len, 0xffb);
	gdb_cmd_parse("qTStatus", 8, &c);
	assert_int_equal(c.kind, GDB_CMD_UNSUPPORTED);
}

static void test_parse_malformed(void **state)
{
	static const char *const bad[] = {
		"m",
		"m10",
		"m10,",
		"m,4",
		"mzz,4",
		"M10,2:ab",
		"M10,1:zz",
		"M10,1:abc",
		"Z9,10,1",
		"Z0,10",
		"p",
		"p100",
		"P1=",
		"P1=abc",
		"Gxy",
		"c12q",
		"C",
		"Sff1",
		"vCont;",
		"g1",
		"m11111111111111111,1",
		"qXfer:features:read:target.xml:0",
		"?x",
	};
	struct gdb_cmd c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gdb_cmd_parse(bad[i], strlen(bad[i]), &c);
		if (c.kind != GDB_CMD_MALFORMED)
			fail_msg("'%s' parsed as %d", bad[i], c.kind);
	}
}

/* The fake vCPU: 64 KiB of memory at 0, faults above; mode64 as set. */
struct fake {
	struct gdb_regs regs;
	uint8_t mem[0x10000];
	bool mode64;
	int sets;
};

static void f_get(void *ctx, struct gdb_regs *r)
{
	*r = ((struct fake *)ctx)->regs;
}

static void f_set(void *ctx, const struct gdb_regs *r)
{
	((struct fake *)ctx)->regs = *r;
	((struct fake *)ctx)->sets++;
}

static int f_read(void *ctx, uint64_t a, void *buf, uint32_t len)
{
	struct fake *f = ctx;

	if (a >= sizeof(f->mem) || len > sizeof(f->mem) - a)
		return -EFAULT;
	memcpy(buf, f->mem + a, len);
	return 0;
}

static int f_write(void *ctx, uint64_t a, const void *buf, uint32_t len)
{
	struct fake *f = ctx;

	if (a >= sizeof(f->mem) || len > sizeof(f->mem) - a)
		return -EFAULT;
	memcpy(f->mem + a, buf, len);
	return 0;
}

static bool f_mode64(void *ctx)
{
	return ((struct fake *)ctx)->mode64;
}

static const struct gdb_target_ops fake_ops = {f_get, f_set, f_read, f_write, f_mode64};
static struct fake fk;
static struct gdb_session sess;
static char reply[GDB_PACKET_MAX + 1];

/* Runs one packet; returns the reply as a string. */
static const char *run(const char *pkt, enum gdb_action *a)
{
	size_t n;
	enum gdb_action act = gdb_session_handle(&sess, pkt, strlen(pkt), reply, &n);

	assert_true(n <= GDB_PACKET_MAX);
	reply[n] = '\0';
	if (a)
		*a = act;
	else
		assert_int_equal(act, GDB_STAY);
	return reply;
}

static int setup(void **state)
{
	memset(&fk, 0, sizeof(fk));
	for (unsigned i = 0; i < 16; i++)
		fk.regs.gpr[i] = 0x1111111100000000ull * (i + 1) + i;
	fk.regs.rip = 0x100010;
	fk.regs.rflags = 0x202;
	fk.regs.seg[0] = 0x08;
	fk.regs.seg[1] = 0x10;
	for (unsigned i = 0; i < sizeof(fk.mem); i++)
		fk.mem[i] = (uint8_t)i;
	gdb_session_init(&sess, &fake_ops, &fk);
	return 0;
}

static void test_registers_32(void **state)
{
	const char *g = run("g", NULL);

	/* EAX ECX EDX EBX: low halves of gpr[0..3], little-endian */
	assert_memory_equal(g,
	                    "00000000"
	                    "01000000"
	                    "02000000"
	                    "03000000",
	                    32);
	assert_memory_equal(g + 8 * 8,
	                    "10001000"
	                    "02020000"
	                    "08000000"
	                    "10000000",
	                    32);
	assert_int_equal(strlen(g), 2 * (16 * 4 + 8 * 10 + 8 * 4));
	assert_true(strchr(g, 'x') == g + 2 * 16 * 4); /* x87 unavailable */
	assert_string_equal(run("p8", NULL), "10001000");
	/* P writes EIP's low half */
	assert_string_equal(run("P8=efbeadde", NULL), "OK");
	assert_int_equal(fk.regs.rip, 0xdeadbeef);
	assert_string_equal(run("P8=efbead", NULL), "E01");
	assert_string_equal(run("P10=00000000000000000000", NULL), "E03");
	assert_string_equal(run("p99", NULL), "E01");
}

static void test_registers_64_and_mode_switch(void **state)
{
	static const char xfer[] = "qXfer:features:read:target.xml:0,fff";
	const char *g;

	fk.mode64 = true;
	/* the layout changes only when gdb reads the description again */
	g = run("g", NULL);
	assert_int_equal(strlen(g), 2 * (16 * 4 + 8 * 10 + 8 * 4));
	run(xfer, NULL);
	assert_true(strstr(reply, "i386:x86-64") != NULL);
	g = run("g", NULL);
	assert_int_equal(strlen(g), 2 * (16 * 8 + 8 + 4 + 6 * 4 + 8 * 10 + 8 * 4));
	/* RAX then RBX (= gpr[3]) */
	assert_memory_equal(g,
	                    "0000000011111111"
	                    "0300000044444444",
	                    32);
	/* G of the 16 GPRs and RIP only: the rest is kept */
	{
		char G[1 + 17 * 16 + 1] = "G";

		for (int i = 0; i < 17; i++)
			memcpy(G + 1 + 16 * i, "0100000000000080", 16);
		assert_string_equal(run(G, NULL), "OK");
		assert_int_equal(fk.regs.gpr[4], 0x8000000000000001ull);
		assert_int_equal(fk.regs.rip, 0x8000000000000001ull);
		assert_int_equal(fk.regs.rflags, 0x202);
	}
	fk.mode64 = false;
	run(xfer, NULL);
	assert_true(strstr(reply, "<architecture>i386</architecture>") != NULL);
}

static void test_xfer_chunks(void **state)
{
	const char *xml = gdb_tdesc_xml(false);
	char pkt[64], got[4096] = "";
	size_t off = 0;

	for (;;) {
		snprintf(pkt, sizeof(pkt), "qXfer:features:read:target.xml:%zx,40", off);
		run(pkt, NULL);
		assert_true(reply[0] == 'm' || reply[0] == 'l');
		strcat(got, reply + 1);
		off += strlen(reply + 1);
		if (reply[0] == 'l')
			break;
		assert_int_equal(strlen(reply + 1), 0x40);
	}
	assert_string_equal(got, xml);
	snprintf(pkt, sizeof(pkt), "qXfer:features:read:target.xml:%zx,40", off + 5);
	assert_string_equal(run(pkt, NULL), "l");
	assert_string_equal(run("qXfer:features:read:other.xml:0,40", NULL), "E00");
}

static void test_memory(void **state)
{
	assert_string_equal(run("m100,4", NULL), "00010203");
	assert_string_equal(run("M100,2:cafe", NULL), "OK");
	assert_int_equal(fk.mem[0x100], 0xca);
	assert_string_equal(run("m100,2", NULL), "cafe");
	assert_string_equal(run("mfffe,4", NULL), "E14"); /* crosses into nothing */
	assert_string_equal(run("m0,0", NULL), "E01");
	assert_string_equal(run("m0,100000", NULL), "E01"); /* more than a packet */
	assert_string_equal(run("mffffffffffffffff,2", NULL), "E01");
	assert_string_equal(run("M20000,1:00", NULL), "E14");
}

static void test_sw_breakpoints(void **state)
{
	enum gdb_action a;

	assert_string_equal(run("Z0,1234,1", NULL), "OK");
	assert_int_equal(fk.mem[0x1234], GDB_INT3);
	assert_true(gdb_session_is_sw_bp(&sess, 0x1234));
	assert_string_equal(run("Z0,1234,1", NULL), "OK"); /* twice is once */
	assert_int_equal(gdb_session_sw_count(&sess), 1);
	/* memory reads show the original byte */
	assert_string_equal(run("m1233,3", NULL), "333435");
	assert_string_equal(run("z0,1234,1", NULL), "OK");
	assert_int_equal(fk.mem[0x1234], 0x34);
	assert_string_equal(run("z0,1234,1", NULL), "E02");
	assert_string_equal(run("Z0,30000,1", NULL), "E14");
	/* detach restores every byte */
	run("Z0,10,1", NULL);
	run("Z0,20,1", NULL);
	assert_string_equal(run("D", &a), "OK");
	assert_int_equal(a, GDB_DETACH);
	assert_int_equal(fk.mem[0x10], 0x10);
	assert_int_equal(fk.mem[0x20], 0x20);
	assert_int_equal(gdb_session_sw_count(&sess), 0);
}

static void test_sw_breakpoint_table_full(void **state)
{
	char pkt[32];

	for (int i = 0; i < GDB_SW_BREAKPOINTS; i++) {
		snprintf(pkt, sizeof(pkt), "Z0,%x,1", 0x100 + i);
		assert_string_equal(run(pkt, NULL), "OK");
	}
	assert_string_equal(run("Z0,2000,1", NULL), "E12");
}

static void test_hw_breakpoints(void **state)
{
	assert_string_equal(run("Z1,1000,1", NULL), "OK");
	assert_string_equal(run("Z2,2000,4", NULL), "OK");
	assert_string_equal(run("Z4,3002,2", NULL), "OK");
	/* L0, L1 (R/W1=01 LEN1=11), L2 (R/W2=11 LEN2=01) */
	assert_int_equal(gdb_session_dr7(&sess),
	                 0x1 | 0x4 | 0x10 | (0xdull << 20) | (0x7ull << 24));
	assert_string_equal(run("Z2,2002,4", NULL), "E22"); /* misaligned */
	assert_string_equal(run("Z2,2000,8", NULL), "E22"); /* 8 bytes outside 64-bit mode */
	assert_string_equal(run("Z3,2000,4", NULL), "");    /* no read-only watch in DRs */
	assert_string_equal(run("Z2,4000,1", NULL), "OK");
	assert_string_equal(run("Z2,5000,1", NULL), "E28"); /* four slots */
	assert_int_equal(gdb_session_hit_slot(&sess, 0x2), 1);
	assert_int_equal(gdb_session_hit_slot(&sess, 0x4000), -1);
	gdb_session_stopped(&sess, GDB_STOP_WATCH, 1);
	assert_string_equal(run("?", NULL), "T05thread:1;watch:2000;");
	gdb_session_stopped(&sess, GDB_STOP_WATCH, 2);
	assert_string_equal(gdb_session_stop_reply(&sess), "T05thread:1;awatch:3002;");
	assert_string_equal(run("z2,2000,4", NULL), "OK");
	assert_string_equal(run("z2,2000,4", NULL), "E02");
	assert_int_equal(gdb_session_hit_slot(&sess, 0x2), -1);
	fk.mode64 = true;
	assert_string_equal(run("Z2,2000,8", NULL), "OK");
}

static void test_resume_and_queries(void **state)
{
	enum gdb_action a;

	assert_string_equal(run("?", NULL), "T05thread:1;");
	assert_string_equal(run("c", &a), "");
	assert_int_equal(a, GDB_CONTINUE);
	run("s100200", &a);
	assert_int_equal(a, GDB_STEP);
	assert_int_equal(fk.regs.rip, 0x100200);
	run("vCont;s:1", &a);
	assert_int_equal(a, GDB_STEP);
	run("k", &a);
	assert_int_equal(a, GDB_KILL);
	assert_string_equal(run("vCont?", NULL), "vCont;c;C;s;S");
	assert_true(strstr(run("qSupported:multiprocess+;swbreak+", NULL), "qXfer:features:read+"));
	assert_string_equal(run("qC", NULL), "QC1");
	assert_string_equal(run("Hg0", NULL), "OK");
	assert_string_equal(run("qTStatus", NULL), "");
	assert_string_equal(run("mzz", NULL), "E01");
	assert_false(sess.noack);
	assert_string_equal(run("QStartNoAckMode", NULL), "OK");
	assert_true(sess.noack);
	gdb_session_stopped(&sess, GDB_STOP_INTERRUPT, 0);
	assert_string_equal(run("?", NULL), "T02thread:1;");
	gdb_session_stopped(&sess, GDB_STOP_SWBREAK, 0);
	assert_string_equal(run("?", NULL), "T05thread:1;swbreak:;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rx_good_and_bad_checksum),
		cmocka_unit_test(test_rx_acks_break_and_restart),
		cmocka_unit_test(test_rx_escape),
		cmocka_unit_test(test_rx_too_long),
		cmocka_unit_test(test_encode_no_room),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test_setup(test_registers_32, setup),
		cmocka_unit_test_setup(test_registers_64_and_mode_switch, setup),
		cmocka_unit_test_setup(test_xfer_chunks, setup),
		cmocka_unit_test_setup(test_memory, setup),
		cmocka_unit_test_setup(test_sw_breakpoints, setup),
		cmocka_unit_test_setup(test_sw_breakpoint_table_full, setup),
		cmocka_unit_test_setup(test_hw_breakpoints, setup),
		cmocka_unit_test_setup(test_resume_and_queries, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
