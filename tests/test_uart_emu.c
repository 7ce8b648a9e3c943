/* Unit tests for hv/uart_emu.c: the guest's 16550 console. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/vdev/uart_emu.h"

#define MAX_LINES 16

/* Records every emitted line. */
struct sink {
	char lines[MAX_LINES][UART_EMU_LINE_MAX + 1];
	size_t lens[MAX_LINES];
	size_t n;
};

static void record(void *ctx, const char *line, size_t len)
{
	struct sink *s = ctx;

	assert_true(s->n < MAX_LINES);
	assert_true(len <= UART_EMU_LINE_MAX);
	memcpy(s->lines[s->n], line, len);
	s->lines[s->n][len] = '\0';
	s->lens[s->n] = len;
	s->n++;
}

static struct sink sink;
static struct uart_emu uart;

static int setup(void **state)
{
	memset(&sink, 0, sizeof(sink));
	memset(&uart, 0xa5, sizeof(uart));
	uart_emu_init(&uart, record, &sink);
	return 0;
}

static void send(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		uart_emu_write(&uart, 0, (uint8_t)s[i]);
}

static void sends(const char *s)
{
	send(s, strlen(s));
}

static void expect_line(size_t i, const char *want)
{
	assert_true(i < sink.n);
	assert_int_equal(sink.lens[i], strlen(want));
	assert_string_equal(sink.lines[i], want);
}

static void test_init_state(void **state)
{
	assert_int_equal(uart.len, 0);
	for (uint16_t off = 1; off < 8; off++) {
		if (off != 2 && off != 5 && off != 6)
			assert_int_equal(uart_emu_read(&uart, off), 0);
	}
	uart_emu_flush(&uart);
	assert_int_equal(sink.n, 0);
}

static void test_lines(void **state)
{
	sends("hello\nworld\n\nlast");
	assert_int_equal(sink.n, 3);
	expect_line(0, "hello");
	expect_line(1, "world");
	expect_line(2, "");
	assert_int_equal(uart.len, 4);
	uart_emu_flush(&uart);
	assert_int_equal(sink.n, 4);
	expect_line(3, "last");
	uart_emu_flush(&uart);
	assert_int_equal(sink.n, 4);
}

static void test_crlf_and_cr(void **state)
{
	sends("one\r\ntwo\r\n\r\nthree\rfour\n\r\r");
	assert_int_equal(sink.n, 4);
	expect_line(0, "one");
	expect_line(1, "two");
	expect_line(2, "");
	expect_line(3, "threefour");
	assert_int_equal(uart.len, 0);
	uart_emu_flush(&uart);
	assert_int_equal(sink.n, 4);
}

static void test_non_printable(void **state)
{
	static const char in[] = {'a',  '\t',       'b',        0x00, 0x1b, '[', 'm',
	                          0x7f, (char)0x80, (char)0xff, 0x07, '~',  ' ', '\n'};

	send(in, sizeof(in));
	assert_int_equal(sink.n, 1);
	expect_line(0, "a\tb..[m....~ ");
}

static void test_long_line_split(void **state)
{
	char buf[2 * UART_EMU_LINE_MAX + 50];
	char want[UART_EMU_LINE_MAX + 1];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)('a' + i % 26);
	send(buf, sizeof(buf));
	assert_int_equal(sink.n, 2);
	assert_int_equal(sink.lens[0], UART_EMU_LINE_MAX);
	assert_memory_equal(sink.lines[0], buf, UART_EMU_LINE_MAX);
	assert_int_equal(sink.lens[1], UART_EMU_LINE_MAX);
	assert_memory_equal(sink.lines[1], buf + UART_EMU_LINE_MAX, UART_EMU_LINE_MAX);
	uart_emu_write(&uart, 0, '\n');
	assert_int_equal(sink.n, 3);
	assert_int_equal(sink.lens[2], 50);
	assert_memory_equal(sink.lines[2], buf + 2 * UART_EMU_LINE_MAX, 50);

	/* Exactly a full buffer then '\n' is one line, not a line and an empty one. */
	memset(want, 'x', UART_EMU_LINE_MAX);
	want[UART_EMU_LINE_MAX] = '\0';
	sends(want);
	sends("\r\n");
	assert_int_equal(sink.n, 4);
	expect_line(3, want);
}

static void test_dlab(void **state)
{
	uart_emu_write(&uart, 1, 0x05);
	uart_emu_write(&uart, 3, 0x83); /* DLAB, 8N1 */
	assert_int_equal(uart_emu_read(&uart, 3), 0x83);
	uart_emu_write(&uart, 0, 0x01); /* 115200 baud */
	uart_emu_write(&uart, 1, 0x02);
	assert_int_equal(uart_emu_read(&uart, 0), 0x01);
	assert_int_equal(uart_emu_read(&uart, 1), 0x02);
	assert_int_equal(uart.dll, 0x01);
	assert_int_equal(uart.dlm, 0x02);
	assert_int_equal(uart.ier, 0x05);
	assert_int_equal(uart.len, 0); /* the divisor write was not output */

	uart_emu_write(&uart, 3, 0x03);
	assert_int_equal(uart_emu_read(&uart, 0), 0); /* RBR: nothing received */
	assert_int_equal(uart_emu_read(&uart, 1), 0x05);
	uart_emu_write(&uart, 0, 'A');
	uart_emu_write(&uart, 0, '\n');
	assert_int_equal(sink.n, 1);
	expect_line(0, "A");
	assert_int_equal(uart.dll, 0x01);
	assert_int_equal(uart.dlm, 0x02);
}

static void test_ier_low_nibble(void **state)
{
	uart_emu_write(&uart, 1, 0xff);
	assert_int_equal(uart_emu_read(&uart, 1), 0x0f);
	uart_emu_write(&uart, 1, 0xa2);
	assert_int_equal(uart_emu_read(&uart, 1), 0x02);
	uart_emu_write(&uart, 1, 0x00);
	assert_int_equal(uart_emu_read(&uart, 1), 0x00);
}

static void test_status_registers(void **state)
{
	assert_int_equal(uart_emu_read(&uart, 5), 0x60);
	assert_int_equal(uart_emu_read(&uart, 2), 0x01);
	assert_int_equal(uart_emu_read(&uart, 6), 0xb0);

	/* LSR/MSR writes and output do not change them. */
	uart_emu_write(&uart, 5, 0xff);
	uart_emu_write(&uart, 6, 0xff);
	sends("x");
	assert_int_equal(uart_emu_read(&uart, 2), 0x01); /* THRE pending, but not enabled */
	assert_int_equal(uart_emu_read(&uart, 5), 0x60);
	assert_int_equal(uart_emu_read(&uart, 6), 0xb0);
	assert_int_equal(uart.len, 1);

	/* FCR: FIFOs on shows in IIR bits 7:6 */
	uart_emu_write(&uart, 2, 0xc7);
	assert_int_equal(uart_emu_read(&uart, 2), 0xc1);
	/* The same with DLAB set. */
	uart_emu_write(&uart, 3, 0x80);
	assert_int_equal(uart_emu_read(&uart, 2), 0xc1);
	assert_int_equal(uart_emu_read(&uart, 5), 0x60);
	assert_int_equal(uart_emu_read(&uart, 6), 0xb0);
	uart_emu_write(&uart, 2, 0x00);
	assert_int_equal(uart_emu_read(&uart, 2), 0x01);
}

/* MSR deltas (bits 3:0) are set by line changes and cleared by the read. */
static void test_mcr_and_loopback(void **state)
{
	uart_emu_write(&uart, 4, 0x0b); /* DTR | RTS | OUT2 */
	assert_int_equal(uart_emu_read(&uart, 4), 0x0b);
	assert_int_equal(uart_emu_read(&uart, 6), 0xb0);
	uart_emu_write(&uart, 4, 0xff);
	assert_int_equal(uart_emu_read(&uart, 4), 0x1f);
	assert_int_equal(uart_emu_read(&uart, 6), 0xf0); /* RI rose: no TERI */

	/* Loopback: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2. */
	uart_emu_write(&uart, 4, 0x10 | 0x0a);
	assert_int_equal(uart_emu_read(&uart, 6), 0x90 | 0x02 | 0x04); /* DDSR, TERI */
	assert_int_equal(uart_emu_read(&uart, 6), 0x90);
	uart_emu_write(&uart, 4, 0x10);
	assert_int_equal(uart_emu_read(&uart, 6), 0x00 | 0x01 | 0x08); /* DCTS, DDCD */
	uart_emu_write(&uart, 4, 0x1f);
	assert_int_equal(uart_emu_read(&uart, 6), 0xf0 | 0x0b);
	uart_emu_write(&uart, 4, 0x10 | 0x05);
	assert_int_equal(uart_emu_read(&uart, 6), 0x60 | 0x09);
	uart_emu_write(&uart, 4, 0x03); /* back to "connected": DSR stays, RI falls */
	assert_int_equal(uart_emu_read(&uart, 6), 0xb0 | 0x0d);
	assert_int_equal(uart_emu_read(&uart, 6), 0xb0);
}

/* THRE interrupt (IER bit 1): pending when enabled with THR empty and after
 * every THR write; the IIR read that reports it clears it. OUT2 gates the
 * output. */
static void test_thre_interrupt(void **state)
{
	uart_emu_write(&uart, 1, 0x02);
	assert_false(uart_emu_irq(&uart)); /* OUT2 off */
	uart_emu_write(&uart, 4, 0x08);
	assert_true(uart_emu_irq(&uart));
	assert_int_equal(uart_emu_read(&uart, 2), 0x02);
	assert_false(uart_emu_irq(&uart));
	assert_int_equal(uart_emu_read(&uart, 2), 0x01);
	sends("a");
	assert_true(uart_emu_irq(&uart));
	uart_emu_write(&uart, 1, 0x00);
	assert_false(uart_emu_irq(&uart));
	uart_emu_write(&uart, 1, 0x02); /* re-enabling raises it again */
	assert_true(uart_emu_irq(&uart));
}

/* Priorities: line status > received data > THRE > modem status. */
static void test_iir_priorities(void **state)
{
	uart_emu_write(&uart, 4, 0x08);
	uart_emu_write(&uart, 1, 0x0f);
	assert_int_equal(uart_emu_read(&uart, 2), 0x02); /* THRE */
	uart_emu_write(&uart, 4, 0x09);                  /* DTR: no delta outside loopback */
	uart_emu_write(&uart, 4, 0x18);                  /* loopback: CTS and DSR drop */
	assert_int_equal(uart_emu_read(&uart, 2), 0x00); /* modem status */
	assert_int_equal(uart_emu_read(&uart, 6) & 0x0f, 0x03);
	assert_int_equal(uart_emu_read(&uart, 2), 0x01);
	uart_emu_write(&uart, 4, 0x08);
	(void)uart_emu_read(&uart, 6);
	assert_true(uart_emu_rx(&uart, 'r'));
	assert_int_equal(uart_emu_read(&uart, 2), 0x04); /* data, FIFO off: trigger 1 */
	for (unsigned i = 1; i < UART_EMU_RX_FIFO; i++)
		assert_true(uart_emu_rx(&uart, 'r'));
	assert_false(uart_emu_rx(&uart, 'o')); /* overrun */
	assert_int_equal(uart_emu_read(&uart, 2), 0x06);
	assert_true(uart_emu_irq(&uart));
	assert_int_equal(uart_emu_read(&uart, 5), 0x63); /* DR, OE: the read clears OE */
	assert_int_equal(uart_emu_read(&uart, 5), 0x61);
	assert_int_equal(uart_emu_read(&uart, 2), 0x04);
	uart_emu_write(&uart, 2, 0x02 | 0x01); /* FIFO on, receiver cleared */
	assert_int_equal(uart_emu_read(&uart, 5), 0x60);
	assert_int_equal(uart_emu_read(&uart, 2), 0xc1); /* THRE was taken by the first read */
}

/* FCR trigger levels: below the level, a character timeout (0x0C) is reported. */
static void test_fifo_trigger(void **state)
{
	uart_emu_write(&uart, 2, 0x81); /* FIFO on, trigger 8 */
	uart_emu_write(&uart, 1, 0x01);
	uart_emu_write(&uart, 4, 0x08);
	for (unsigned i = 0; i < 7; i++)
		uart_emu_rx(&uart, 'x');
	assert_int_equal(uart_emu_read(&uart, 2), 0xcc);
	uart_emu_rx(&uart, 'x');
	assert_int_equal(uart_emu_read(&uart, 2), 0xc4);
	for (unsigned i = 0; i < 8; i++)
		(void)uart_emu_read(&uart, 0);
	assert_int_equal(uart_emu_read(&uart, 2), 0xc1);
	assert_false(uart_emu_irq(&uart));
}

/* Loopback: transmitted bytes are received, not output. */
static void test_loopback_data(void **state)
{
	uart_emu_write(&uart, 4, 0x10);
	sends("hi");
	assert_int_equal(uart.len, 0);
	assert_int_equal(uart_emu_read(&uart, 0), 'h');
	assert_int_equal(uart_emu_read(&uart, 0), 'i');
	uart_emu_write(&uart, 4, 0x00);
	sends("o\n");
	assert_int_equal(sink.n, 1);
	expect_line(0, "o");
}

/* What may be read without the device lock, and its value. */
static void test_pure_reads(void **state)
{
	uint8_t v = 0;

	uart_emu_write(&uart, 7, 0x3c);
	assert_true(uart_emu_read_pure(&uart, 7, &v));
	assert_int_equal(v, 0x3c);
	assert_true(uart_emu_read_pure(&uart, 5, &v));
	assert_int_equal(v, 0x60);
	assert_true(uart_emu_read_pure(&uart, 6, &v));
	assert_int_equal(v, 0xb0);
	assert_false(uart_emu_read_pure(&uart, 0, &v));
	assert_false(uart_emu_read_pure(&uart, 2, &v));
	assert_false(uart_emu_read_pure(&uart, 8, &v));
	uart_emu_write(&uart, 4, 0x10); /* deltas pending */
	assert_false(uart_emu_read_pure(&uart, 6, &v));
	for (unsigned i = 0; i <= UART_EMU_RX_FIFO; i++)
		uart_emu_rx(&uart, 'z');
	assert_false(uart_emu_read_pure(&uart, 5, &v)); /* overrun pending */
	(void)uart_emu_read(&uart, 5);
	assert_true(uart_emu_read_pure(&uart, 5, &v));
	assert_int_equal(v, 0x61);
	uart_emu_write(&uart, 3, 0x80);
	uart_emu_write(&uart, 0, 0x0c);
	assert_true(uart_emu_read_pure(&uart, 0, &v));
	assert_int_equal(v, 0x0c);
}

static void test_scratch(void **state)
{
	uart_emu_write(&uart, 7, 0xa5);
	assert_int_equal(uart_emu_read(&uart, 7), 0xa5);
	uart_emu_write(&uart, 3, 0x80);
	assert_int_equal(uart_emu_read(&uart, 7), 0xa5);
	uart_emu_write(&uart, 7, 0x5a);
	uart_emu_write(&uart, 3, 0x00);
	assert_int_equal(uart_emu_read(&uart, 7), 0x5a);
}

static void test_out_of_range_offsets(void **state)
{
	uart_emu_write(&uart, 8, 'x');
	uart_emu_write(&uart, 0x3f8, 'x');
	uart_emu_write(&uart, 0xffff, '\n');
	assert_int_equal(uart.len, 0);
	assert_int_equal(sink.n, 0);
	assert_int_equal(uart_emu_read(&uart, 8), 0);
	assert_int_equal(uart_emu_read(&uart, 0x3fd), 0);
	assert_int_equal(uart_emu_read(&uart, 0xffff), 0);
}

static void test_no_sink(void **state)
{
	uart_emu_init(&uart, NULL, NULL);
	sends("dropped\npartial");
	assert_int_equal(uart.len, 7);
	uart_emu_flush(&uart);
	assert_int_equal(uart.len, 0);
	assert_int_equal(sink.n, 0);
}

/* Received bytes come out of RBR in order with LSR.DR set until the last;
 * a byte that finds the FIFO full is refused and the earlier ones survive. */
static void test_receive_fifo(void **state)
{
	assert_int_equal(uart_emu_read(&uart, 5) & 0x01, 0);
	for (unsigned i = 0; i < UART_EMU_RX_FIFO; i++)
		assert_true(uart_emu_rx(&uart, (uint8_t)('a' + i)));
	assert_false(uart_emu_rx(&uart, 'X'));
	for (unsigned i = 0; i < UART_EMU_RX_FIFO; i++) {
		assert_int_equal(uart_emu_read(&uart, 5) & 0x01, 0x01);
		assert_int_equal(uart_emu_read(&uart, 0), 'a' + i);
	}
	assert_int_equal(uart_emu_read(&uart, 5), 0x60);
	assert_int_equal(uart_emu_read(&uart, 0), 0);
	/* the ring wraps */
	assert_true(uart_emu_rx(&uart, 'y'));
	assert_true(uart_emu_rx(&uart, 'z'));
	assert_int_equal(uart_emu_read(&uart, 0), 'y');
	assert_int_equal(uart_emu_read(&uart, 0), 'z');
	/* DLAB maps offset 0 to the divisor latch and leaves the FIFO alone */
	assert_true(uart_emu_rx(&uart, 'q'));
	uart_emu_write(&uart, 3, 0x80);
	uart_emu_write(&uart, 0, 0x0c);
	assert_int_equal(uart_emu_read(&uart, 0), 0x0c);
	uart_emu_write(&uart, 3, 0x03);
	assert_int_equal(uart_emu_read(&uart, 0), 'q');
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_state),           T(test_lines),
		T(test_crlf_and_cr),          T(test_non_printable),
		T(test_long_line_split),      T(test_dlab),
		T(test_ier_low_nibble),       T(test_status_registers),
		T(test_mcr_and_loopback),     T(test_scratch),
		T(test_out_of_range_offsets), T(test_no_sink),
		T(test_receive_fifo),         T(test_thre_interrupt),
		T(test_iir_priorities),       T(test_fifo_trigger),
		T(test_loopback_data),        T(test_pure_reads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
