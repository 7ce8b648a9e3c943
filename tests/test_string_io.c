/* Unit tests for hv/lib/string_io.c: INS/OUTS addresses, counts and register updates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "err.h"
#include "hv/lib/string_io.h"

#define AR_DATA32 0xc093 /* writable data, 4 GiB */
#define AR_CODE32 0xc09b
#define AR_XONLY  0xc099 /* execute-only code */
#define AR_RODATA 0xc091
#define AR_DOWN16 0x0097 /* expand-down writable data, B = 0 */

static struct strio_op op32(bool in, unsigned size)
{
	struct strio_op op = {.in = in,
	                      .size = size,
	                      .addr_size = 4,
	                      .seg = in ? STRIO_ES : STRIO_DS,
	                      .s = {.base = 0, .limit = 0xffffffff, .ar = AR_DATA32}};
	return op;
}

static void test_forward_rep_outsb(void **unused)
{
	struct strio_op op = op32(false, 1);
	uint64_t la;

	op.rep = true;
	op.rcx = 0xdead00000005ull; /* upper half ignored with a 32-bit address size */
	op.index = 0x1000;
	assert_int_equal(strio_remaining(&op), 5);
	assert_int_equal(strio_next_address(&op, &la), 0);
	assert_int_equal(la, 0x1000);
	strio_advance(&op, 3);
	assert_int_equal(op.index, 0x1003);
	assert_int_equal(op.rcx, 2); /* 32-bit writes zero-extend */
	strio_advance(&op, 2);
	assert_int_equal(strio_remaining(&op), 0);
}

static void test_backward_and_sizes(void **unused)
{
	struct strio_op op = op32(true, 4);

	op.rep = true;
	op.df = true;
	op.rcx = 3;
	op.index = 0x2008;
	strio_advance(&op, 2);
	assert_int_equal(op.index, 0x2000);
	assert_int_equal(op.rcx, 1);
	/* without REP: one element, RCX untouched */
	op.rep = false;
	op.rcx = 77;
	assert_int_equal(strio_remaining(&op), 1);
	strio_advance(&op, 1);
	assert_int_equal(op.rcx, 77);
	assert_int_equal(op.index, 0x1ffc);
}

static void test_16bit_address_size(void **unused)
{
	struct strio_op op = op32(false, 2);
	uint64_t la;

	op.addr_size = 2;
	op.rep = true;
	op.rcx = 0x12340002;
	op.index = 0xabcdfffe; /* SI = 0xfffe */
	op.s.base = 0x10000;
	assert_int_equal(strio_remaining(&op), 2);
	assert_int_equal(strio_next_address(&op, &la), 0);
	assert_int_equal(la, 0x1fffe);
	strio_advance(&op, 1);
	assert_int_equal(op.index, 0xabcd0000); /* SI wraps, upper ESI bits stay */
	assert_int_equal(op.rcx, 0x12340001);
	strio_advance(&op, 1);
	assert_int_equal(op.rcx, 0x12340000);
	assert_int_equal(strio_remaining(&op), 0);
}

static void test_segment_checks(void **unused)
{
	struct strio_op op = op32(false, 4);
	uint64_t la;

	op.s.limit = 0xfff;
	op.index = 0xffc;
	assert_int_equal(strio_next_address(&op, &la), 0);
	op.index = 0xffd; /* last byte beyond the limit */
	assert_int_equal(strio_next_address(&op, &la), -EINVAL);
	op.index = 0;
	op.s.ar = AR_XONLY;
	assert_int_equal(strio_next_address(&op, &la), -EINVAL);
	op.s.ar = AR_CODE32; /* readable code is fine for OUTS */
	assert_int_equal(strio_next_address(&op, &la), 0);
	op.s.ar = AR_DATA32 | (1u << 16);
	assert_int_equal(strio_next_address(&op, &la), -EINVAL); /* unusable (null) */
	/* INS writes ES: read-only data and code fault */
	op = op32(true, 1);
	op.s.ar = AR_RODATA;
	assert_int_equal(strio_next_address(&op, &la), -EINVAL);
	op.s.ar = AR_CODE32;
	assert_int_equal(strio_next_address(&op, &la), -EINVAL);
	/* expand-down: valid offsets are above the limit up to 0xffff */
	op.s.ar = AR_DOWN16;
	op.s.limit = 0x0fff;
	op.index = 0x0fff;
	assert_int_equal(strio_next_address(&op, &la), -EINVAL);
	op.index = 0x1000;
	assert_int_equal(strio_next_address(&op, &la), 0);
	op.index = 0xffff;
	assert_int_equal(strio_next_address(&op, &la), 0);
	op.size = 2;
	assert_int_equal(strio_next_address(&op, &la), -EINVAL);
	/* the linear address wraps at 4 GiB outside 64-bit mode */
	op = op32(false, 1);
	op.s.base = 0xfffff000;
	op.index = 0x2000;
	assert_int_equal(strio_next_address(&op, &la), 0);
	assert_int_equal(la, 0x1000);
}

static void test_64bit_mode(void **unused)
{
	struct strio_op op = op32(false, 1);
	uint64_t la;

	op.long64 = true;
	op.addr_size = 8;
	op.s.base = 0x5000; /* DS base is ignored in 64-bit mode */
	op.s.ar = 1u << 16; /* and so is its usability */
	op.index = 0x00007fffffffffffull;
	assert_int_equal(strio_next_address(&op, &la), 0);
	assert_int_equal(la, 0x00007fffffffffffull);
	op.index++;
	assert_int_equal(strio_next_address(&op, &la), -EINVAL); /* not canonical */
	op.seg = STRIO_GS;
	op.s.base = 0xffff800000000000ull;
	op.index = 0x10;
	assert_int_equal(strio_next_address(&op, &la), 0);
	assert_int_equal(la, 0xffff800000000010ull);
	/* 32-bit address size in 64-bit mode: ESI, zero-extended */
	op.addr_size = 4;
	op.rep = true;
	op.rcx = 0xffffffff00000001ull;
	op.index = 0xffffffff0000fff0ull;
	strio_advance(&op, 1);
	assert_int_equal(op.index, 0xfff1);
	assert_int_equal(op.rcx, 0);
}

static void test_decode(void **unused)
{
	static const uint8_t rep_outsb[] = {0xf3, 0x6e};
	static const uint8_t fs_outsd[] = {0x64, 0x6f};
	static const uint8_t a16_rep_outsw[] = {0x67, 0xf3, 0x66, 0x6f};
	static const uint8_t es_ins[] = {0x2e, 0x6c}; /* INS ignores overrides */
	static const uint8_t rex_outs[] = {0xf3, 0x48, 0x6e};
	static const uint8_t not_string[] = {0xee};
	unsigned as, seg;

	assert_int_equal(strio_decode(rep_outsb, 2, 4, false, &as, &seg), 0);
	assert_int_equal(as, 4);
	assert_int_equal(seg, STRIO_DS);
	assert_int_equal(strio_decode(fs_outsd, 2, 4, false, &as, &seg), 0);
	assert_int_equal(seg, STRIO_FS);
	assert_int_equal(strio_decode(a16_rep_outsw, 4, 4, false, &as, &seg), 0);
	assert_int_equal(as, 2);
	assert_int_equal(strio_decode(a16_rep_outsw, 4, 2, false, &as, &seg), 0);
	assert_int_equal(as, 4);
	assert_int_equal(strio_decode(a16_rep_outsw, 4, 8, true, &as, &seg), 0);
	assert_int_equal(as, 4);
	assert_int_equal(strio_decode(es_ins, 2, 4, false, &as, &seg), 0);
	assert_int_equal(seg, STRIO_ES);
	assert_int_equal(strio_decode(rex_outs, 3, 8, true, &as, &seg), 0);
	assert_int_equal(as, 8);
	assert_int_equal(strio_decode(not_string, 1, 4, false, &as, &seg), -EINVAL);
	assert_int_equal(strio_decode(rep_outsb, 1, 4, false, &as, &seg), -EINVAL); /* cut */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward_rep_outsb),
		cmocka_unit_test(test_backward_and_sizes),
		cmocka_unit_test(test_16bit_address_size),
		cmocka_unit_test(test_segment_checks),
		cmocka_unit_test(test_64bit_mode),
		cmocka_unit_test(test_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
