/* Unit tests for hv/vdev/pit8254.c: counting, modes, latch, read-back, gate 2
 * and port 0x61, counter 0's IRQ deadlines and their floor. TSC = 1193182 Hz
 * x 10 here, so one PIT tick is 10 TSC ticks exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/vdev/pit8254.h"

#define HZ   (PIT_HZ * 10ull)
#define T0   1000000ull
#define TICK 10ull

static struct pit pit;

static int setup(void **state)
{
	(void)state;
	memset(&pit, 0x77, sizeof(pit));
	pit_init(&pit, HZ, 50 * TICK);
	return 0;
}

static void program(unsigned ch, unsigned mode, uint16_t count, uint64_t now)
{
	pit_write(&pit, PIT_PORT_CTRL, (uint8_t)(ch << 6 | 3 << 4 | mode << 1), now);
	pit_write(&pit, PIT_PORT_BASE + ch, (uint8_t)count, now);
	pit_write(&pit, PIT_PORT_BASE + ch, (uint8_t)(count >> 8), now);
}

static uint16_t read16(unsigned ch, uint64_t now)
{
	uint16_t lo = pit_read(&pit, PIT_PORT_BASE + ch, now);

	return (uint16_t)(lo | pit_read(&pit, PIT_PORT_BASE + ch, now) << 8);
}

static void test_idle_after_reset(void **state)
{
	(void)state;
	assert_int_equal(pit_deadline(&pit), UINT64_MAX);
	assert_false(pit_poll(&pit, T0));
}

static void test_mode2_periodic_irq(void **state)
{
	(void)state;
	program(0, 2, 1000, T0);
	assert_int_equal(pit_deadline(&pit), T0 + 1000 * TICK);
	assert_false(pit_poll(&pit, T0 + 1000 * TICK - 1));
	assert_int_equal(read16(0, T0 + 250 * TICK), 750);
	assert_true(pit_poll(&pit, T0 + 1000 * TICK));
	assert_int_equal(pit_deadline(&pit), T0 + 2000 * TICK);
	/* missed periods coalesce, the grid stays */
	assert_true(pit_poll(&pit, T0 + 5500 * TICK));
	assert_false(pit_poll(&pit, T0 + 5600 * TICK));
	assert_int_equal(pit_deadline(&pit), T0 + 6000 * TICK);
	/* output low for the last tick of a period */
	assert_false(pit_out(&pit, 0, T0 + 999 * TICK));
	assert_true(pit_out(&pit, 0, T0 + 998 * TICK));
}

static void test_storm_floor(void **state)
{
	(void)state;
	program(0, 2, 1, T0); /* 1.19 MHz asked */
	assert_true(pit_deadline(&pit) - T0 >= 50 * TICK);
	assert_true(pit_poll(&pit, pit_deadline(&pit)));
	assert_true(pit_deadline(&pit) - (T0 + 50 * TICK) >= 50 * TICK);
}

static void test_mode0_oneshot_and_latch(void **state)
{
	(void)state;
	program(0, 0, 100, T0);
	assert_false(pit_out(&pit, 0, T0 + 99 * TICK));
	assert_true(pit_out(&pit, 0, T0 + 100 * TICK));
	pit_write(&pit, PIT_PORT_CTRL, 0x00, T0 + 40 * TICK); /* latch counter 0 */
	pit_write(&pit, PIT_PORT_CTRL, 0x00, T0 + 50 * TICK); /* ignored: one latched */
	assert_int_equal(read16(0, T0 + 90 * TICK), 60);
	assert_int_equal(read16(0, T0 + 90 * TICK), 10); /* live again */
	assert_true(pit_poll(&pit, T0 + 100 * TICK));
	assert_int_equal(pit_deadline(&pit), UINT64_MAX);     /* once only */
	assert_int_equal(read16(0, T0 + 110 * TICK), 0xfff6); /* wraps through 0 */
}

static void test_mode3_and_lsb_msb_access(void **state)
{
	(void)state;
	pit_write(&pit, PIT_PORT_CTRL, 0x36 & ~0x20, T0); /* ch0 LSB only, mode 3 */
	pit_write(&pit, PIT_PORT_BASE, 100, T0);
	assert_int_equal(pit_read(&pit, PIT_PORT_BASE, T0 + 10 * TICK), 80);
	assert_true(pit_out(&pit, 0, T0 + 49 * TICK));
	assert_false(pit_out(&pit, 0, T0 + 50 * TICK));
	pit_write(&pit, PIT_PORT_CTRL, 0x20 | 4, T0); /* ch0 MSB only, mode 2 */
	pit_write(&pit, PIT_PORT_BASE, 0x02, T0);
	assert_int_equal(pit.ch[0].reload, 0x200);
	assert_int_equal(pit_read(&pit, PIT_PORT_BASE, T0 + 0x100 * TICK), 0x01);
	program(0, 2, 0, T0); /* 0 is 65536 */
	assert_int_equal(pit.ch[0].reload, 0x10000);
}

static void test_readback(void **state)
{
	(void)state;
	program(2, 0, 500, T0);
	pit_write(&pit, PIT_PORT_SPKR, 1, T0); /* gate 2 high: it counts from here */
	/* read-back of counter 2: status then count */
	pit_write(&pit, PIT_PORT_CTRL, 0xc0 | 0x08, T0 + 100 * TICK);
	assert_int_equal(pit_read(&pit, PIT_PORT_BASE + 2, T0 + 300 * TICK), 0x30);
	assert_int_equal(read16(2, T0 + 300 * TICK), 400);
	/* status only: output bit once terminal count is past */
	pit_write(&pit, PIT_PORT_CTRL, 0xc0 | 0x20 | 0x08, T0 + 600 * TICK);
	assert_int_equal(pit_read(&pit, PIT_PORT_BASE + 2, T0 + 600 * TICK), 0xb0);
}

static void test_gate2_and_port61(void **state)
{
	(void)state;
	uint8_t a, b;

	program(2, 0, 1000, T0);
	assert_int_equal(read16(2, T0 + 500 * TICK), 1000); /* gate low: not counting */
	pit_write(&pit, PIT_PORT_SPKR, 0x03, T0 + 500 * TICK);
	assert_int_equal(pit_read(&pit, PIT_PORT_SPKR, T0 + 600 * TICK) & 0x2f, 0x03);
	assert_int_equal(read16(2, T0 + 600 * TICK), 900);
	assert_int_equal(pit_read(&pit, PIT_PORT_SPKR, T0 + 1500 * TICK) & 0x20, 0x20);
	pit_write(&pit, PIT_PORT_SPKR, 0x00, T0 + 700 * TICK); /* freezes */
	assert_int_equal(read16(2, T0 + 5000 * TICK), 800);
	a = pit_read(&pit, PIT_PORT_SPKR, T0);
	b = pit_read(&pit, PIT_PORT_SPKR, T0);
	assert_int_not_equal(a & 0x10, b & 0x10);         /* refresh toggles */
	assert_int_equal(pit_deadline(&pit), UINT64_MAX); /* counter 2 raises no IRQ */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_idle_after_reset, setup),
		cmocka_unit_test_setup(test_mode2_periodic_irq, setup),
		cmocka_unit_test_setup(test_storm_floor, setup),
		cmocka_unit_test_setup(test_mode0_oneshot_and_latch, setup),
		cmocka_unit_test_setup(test_mode3_and_lsb_msb_access, setup),
		cmocka_unit_test_setup(test_readback, setup),
		cmocka_unit_test_setup(test_gate2_and_port61, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
