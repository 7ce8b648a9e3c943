/* Unit tests for hv/vdev/ioapic.c: registers, edge and level pins, remote IRR, EOI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/vdev/ioapic.h"

static struct apic_msg sent[16];
static unsigned nsent;
static struct ioapic io;

static void record(void *ctx, const struct apic_msg *m)
{
	(void)ctx;
	assert_true(nsent < 16);
	sent[nsent++] = *m;
}

static const struct ioapic_ops ops = {.send = record};

static int setup(void **state)
{
	(void)state;
	nsent = 0;
	memset(&io, 0xa5, sizeof(io));
	ioapic_init(&io, 0, &ops, NULL);
	return 0;
}

static uint32_t rd(uint32_t reg)
{
	ioapic_mmio_write(&io, IOAPIC_REGSEL, reg);
	return ioapic_mmio_read(&io, IOAPIC_WINDOW);
}

static void wr(uint32_t reg, uint32_t val)
{
	ioapic_mmio_write(&io, IOAPIC_REGSEL, reg);
	ioapic_mmio_write(&io, IOAPIC_WINDOW, val);
}

static void test_id_version(void **state)
{
	(void)state;
	assert_int_equal(rd(IOAPIC_REG_VER), 0x00170020);
	assert_int_equal(rd(IOAPIC_REG_ID), 0);
	wr(IOAPIC_REG_ID, 0xff000000);
	assert_int_equal(rd(IOAPIC_REG_ID), 0x0f000000);
	assert_int_equal(rd(IOAPIC_REG_ARB), 0x0f000000);
	wr(IOAPIC_REG_VER, 0); /* read-only */
	assert_int_equal(rd(IOAPIC_REG_VER), 0x00170020);
	assert_int_equal(ioapic_mmio_read(&io, IOAPIC_REGSEL), IOAPIC_REG_VER);
	/* past the last pin, and holes: 0, writes dropped */
	wr(IOAPIC_REG_RTE + 2 * IOAPIC_PINS, 0x12);
	assert_int_equal(rd(IOAPIC_REG_RTE + 2 * IOAPIC_PINS), 0);
	assert_int_equal(rd(0x05), 0);
	assert_true(io.bad_writes >= 2);
}

static void test_reset_masked_rte_bits(void **state)
{
	(void)state;
	for (unsigned p = 0; p < IOAPIC_PINS; p++)
		assert_int_equal(rd(IOAPIC_REG_RTE + 2 * p), IOAPIC_RTE_MASKED);
	/* reserved, delivery status and remote IRR bits are not writable */
	wr(IOAPIC_REG_RTE + 4, 0xffffffff);
	assert_int_equal(rd(IOAPIC_REG_RTE + 4), 0x1afff);
	wr(IOAPIC_REG_RTE + 5, 0xffffffff);
	assert_int_equal(rd(IOAPIC_REG_RTE + 5), 0xff000000);
	ioapic_set_line(&io, 2, true); /* masked: nothing */
	assert_int_equal(nsent, 0);
}

static void test_edge(void **state)
{
	(void)state;
	wr(IOAPIC_REG_RTE + 2 * 2, 0x30 | (1 << 8) | IOAPIC_RTE_LOGICAL);
	wr(IOAPIC_REG_RTE + 2 * 2 + 1, 0x03000000);
	ioapic_set_line(&io, 2, true);
	ioapic_set_line(&io, 2, true); /* no edge */
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].vector, 0x30);
	assert_int_equal(sent[0].mode, 1);
	assert_true(sent[0].logical);
	assert_false(sent[0].level);
	assert_int_equal(sent[0].dest, 3);
	assert_int_equal(sent[0].src, UINT32_MAX);
	ioapic_set_line(&io, 2, false);
	ioapic_set_line(&io, 2, true);
	assert_int_equal(nsent, 2);
	assert_int_equal(rd(IOAPIC_REG_RTE + 4) & IOAPIC_RTE_RIRR, 0);
	ioapic_set_line(&io, 99, true); /* no such pin */
	assert_int_equal(nsent, 2);
}

static void test_level_remote_irr_eoi(void **state)
{
	(void)state;
	wr(IOAPIC_REG_RTE + 2 * 9, 0x41 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED);
	ioapic_set_line(&io, 9, true);
	assert_int_equal(nsent, 0);
	wr(IOAPIC_REG_RTE + 2 * 9, 0x41 | IOAPIC_RTE_LEVEL); /* unmask: asserted, goes */
	assert_int_equal(nsent, 1);
	assert_true(sent[0].level);
	assert_true(rd(IOAPIC_REG_RTE + 18) & IOAPIC_RTE_RIRR);
	ioapic_set_line(&io, 9, true);
	assert_int_equal(nsent, 1); /* remote IRR holds it */
	ioapic_eoi(&io, 0x42);      /* another vector: nothing */
	assert_true(rd(IOAPIC_REG_RTE + 18) & IOAPIC_RTE_RIRR);
	ioapic_eoi(&io, 0x41); /* still asserted: again */
	assert_int_equal(nsent, 2);
	ioapic_set_line(&io, 9, false);
	ioapic_mmio_write(&io, IOAPIC_EOI, 0x41); /* the EOI register */
	assert_int_equal(rd(IOAPIC_REG_RTE + 18) & IOAPIC_RTE_RIRR, 0);
	assert_int_equal(nsent, 2);
	/* a guest write of the low half keeps remote IRR */
	ioapic_set_line(&io, 9, true);
	assert_int_equal(nsent, 3);
	wr(IOAPIC_REG_RTE + 2 * 9, 0x41 | IOAPIC_RTE_LEVEL);
	assert_true(rd(IOAPIC_REG_RTE + 18) & IOAPIC_RTE_RIRR);
	assert_int_equal(nsent, 3);
}

static void test_nmi_extint_modes(void **state)
{
	(void)state;
	wr(IOAPIC_REG_RTE + 2 * 5, 0x00 | (4 << 8));
	ioapic_set_line(&io, 5, true);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].mode, 4);
	wr(IOAPIC_REG_RTE + 2 * 6, 0x00 | (7 << 8));
	ioapic_set_line(&io, 6, true);
	assert_int_equal(sent[1].mode, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_id_version, setup),
		cmocka_unit_test_setup(test_reset_masked_rte_bits, setup),
		cmocka_unit_test_setup(test_edge, setup),
		cmocka_unit_test_setup(test_level_remote_irr_eoi, setup),
		cmocka_unit_test_setup(test_nmi_extint_modes, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
