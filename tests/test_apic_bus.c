/* Unit tests for hv/vdev/apic_bus.c: which vCPUs an interrupt message reaches
 * (SDM Vol. 3A 11.6.2 destinations and shorthands, 11.6.2.4 lowest priority,
 * 11.12.10 x2APIC logical destinations). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/vdev/apic_bus.h"

#define N 20

static uint32_t pages[N][1024] __attribute__((aligned(4096)));
static struct vlapic apics[N];
static struct vlapic *lapics[N];

/* n APICs with IDs 0..n-1, software-enabled, in xAPIC (or x2APIC) mode. */
static void make(uint32_t n, bool x2apic)
{
	for (uint32_t i = 0; i < N; i++) {
		lapics[i] = NULL;
		if (i >= n)
			continue;
		vlapic_init(&apics[i], pages[i], i, i == 0, NULL, NULL);
		assert_int_equal(vlapic_mmio_write(&apics[i], APIC_SPIV, 0x1ff, 0), 0);
		if (x2apic)
			assert_int_equal(
				vlapic_set_base(&apics[i],
			                        vlapic_get_base(&apics[i]) | APIC_BASE_EXTD, true,
			                        40),
				0);
		lapics[i] = &apics[i];
	}
}

static uint64_t targets(uint32_t n, struct apic_msg m)
{
	return apic_bus_targets(lapics, n, &m);
}

static void xapic_write(uint32_t i, uint32_t off, uint32_t val)
{
	assert_int_equal(vlapic_mmio_write(&apics[i], off, val, 0), 0);
}

static void test_physical(void **state)
{
	make(4, false);
	assert_int_equal(targets(4, (struct apic_msg){.vector = 0x40, .dest = 2}), BIT(2));
	assert_int_equal(targets(4, (struct apic_msg){.vector = 0x40, .dest = 0}), BIT(0));
	assert_int_equal(targets(4, (struct apic_msg){.vector = 0x40, .dest = 9}), 0);
	assert_int_equal(targets(4, (struct apic_msg){.vector = 0x40, .dest = 0xff}), 0xf);
	/* only the low 8 bits count in xAPIC format */
	assert_int_equal(targets(4, (struct apic_msg){.vector = 0x40, .dest = 0x103}), BIT(3));
	make(4, true);
	assert_int_equal(targets(4, (struct apic_msg){.vector = 0x40, .dest = 3, .x2apic = true}),
	                 BIT(3));
	assert_int_equal(
		targets(4, (struct apic_msg){.vector = 0x40, .dest = 0xff, .x2apic = true}), 0);
	assert_int_equal(
		targets(4, (struct apic_msg){.vector = 0x40, .dest = 0xffffffff, .x2apic = true}),
		0xf);
}

/* Flat model: LDR[31:24] & dest (sec. 11.6.2.2). */
static void test_logical_flat(void **state)
{
	make(4, false);
	for (uint32_t i = 0; i < 4; i++)
		xapic_write(i, APIC_LDR, (1u << i) << 24);
	assert_int_equal(
		targets(4, (struct apic_msg){.vector = 0x40, .logical = true, .dest = 0x5}),
		BIT(0) | BIT(2));
	assert_int_equal(
		targets(4, (struct apic_msg){.vector = 0x40, .logical = true, .dest = 0x30}), 0);
	assert_int_equal(
		targets(4, (struct apic_msg){.vector = 0x40, .logical = true, .dest = 0xff}), 0xf);
	/* an LDR of 0 is never named (except by broadcast) */
	xapic_write(1, APIC_LDR, 0);
	assert_int_equal(
		targets(4, (struct apic_msg){.vector = 0x40, .logical = true, .dest = 0xf}),
		BIT(0) | BIT(2) | BIT(3));
}

/* Cluster model: LDR[31:28] is the cluster, LDR[27:24] the members. */
static void test_logical_cluster(void **state)
{
	make(6, false);
	for (uint32_t i = 0; i < 6; i++) {
		xapic_write(i, APIC_DFR, 0x0fffffff);
		xapic_write(i, APIC_LDR, (((i / 4) << 4) | (1u << (i % 4))) << 24);
	}
	assert_int_equal(
		targets(6, (struct apic_msg){.vector = 0x40, .logical = true, .dest = 0x03}),
		BIT(0) | BIT(1));
	assert_int_equal(
		targets(6, (struct apic_msg){.vector = 0x40, .logical = true, .dest = 0x12}),
		BIT(5));
	assert_int_equal(
		targets(6, (struct apic_msg){.vector = 0x40, .logical = true, .dest = 0x24}), 0);
	assert_int_equal(
		targets(6, (struct apic_msg){.vector = 0x40, .logical = true, .dest = 0xff}), 0x3f);
}

/* x2APIC logical: cluster = ID[19:4] in LDR[31:16], member bit ID[3:0] (sec. 11.12.10.2). */
static void test_logical_x2apic(void **state)
{
	struct apic_msg m = {.vector = 0x40, .logical = true, .x2apic = true};

	make(N, true);
	m.dest = (1u << 16) | 0x3;
	assert_int_equal(targets(N, m), BIT(16) | BIT(17));
	m.dest = 0x8001;
	assert_int_equal(targets(N, m), BIT(0) | BIT(15));
	m.dest = (2u << 16) | 0xffff;
	assert_int_equal(targets(N, m), 0);
	m.dest = 0xffffffff;
	assert_int_equal(targets(N, m), (1u << N) - 1);
}

static void test_shorthands(void **state)
{
	make(4, false);
	assert_int_equal(
		targets(4,
	                (struct apic_msg){.vector = 0x40, .shorthand = APIC_DEST_SELF, .src = 2}),
		BIT(2));
	assert_int_equal(
		targets(4, (struct apic_msg){.vector = 0x40, .shorthand = APIC_DEST_ALL, .src = 2}),
		0xf);
	assert_int_equal(
		targets(4,
	                (struct apic_msg){.vector = 0x40, .shorthand = APIC_DEST_OTHERS, .src = 2}),
		0xb);
	/* a shorthand ignores the destination field */
	assert_int_equal(targets(4, (struct apic_msg){.vector = 0x40,
	                                              .shorthand = APIC_DEST_SELF,
	                                              .src = 1,
	                                              .dest = 3}),
	                 BIT(1));
}

/* Lowest priority: one target, the lowest PPR, ties to the lowest index. */
static void test_lowest_priority(void **state)
{
	struct apic_msg m = {.vector = 0x40, .mode = APIC_DM_LOWEST, .dest = 0xff};

	make(4, false);
	assert_int_equal(targets(4, m), BIT(0));
	xapic_write(0, APIC_TASKPRI, 0x30);
	xapic_write(1, APIC_TASKPRI, 0x20);
	xapic_write(2, APIC_TASKPRI, 0x10);
	xapic_write(3, APIC_TASKPRI, 0x10);
	assert_int_equal(targets(4, m), BIT(2));
	xapic_write(3, APIC_TASKPRI, 0x0f);
	assert_int_equal(targets(4, m), BIT(3));
	/* only among those named */
	m.dest = 0x1;
	assert_int_equal(targets(4, m), BIT(1)); /* physical ID 1 */
	m.shorthand = APIC_DEST_OTHERS;
	m.src = 3;
	assert_int_equal(targets(4, m), BIT(2));
	/* and only among those that accept: a software-disabled one does not */
	m.shorthand = APIC_DEST_NONE;
	m.dest = 0xff;
	xapic_write(3, APIC_SPIV, 0xff);
	assert_int_equal(targets(4, m), BIT(2));
}

/* Fixed and lowest need a software-enabled APIC; NMI, INIT and SIPI only a
 * hardware-enabled one (sec. 11.4.7.2); a hardware-disabled one takes nothing. */
static void test_acceptance_by_state(void **state)
{
	struct apic_msg m = {.vector = 0x40, .dest = 0xff};

	make(4, false);
	xapic_write(1, APIC_SPIV, 0xff);
	assert_int_equal(vlapic_set_base(&apics[2], 0xfee00000ull, true, 40), 0);
	assert_int_equal(targets(4, m), BIT(0) | BIT(3));
	m.mode = APIC_DM_NMI;
	assert_int_equal(targets(4, m), BIT(0) | BIT(1) | BIT(3));
	m.mode = APIC_DM_INIT;
	assert_int_equal(targets(4, m), BIT(0) | BIT(1) | BIT(3));
	m.mode = APIC_DM_SIPI;
	assert_int_equal(targets(4, m), BIT(0) | BIT(1) | BIT(3));
	m.mode = APIC_DM_SMI;
	assert_int_equal(targets(4, m), 0);
	m.mode = APIC_DM_EXTINT;
	assert_int_equal(targets(4, m), 0);
	/* missing vCPUs are skipped */
	m.mode = APIC_DM_FIXED;
	lapics[0] = NULL;
	assert_int_equal(targets(4, m), BIT(3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_physical),
		cmocka_unit_test(test_logical_flat),
		cmocka_unit_test(test_logical_cluster),
		cmocka_unit_test(test_logical_x2apic),
		cmocka_unit_test(test_shorthands),
		cmocka_unit_test(test_lowest_priority),
		cmocka_unit_test(test_acceptance_by_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
