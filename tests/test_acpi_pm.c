/* Unit tests for hv/vdev/acpi_pm.c: PM1 registers, PM timer, S5 and reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hv/vdev/acpi_pm.h"
#include "hv/vdev/acpi_tables.h"

#define HZ 2000000000ull

static void test_poweroff_only_s5(void **state)
{
	struct acpi_pm pm;

	(void)state;
	acpi_pm_init(&pm);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_CNT, 2, 0, HZ), PM1_CNT_SCI_EN);
	/* a sleep type without SLP_EN, then SLP_EN with S1's type: no action */
	assert_int_equal(acpi_pm_write(&pm, ACPI_PM1A_CNT, 2, 5u << 10), ACPI_PM_NONE);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_CNT, 2, 0, HZ), (5u << 10) | 1);
	assert_int_equal(acpi_pm_write(&pm, ACPI_PM1A_CNT, 2, (1u << 10) | PM1_CNT_SLP_EN),
	                 ACPI_PM_NONE);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_CNT, 2, 0, HZ) & PM1_CNT_SLP_EN, 0);
	assert_int_equal(acpi_pm_write(&pm, ACPI_PM1A_CNT, 2, (5u << 10) | PM1_CNT_SLP_EN),
	                 ACPI_PM_POWEROFF);
	/* byte-wide: the high byte holds SLP_TYP and SLP_EN */
	acpi_pm_init(&pm);
	assert_int_equal(
		acpi_pm_write(&pm, ACPI_PM1A_CNT + 1, 1, ((5u << 10) | PM1_CNT_SLP_EN) >> 8),
		ACPI_PM_POWEROFF);
}

static void test_reset(void **state)
{
	struct acpi_pm pm;

	(void)state;
	acpi_pm_init(&pm);
	assert_int_equal(acpi_pm_write(&pm, ACPI_RESET_PORT, 1, 2), ACPI_PM_NONE);
	assert_int_equal(acpi_pm_write(&pm, ACPI_RESET_PORT, 1, ACPI_RESET_VALUE), ACPI_PM_RESET);
}

static void test_status_enable(void **state)
{
	struct acpi_pm pm;

	(void)state;
	acpi_pm_init(&pm);
	pm.sts = PM1_STS_TMR | PM1_STS_WAK;
	acpi_pm_write(&pm, ACPI_PM1A_EVT, 2, PM1_STS_WAK); /* write 1 to clear */
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_EVT, 2, 0, HZ), PM1_STS_TMR);
	acpi_pm_write(&pm, ACPI_PM1A_EVT + 2, 2, 0x0120);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_EVT + 2, 2, 0, HZ), 0x0120);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM1A_EVT, 4, 0, HZ), 0x01200000u | PM1_STS_TMR);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM_BASE + 0xe, 1, 0, HZ), 0xff);
	assert_true(acpi_pm_port(ACPI_PM_BASE));
	assert_true(acpi_pm_port(ACPI_PM_END - 1));
	assert_false(acpi_pm_port(ACPI_PM_END));
	assert_false(acpi_pm_port(ACPI_PM_BASE - 1));
}

static void test_timer(void **state)
{
	struct acpi_pm pm;
	uint64_t t = 10 * HZ + HZ / 2; /* 10.5 s */

	(void)state;
	acpi_pm_init(&pm);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM_TMR, 4, 0, HZ), 0);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM_TMR, 4, HZ, HZ), ACPI_PM_TIMER_HZ);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM_TMR, 4, t, HZ),
	                 (uint32_t)(10ull * ACPI_PM_TIMER_HZ + ACPI_PM_TIMER_HZ / 2));
	/* 32 bits wide: wraps after 2^32 ticks */
	t = (1ull << 32) / ACPI_PM_TIMER_HZ * HZ + HZ;
	assert_int_equal(
		acpi_pm_read(&pm, ACPI_PM_TMR, 4, t, HZ),
		(uint32_t)((1ull << 32) / ACPI_PM_TIMER_HZ * ACPI_PM_TIMER_HZ + ACPI_PM_TIMER_HZ));
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM_TMR + 2, 2, HZ, HZ), ACPI_PM_TIMER_HZ >> 16);
	/* writes are ignored */
	acpi_pm_write(&pm, ACPI_PM_TMR, 4, 0);
	assert_int_equal(acpi_pm_read(&pm, ACPI_PM_TMR, 4, HZ, HZ), ACPI_PM_TIMER_HZ);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poweroff_only_s5),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_status_enable),
		cmocka_unit_test(test_timer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
