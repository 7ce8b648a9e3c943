/* Unit tests for drivers/uart_cfg.c: which UART is the console, and its divisor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/uart_cfg.h"

static const struct uart_cfg com2 = {UART_IO, 0x2f8, 1, 1, 115200, 0};
static const struct uart_cfg mmio = {UART_MMIO, 0xfe032000, 4, 4, 0, 48000000};
static const struct uart_cfg none = {UART_NONE, 0, 1, 1, 0, 0};

/* The option beats SPCR, SPCR beats DBG2, COM1 only when nothing names a UART. */
static void test_choose(void **state)
{
	struct uart_cfg c;

	assert_int_equal(uart_choose(NULL, NULL, NULL, &c), UART_FROM_DEFAULT);
	assert_int_equal(c.space, UART_IO);
	assert_int_equal(c.base, UART_COM1_PORT);
	assert_int_equal(c.baud, UART_DEFAULT_BAUD);
	assert_int_equal(uart_choose(NULL, NULL, &mmio, &c), UART_FROM_DBG2);
	assert_int_equal(c.base, 0xfe032000);
	assert_int_equal(c.baud, 0); /* DBG2 gives none: the firmware's stays */
	assert_int_equal(uart_choose(NULL, &com2, &mmio, &c), UART_FROM_SPCR);
	assert_int_equal(c.base, 0x2f8);
	assert_int_equal(uart_choose(&mmio, &com2, NULL, &c), UART_FROM_OPTION);
	assert_int_equal(c.base, 0xfe032000);
	assert_int_equal(c.stride, 4);
	assert_int_equal(uart_choose(&none, &com2, &mmio, &c), UART_FROM_OPTION);
	assert_int_equal(c.space, UART_NONE);
	assert_string_equal(uart_origin_names[UART_FROM_SPCR], "ACPI SPCR");
}

static void test_divisor(void **state)
{
	assert_int_equal(uart_divisor(0, 115200), 1);
	assert_int_equal(uart_divisor(0, 57600), 2);
	assert_int_equal(uart_divisor(0, 9600), 12);
	assert_int_equal(uart_divisor(0, 300), 384);
	assert_int_equal(uart_divisor(UART_DEFAULT_CLOCK, 19200), 6);
	assert_int_equal(uart_divisor(48000000, 1500000), 2);
	assert_int_equal(uart_divisor(48000000, 115200), 26); /* 115384 baud: within 1% */
	assert_int_equal(uart_divisor(0, 0), 0);              /* keep the firmware's */
	assert_int_equal(uart_divisor(0, 230400), 0);         /* above clock / 16 */
	assert_int_equal(uart_divisor(0, 1), 0);              /* divisor beyond 16 bits */
	assert_int_equal(uart_divisor(0, 100000), 0);         /* 115200 is 15% off */
	assert_int_equal(uart_divisor(0xffffffffu, 0xffffffffu), 0);
}

/* An MMIO UART inside usable RAM is refused: the window is 8 registers x stride. */
static void test_mmio_overlaps(void **state)
{
	struct uart_cfg m8 = mmio;

	assert_int_equal(uart_cfg_span(&mmio), 32);
	assert_true(uart_cfg_mmio_overlaps(&mmio, 0xfe000000, 0x100000));
	assert_true(uart_cfg_mmio_overlaps(&mmio, 0xfe03201f, 1)); /* last byte of the window */
	assert_false(uart_cfg_mmio_overlaps(&mmio, 0xfe032020, 0x1000));
	assert_true(uart_cfg_mmio_overlaps(&mmio, 0xfe031000, 0x1001));
	assert_false(uart_cfg_mmio_overlaps(&mmio, 0xfe031000, 0x1000));
	m8.stride = 1;
	assert_false(uart_cfg_mmio_overlaps(&m8, 0xfe032008, 8));
	assert_true(uart_cfg_mmio_overlaps(&m8, 0, UINT64_MAX)); /* no overflow at the top */
	m8.base = UINT64_MAX - 7;
	assert_true(uart_cfg_mmio_overlaps(&m8, UINT64_MAX, 1));
	assert_false(uart_cfg_mmio_overlaps(&m8, 0, 0));
	assert_false(uart_cfg_mmio_overlaps(&com2, 0, 0x100000)); /* I/O ports are not memory */
}

static void test_describe(void **state)
{
	struct uart_cfg c = com2;
	char buf[64];

	uart_cfg_describe(&c, buf, sizeof(buf));
	assert_string_equal(buf, "COM2 0x2f8");
	c.base = UART_COM1_PORT;
	uart_cfg_describe(&c, buf, sizeof(buf));
	assert_string_equal(buf, "COM1 0x3f8");
	c.base = 0x3e8;
	uart_cfg_describe(&c, buf, sizeof(buf));
	assert_string_equal(buf, "I/O 0x3e8");
	uart_cfg_describe(&mmio, buf, sizeof(buf));
	assert_string_equal(buf, "MMIO 0xfe032000 (32-bit registers)");
	uart_cfg_describe(&none, buf, sizeof(buf));
	assert_string_equal(buf, "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_divisor),
		cmocka_unit_test(test_mmio_overlaps),
		cmocka_unit_test(test_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
