/* Unit tests for hv/vdev/i8042.c: self-test, command byte, keyboard ACKs, IRQ 1, reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/vdev/i8042.h"

static struct i8042 k;

static int setup(void **state)
{
	(void)state;
	memset(&k, 0x11, sizeof(k));
	i8042_init(&k);
	return 0;
}

static void test_self_test(void **state)
{
	(void)state;
	assert_int_equal(i8042_read(&k, I8042_PORT_CMD) & 0x05, 0);
	assert_int_equal(i8042_write(&k, I8042_PORT_CMD, 0xaa), I8042_NONE);
	assert_int_equal(i8042_read(&k, I8042_PORT_CMD) & 0x0d, 0x0d); /* OBF, SYS, CMD */
	assert_true(i8042_irq(&k));
	assert_int_equal(i8042_read(&k, I8042_PORT_DATA), 0x55);
	assert_int_equal(i8042_read(&k, I8042_PORT_CMD) & 1, 0);
	assert_false(i8042_irq(&k));
	assert_int_equal(i8042_read(&k, I8042_PORT_DATA), 0); /* empty */
}

static void test_command_byte(void **state)
{
	(void)state;
	i8042_write(&k, I8042_PORT_CMD, 0x60);
	i8042_write(&k, I8042_PORT_DATA, 0x44); /* IRQ 1 off */
	i8042_write(&k, I8042_PORT_CMD, 0x20);
	assert_false(i8042_irq(&k));
	assert_int_equal(i8042_read(&k, I8042_PORT_DATA), 0x44);
	i8042_write(&k, I8042_PORT_CMD, 0xad);
	i8042_write(&k, I8042_PORT_CMD, 0x20);
	assert_int_equal(i8042_read(&k, I8042_PORT_DATA), 0x54);
	/* a byte for the keyboard: ACK; reset: ACK, then passed */
	i8042_write(&k, I8042_PORT_DATA, 0xff);
	assert_int_equal(i8042_read(&k, I8042_PORT_DATA), 0xfa);
	assert_int_equal(i8042_read(&k, I8042_PORT_DATA), 0xaa);
	for (int i = 0; i < 10; i++) /* the queue is bounded */
		i8042_write(&k, I8042_PORT_CMD, 0xab);
	assert_int_equal(k.out_count, I8042_OUT_MAX);
}

static void test_reset(void **state)
{
	(void)state;
	assert_int_equal(i8042_write(&k, I8042_PORT_CMD, 0xfe), I8042_RESET);
	assert_int_equal(i8042_write(&k, I8042_PORT_CMD, 0xff), I8042_NONE); /* pulses nothing */
	assert_int_equal(i8042_write(&k, I8042_PORT_CMD, 0xf0), I8042_RESET);
	i8042_write(&k, I8042_PORT_CMD, 0xd0);
	assert_int_equal(i8042_read(&k, I8042_PORT_DATA), 0x03);
	i8042_write(&k, I8042_PORT_CMD, 0xd1);
	assert_int_equal(i8042_write(&k, I8042_PORT_DATA, 0x03), I8042_NONE);
	i8042_write(&k, I8042_PORT_CMD, 0xd1);
	assert_int_equal(i8042_write(&k, I8042_PORT_DATA, 0x02), I8042_RESET);
	/* 0xfe as data (to the keyboard) is no reset */
	assert_int_equal(i8042_write(&k, I8042_PORT_DATA, 0xfe), I8042_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_self_test, setup),
		cmocka_unit_test_setup(test_command_byte, setup),
		cmocka_unit_test_setup(test_reset, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
