/* Unit tests for hv/vdev/rtc.c: the calendar, BCD/binary and 12/24 h, UIP,
 * register D, setting the clock, the NMI bit and CMOS memory. TSC 1 MHz. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/vdev/rtc.h"

#define HZ 1000000ull
#define T0 5000000ull
/* 2024-02-29 23:59:58 UTC, a Thursday */
#define LEAP_EVE 1709251198ull

static struct rtc rtc;

static int setup(void **state)
{
	(void)state;
	memset(&rtc, 0x33, sizeof(rtc));
	rtc_init(&rtc, LEAP_EVE, T0, HZ);
	return 0;
}

static uint8_t reg(uint8_t i, uint64_t now)
{
	rtc_write(&rtc, RTC_PORT_INDEX, i, now);
	return rtc_read(&rtc, RTC_PORT_DATA, now);
}

static void set(uint8_t i, uint8_t v, uint64_t now)
{
	rtc_write(&rtc, RTC_PORT_INDEX, i, now);
	rtc_write(&rtc, RTC_PORT_DATA, v, now);
}

static void test_bcd_24h(void **state)
{
	(void)state;
	assert_int_equal(reg(0, T0), 0x58);
	assert_int_equal(reg(2, T0), 0x59);
	assert_int_equal(reg(4, T0), 0x23);
	assert_int_equal(reg(6, T0), 5);
	assert_int_equal(reg(7, T0), 0x29);
	assert_int_equal(reg(8, T0), 0x02);
	assert_int_equal(reg(9, T0), 0x24);
	assert_int_equal(reg(RTC_CENTURY, T0), 0x20);
	/* two seconds later: March 1st, Friday */
	assert_int_equal(reg(0, T0 + 2 * HZ), 0x00);
	assert_int_equal(reg(7, T0 + 2 * HZ), 0x01);
	assert_int_equal(reg(8, T0 + 2 * HZ), 0x03);
	assert_int_equal(reg(6, T0 + 2 * HZ), 6);
}

static void test_binary_12h(void **state)
{
	(void)state;
	set(RTC_REG_B, RTC_B_BINARY, T0); /* binary, 12-hour */
	assert_int_equal(reg(0, T0), 58);
	assert_int_equal(reg(4, T0), 0x80 | 11);   /* 11 PM */
	assert_int_equal(reg(4, T0 + 2 * HZ), 12); /* midnight: 12 AM */
	set(RTC_REG_B, 0, T0);
	assert_int_equal(reg(4, T0), 0x80 | 0x11);
}

static void test_uip_and_status(void **state)
{
	(void)state;
	assert_int_equal(reg(RTC_REG_A, T0), 0x26);
	assert_int_equal(reg(RTC_REG_A, T0 + HZ - 100), 0x26 | RTC_A_UIP);
	assert_int_equal(reg(RTC_REG_A, T0 + HZ - 300), 0x26);
	assert_int_equal(reg(RTC_REG_D, T0), RTC_D_VRT);
	assert_int_equal(reg(RTC_REG_C, T0), 0);
	set(RTC_REG_A, 0xff, T0); /* UIP is read-only */
	assert_int_equal(reg(RTC_REG_A, T0), 0x7f);
	set(RTC_REG_D, 0, T0);
	assert_int_equal(reg(RTC_REG_D, T0), RTC_D_VRT);
}

static void test_set_clock(void **state)
{
	(void)state;
	set(9, 0x30, T0); /* 2030 */
	set(8, 0x02, T0); /* February (29th clamps to 28) */
	set(4, 0x10, T0); /* 10:xx */
	assert_int_equal(reg(9, T0), 0x30);
	assert_int_equal(reg(7, T0), 0x28);
	assert_int_equal(reg(4, T0), 0x10);
	assert_int_equal(rtc_time(&rtc, T0) % 86400, 10 * 3600 + 59 * 60 + 58);
	assert_int_equal(reg(0, T0 + 3 * HZ), 0x01);
}

static void test_index_nmi_and_memory(void **state)
{
	(void)state;
	rtc_write(&rtc, RTC_PORT_INDEX, 0x80 | 0x40, T0);
	assert_true(rtc.nmi_masked);
	rtc_write(&rtc, RTC_PORT_DATA, 0xab, T0);
	rtc_write(&rtc, RTC_PORT_INDEX, 0x40, T0);
	assert_false(rtc.nmi_masked);
	assert_int_equal(rtc_read(&rtc, RTC_PORT_DATA, T0), 0xab);
	assert_int_equal(rtc_read(&rtc, RTC_PORT_INDEX, T0), 0xff);
	assert_int_equal(reg(0x7f, T0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bcd_24h, setup),
		cmocka_unit_test_setup(test_binary_12h, setup),
		cmocka_unit_test_setup(test_uip_and_status, setup),
		cmocka_unit_test_setup(test_set_clock, setup),
		cmocka_unit_test_setup(test_index_nmi_and_memory, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
