/* Unit tests for hv/vdev/pic8259.c: initialization, priorities, EOI forms,
 * cascade, spurious IRQs, ELCR, poll and register reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/vdev/pic8259.h"

static struct pic8259 pic;

/* The PC BIOS / Linux sequence: edge, cascade, ICW4 8086 mode. */
static void init_pair(uint8_t master_base, uint8_t slave_base, bool aeoi)
{
	vpic_write(&pic, PIC_MASTER_CMD, 0x11);
	vpic_write(&pic, PIC_MASTER_DATA, master_base);
	vpic_write(&pic, PIC_MASTER_DATA, 0x04);
	vpic_write(&pic, PIC_MASTER_DATA, aeoi ? 0x03 : 0x01);
	vpic_write(&pic, PIC_SLAVE_CMD, 0x11);
	vpic_write(&pic, PIC_SLAVE_DATA, slave_base);
	vpic_write(&pic, PIC_SLAVE_DATA, 0x02);
	vpic_write(&pic, PIC_SLAVE_DATA, 0x01);
}

static int setup(void **state)
{
	(void)state;
	memset(&pic, 0x5a, sizeof(pic));
	vpic_init(&pic);
	return 0;
}

static void test_reset_and_uninitialized(void **state)
{
	(void)state;
	assert_int_equal(vpic_read(&pic, PIC_MASTER_DATA), 0xff);
	assert_int_equal(vpic_read(&pic, PIC_SLAVE_DATA), 0xff);
	vpic_write(&pic, PIC_MASTER_DATA, 0x00); /* OCW1 before any ICW: IMR, but not ready */
	vpic_set_line(&pic, 1, true);
	assert_false(vpic_output(&pic));
	assert_int_equal(vpic_read(&pic, PIC_ELCR_MASTER), 0);
	assert_int_equal(vpic_read(&pic, 0x22), 0xff);
}

static void test_init_mask_ack_eoi(void **state)
{
	(void)state;
	init_pair(0x20, 0x28, false);
	assert_int_equal(vpic_read(&pic, PIC_MASTER_DATA), 0); /* ICW1 cleared IMR */
	vpic_write(&pic, PIC_MASTER_DATA, 0xff);
	vpic_set_line(&pic, 0, true);
	vpic_set_line(&pic, 0, false);
	assert_false(vpic_output(&pic)); /* masked, but latched in IRR */
	assert_int_equal(vpic_read(&pic, PIC_MASTER_CMD), 0x01);
	vpic_write(&pic, PIC_MASTER_DATA, 0xfe);
	assert_true(vpic_output(&pic));
	assert_int_equal(vpic_ack(&pic), 0x20);
	assert_false(vpic_output(&pic));
	vpic_write(&pic, PIC_MASTER_CMD, 0x0b); /* OCW3: read ISR */
	assert_int_equal(vpic_read(&pic, PIC_MASTER_CMD), 0x01);
	vpic_write(&pic, PIC_MASTER_CMD, 0x20); /* non-specific EOI */
	assert_int_equal(vpic_read(&pic, PIC_MASTER_CMD), 0x00);
	vpic_write(&pic, PIC_MASTER_CMD, 0x0a); /* back to IRR */
	assert_int_equal(vpic_read(&pic, PIC_MASTER_CMD), 0x00);
}

static void test_priority_nesting(void **state)
{
	(void)state;
	init_pair(0x20, 0x28, false);
	vpic_set_line(&pic, 4, true);
	assert_int_equal(vpic_ack(&pic), 0x24);
	vpic_set_line(&pic, 5, true); /* lower priority than 4 in service */
	assert_false(vpic_output(&pic));
	vpic_set_line(&pic, 3, true); /* higher: nests */
	assert_true(vpic_output(&pic));
	assert_int_equal(vpic_ack(&pic), 0x23);
	vpic_write(&pic, PIC_MASTER_CMD, 0x60 | 4); /* specific EOI of 4, 3 still in service */
	assert_false(vpic_output(&pic));
	vpic_write(&pic, PIC_MASTER_CMD, 0x20);
	assert_int_equal(vpic_ack(&pic), 0x25);
}

static void test_rotation(void **state)
{
	(void)state;
	init_pair(0x20, 0x28, false);
	vpic_write(&pic, PIC_MASTER_CMD, 0xc0 | 4); /* set priority: 4 lowest, 5 highest */
	vpic_set_line(&pic, 3, true);
	vpic_set_line(&pic, 6, true);
	assert_int_equal(vpic_ack(&pic), 0x26);
	vpic_write(&pic, PIC_MASTER_CMD, 0xa0); /* rotate on non-specific EOI: 6 lowest */
	assert_int_equal(pic.chip[0].priority_add, 7);
	assert_int_equal(vpic_ack(&pic), 0x23);
}

static void test_cascade_and_spurious(void **state)
{
	(void)state;
	init_pair(0x20, 0x28, false);
	vpic_set_line(&pic, 10, true);
	assert_true(vpic_output(&pic));
	assert_int_equal(vpic_ack(&pic), 0x2a);
	vpic_write(&pic, PIC_SLAVE_CMD, 0x0b);
	assert_int_equal(vpic_read(&pic, PIC_SLAVE_CMD), 0x04);
	vpic_write(&pic, PIC_MASTER_CMD, 0x0b);
	assert_int_equal(vpic_read(&pic, PIC_MASTER_CMD), 0x04); /* IRQ 2 in service */
	vpic_write(&pic, PIC_SLAVE_CMD, 0x20);
	vpic_write(&pic, PIC_MASTER_CMD, 0x20);
	assert_int_equal(vpic_read(&pic, PIC_MASTER_CMD), 0);
	/* a request gone before the acknowledge: spurious 7 */
	assert_int_equal(vpic_ack(&pic), 0x27);
	vpic_write(&pic, PIC_MASTER_CMD, 0x0b);
	assert_int_equal(vpic_read(&pic, PIC_MASTER_CMD), 0); /* no ISR bit for it */
	/* level on the slave drops between the cascade and the slave's acknowledge */
	vpic_write(&pic, PIC_ELCR_SLAVE, 0xff);
	assert_int_equal(vpic_read(&pic, PIC_ELCR_SLAVE), 0xde);
	vpic_set_line(&pic, 11, true);
	assert_true(vpic_output(&pic));
	pic.chip[1].irr = 0; /* as if the line fell at that instant */
	assert_int_equal(vpic_ack(&pic), 0x2f);
}

static void test_level_and_aeoi(void **state)
{
	(void)state;
	init_pair(0x20, 0x28, true);
	vpic_write(&pic, PIC_ELCR_MASTER, 0xff);
	assert_int_equal(vpic_read(&pic, PIC_ELCR_MASTER), 0xf8);
	vpic_set_line(&pic, 5, true);
	assert_int_equal(vpic_ack(&pic), 0x25);
	/* auto-EOI: not in service; level: still requested */
	assert_true(vpic_output(&pic));
	vpic_set_line(&pic, 5, false);
	assert_false(vpic_output(&pic));
	/* edge IRQ 1 latched though the line is already low */
	vpic_set_line(&pic, 1, true);
	vpic_set_line(&pic, 1, false);
	assert_true(vpic_output(&pic));
}

static void test_poll(void **state)
{
	(void)state;
	init_pair(0x20, 0x28, false);
	vpic_write(&pic, PIC_MASTER_CMD, 0x0c);
	assert_int_equal(vpic_read(&pic, PIC_MASTER_CMD), 0); /* nothing */
	vpic_set_line(&pic, 6, true);
	vpic_write(&pic, PIC_MASTER_CMD, 0x0c);
	assert_int_equal(vpic_read(&pic, PIC_MASTER_CMD), 0x86);
	assert_false(vpic_output(&pic)); /* acknowledged: 6 in service */
}

/* The lock-free read gives what vpic_read gives, except after a poll command. */
static void test_read_pure(void **state)
{
	static const uint16_t ports[] = {PIC_MASTER_CMD, PIC_MASTER_DATA, PIC_SLAVE_CMD,
	                                 PIC_SLAVE_DATA, PIC_ELCR_MASTER, PIC_ELCR_SLAVE};
	uint8_t v;

	(void)state;
	init_pair(0x20, 0x28, false);
	vpic_write(&pic, PIC_MASTER_DATA, 0xa5);
	vpic_write(&pic, PIC_SLAVE_DATA, 0x3c);
	vpic_write(&pic, PIC_ELCR_SLAVE, 0x8e);
	vpic_set_line(&pic, 3, true);
	for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		assert_true(vpic_read_pure(&pic, ports[i], &v));
		assert_int_equal(v, vpic_read(&pic, ports[i]));
	}
	assert_true(vpic_read_pure(&pic, PIC_MASTER_DATA, &v));
	assert_int_equal(v, 0xa5);
	assert_true(vpic_read_pure(&pic, PIC_MASTER_CMD, &v));
	assert_int_equal(v, 0x08);              /* IRR: IRQ 3 latched (masked) */
	vpic_write(&pic, PIC_MASTER_CMD, 0x0b); /* OCW3: read ISR */
	assert_true(vpic_read_pure(&pic, PIC_MASTER_CMD, &v));
	assert_int_equal(v, 0);
	assert_false(vpic_read_pure(&pic, 0x22, &v)); /* not a PIC port */
	vpic_write(&pic, PIC_MASTER_DATA, 0x00);
	vpic_write(&pic, PIC_MASTER_CMD, 0x0c); /* poll: the next read acknowledges */
	assert_false(vpic_read_pure(&pic, PIC_MASTER_CMD, &v));
	assert_int_equal(vpic_read(&pic, PIC_MASTER_CMD), 0x83);
	assert_true(vpic_read_pure(&pic, PIC_MASTER_CMD, &v)); /* the poll is over */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_and_uninitialized, setup),
		cmocka_unit_test_setup(test_init_mask_ack_eoi, setup),
		cmocka_unit_test_setup(test_priority_nesting, setup),
		cmocka_unit_test_setup(test_rotation, setup),
		cmocka_unit_test_setup(test_cascade_and_spurious, setup),
		cmocka_unit_test_setup(test_level_and_aeoi, setup),
		cmocka_unit_test_setup(test_poll, setup),
		cmocka_unit_test_setup(test_read_pure, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
