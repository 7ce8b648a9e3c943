/* Unit tests for hv/lib/init_state.c: the state after RESET and INIT (SDM Vol. 3A
 * table 10-1) and the real-mode start of a SIPI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hv/lib/init_state.h"
#include "x86.h"

#define SIGNATURE 0x000806c1u
#define AR_CODE   (INIT_AR_PRESENT | INIT_AR_S | INIT_AR_CODE_RX) /* 0x9b */
#define AR_DATA   (INIT_AR_PRESENT | INIT_AR_S | INIT_AR_DATA_RW) /* 0x93 */

static void test_power_on(void **unused)
{
	struct init_state s;

	init_state_after_init(&s, CR0_PE | CR0_PG, true, SIGNATURE);
	assert_int_equal(s.cr0, 0x60000010);
	assert_int_equal(s.rip, 0xfff0);
	assert_int_equal(s.rflags, 2);
	assert_int_equal(s.rdx, SIGNATURE);
	assert_int_equal(s.cs.sel, 0xf000);
	assert_int_equal(s.cs.base, 0xffff0000);
	assert_int_equal(s.cs.limit, 0xffff);
	assert_int_equal(s.cs.ar, AR_CODE);
	assert_int_equal(s.data.sel, 0);
	assert_int_equal(s.data.base, 0);
	assert_int_equal(s.data.limit, 0xffff);
	assert_int_equal(s.data.ar, AR_DATA);
	assert_int_equal(s.gdtr_limit, 0xffff);
	assert_int_equal(s.idtr_limit, 0xffff);
	assert_int_equal(s.ldtr.ar, 0x82);
	assert_int_equal(s.tr.ar, 0x8b);
	assert_int_equal(s.dr7, 0x400);
	assert_int_equal(s.dr6, 0xffff0ff0);
}

/* INIT clears every CR0 bit but CD and NW and sets ET; CR2-CR4, EFER go to 0. */
static void test_init_keeps_cd_nw_only(void **unused)
{
	struct init_state s;
	uint64_t running = CR0_PE | CR0_MP | CR0_TS | CR0_NE | CR0_WP | CR0_AM | CR0_PG;

	init_state_after_init(&s, running, false, SIGNATURE);
	assert_int_equal(s.cr0, CR0_ET);
	init_state_after_init(&s, running | CR0_CD, false, SIGNATURE);
	assert_int_equal(s.cr0, CR0_ET | CR0_CD);
	init_state_after_init(&s, running | CR0_CD | CR0_NW, false, SIGNATURE);
	assert_int_equal(s.cr0, 0x60000010);
	assert_int_equal(s.cr2 | s.cr3 | s.cr4 | s.efer, 0);
}

static void test_sipi_vector_page(void **unused)
{
	struct init_seg cs;
	uint64_t rip = 1;

	init_state_sipi(0x08, &cs, &rip);
	assert_int_equal(cs.sel, 0x0800);
	assert_int_equal(cs.base, 0x8000);
	assert_int_equal(cs.limit, 0xffff);
	assert_int_equal(cs.ar, AR_CODE);
	assert_int_equal(rip, 0);
	init_state_sipi(0x9f, &cs, &rip);
	assert_int_equal(cs.sel, 0x9f00);
	assert_int_equal(cs.base, 0x9f000);
	/* the highest vector names the last page below 1 MiB */
	init_state_sipi(0xff, &cs, &rip);
	assert_int_equal(cs.sel, 0xff00);
	assert_int_equal(cs.base, 0xff000);
	init_state_sipi(0, &cs, &rip);
	assert_int_equal(cs.sel, 0);
	assert_int_equal(cs.base, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_power_on),
		cmocka_unit_test(test_init_keeps_cd_nw_only),
		cmocka_unit_test(test_sipi_vector_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
