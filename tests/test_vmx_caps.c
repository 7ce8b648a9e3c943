/* Unit tests for vmx/vmx_caps.c: control adjustment, fixed bits, MSR decoding, names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "vmx/vmx_caps.h"

#define PINBASED_CAP  0x0000007f00000016ull /* must-be-1 bits 1, 2, 4; allowed 6:0 */
#define PROCBASED_CAP 0xfff9fffe0401e172ull

#define CR0_FIXED0 0x80000021ull
#define CR0_FIXED1 0xffffffffull
#define CR4_FIXED0 0x00002000ull
#define CR4_FIXED1 0x003727ffull

static void test_adjust_must_be_one_and_optional(void **state)
{
	uint32_t out = 0, missing = 0xdead;

	/* External-interrupt + NMI exiting required, preemption timer and posted
	 * interrupts (not allowed here) optional. */
	assert_int_equal(vmx_adjust_ctls(0x9, 0x40 | 0x80, PINBASED_CAP, &out, &missing), 0);
	assert_int_equal(out, 0x5f);
	assert_int_equal(missing, 0);

	assert_int_equal(vmx_adjust_ctls(0, 0, PINBASED_CAP, &out, NULL), 0);
	assert_int_equal(out, 0x16);
}

static void test_adjust_procbased(void **state)
{
	uint32_t out = 0;
	uint32_t req = (1u << 7) | (1u << 28) | (1u << 31); /* HLT, MSR bitmaps, secondary */
	uint32_t opt = (1u << 0) | (1u << 17) | (1u << 24); /* not allowed, not allowed, I/O */

	assert_int_equal(vmx_adjust_ctls(req, opt, PROCBASED_CAP, &out, NULL), 0);
	assert_int_equal(out, 0x0401e172u | req | (1u << 24));
	assert_false(out & (1u << 0));
	assert_false(out & (1u << 17));
}

static void test_adjust_unsupported_required(void **state)
{
	uint32_t out = 0x1234, missing = 0;

	assert_int_equal(vmx_adjust_ctls(0x1 | 0x80 | 0x100, 0, PINBASED_CAP, &out, &missing),
	                 -EOPNOTSUPP);
	assert_int_equal(missing, 0x180);
	assert_int_equal(out, 0x1234);
	assert_int_equal(vmx_adjust_ctls(0x80000000u, 0, 0, &out, NULL), -EOPNOTSUPP);
	assert_int_equal(out, 0x1234);
}

static void test_adjust64(void **state)
{
	uint64_t out = 0, missing = 1;

	assert_int_equal(vmx_adjust_ctls64(0, BIT(0) | BIT(4), BIT(4), &out, &missing), 0);
	assert_int_equal(out, BIT(4));
	assert_int_equal(missing, 0);

	assert_int_equal(vmx_adjust_ctls64(BIT(63), BIT(1), BIT(63) | BIT(1), &out, NULL), 0);
	assert_int_equal(out, BIT(63) | BIT(1));

	out = 7;
	assert_int_equal(
		vmx_adjust_ctls64(BIT(1) | BIT(40), BIT(4), BIT(4) | BIT(0), &out, &missing),
		-EOPNOTSUPP);
	assert_int_equal(missing, BIT(1) | BIT(40));
	assert_int_equal(out, 7);
}

static void test_fixed_cr0(void **state)
{
	assert_int_equal(vmx_apply_fixed(0, CR0_FIXED0, CR0_FIXED1), 0x80000021);
	/* CD, NW and ET stay; PE, NE, PG are forced. */
	assert_int_equal(vmx_apply_fixed(0x60000010, CR0_FIXED0, CR0_FIXED1), 0xe0000031);
	assert_int_equal(vmx_apply_fixed(BIT(32) | 1, CR0_FIXED0, CR0_FIXED1), 0x80000021);

	assert_true(vmx_fixed_ok(0x80000031, CR0_FIXED0, CR0_FIXED1));
	assert_false(vmx_fixed_ok(0x00000031, CR0_FIXED0, CR0_FIXED1));
	assert_false(vmx_fixed_ok(0x80000010, CR0_FIXED0, CR0_FIXED1));
	assert_false(vmx_fixed_ok(BIT(32) | 0x80000021, CR0_FIXED0, CR0_FIXED1));
}

static void test_fixed_cr4(void **state)
{
	/* UMIP (11) and LA57 (12) are not allowed by this FIXED1; VMXE (13) is forced. */
	assert_int_equal(vmx_apply_fixed(0x20, CR4_FIXED0, CR4_FIXED1), 0x2020);
	assert_int_equal(vmx_apply_fixed(0x20 | BIT(11) | BIT(12), CR4_FIXED0, CR4_FIXED1), 0x2020);
	assert_int_equal(vmx_apply_fixed(0x3727ff, CR4_FIXED0, CR4_FIXED1), 0x3727ff);

	assert_true(vmx_fixed_ok(0x2020, CR4_FIXED0, CR4_FIXED1));
	assert_false(vmx_fixed_ok(0x20, CR4_FIXED0, CR4_FIXED1));
	assert_false(vmx_fixed_ok(0x2020 | BIT(12), CR4_FIXED0, CR4_FIXED1));
	for (uint64_t v = 0; v < 0x400000; v += 0x1235) {
		uint64_t fixed = vmx_apply_fixed(v, CR4_FIXED0, CR4_FIXED1);

		assert_true(vmx_fixed_ok(fixed, CR4_FIXED0, CR4_FIXED1));
		assert_int_equal(vmx_fixed_ok(v, CR4_FIXED0, CR4_FIXED1), fixed == v);
	}
}

static void test_decode_basic(void **state)
{
	struct vmx_basic b;

	memset(&b, 0xff, sizeof(b));
	vmx_decode_basic(0x00da040000000004ull, &b);
	assert_int_equal(b.revision, 4);
	assert_int_equal(b.vmcs_size, 0x400);
	assert_true(b.true_ctls);
	assert_true(b.ins_outs_info);
	assert_int_equal(b.mem_type, 6);
	assert_false(b.phys_addr_32);

	/* Bit 31 is not part of the revision; bit 48 limits addresses to 32 bits. */
	vmx_decode_basic(0x0001100080000012ull, &b);
	assert_int_equal(b.revision, 0x12);
	assert_int_equal(b.vmcs_size, 0x1000);
	assert_false(b.true_ctls);
	assert_false(b.ins_outs_info);
	assert_int_equal(b.mem_type, 0);
	assert_true(b.phys_addr_32);

	vmx_decode_basic(~0ull, &b);
	assert_int_equal(b.revision, 0x7fffffff);
	assert_int_equal(b.vmcs_size, 0x1fff);
	assert_int_equal(b.mem_type, 0xf);
}

struct ept_bit {
	unsigned bit;
	size_t field;
};

#define EPT_BIT(b, f)                                                                              \
	{                                                                                          \
		b, offsetof(struct vmx_ept_caps, f)                                                \
	}

static const struct ept_bit ept_bits[] = {
	EPT_BIT(6, walk4),         EPT_BIT(8, uc),
	EPT_BIT(14, wb),           EPT_BIT(16, pages_2m),
	EPT_BIT(17, pages_1g),     EPT_BIT(20, invept),
	EPT_BIT(21, ad),           EPT_BIT(25, invept_single),
	EPT_BIT(26, invept_all),   EPT_BIT(32, invvpid),
	EPT_BIT(40, invvpid_addr), EPT_BIT(41, invvpid_single),
	EPT_BIT(42, invvpid_all),  EPT_BIT(43, invvpid_single_ctx_global),
};

/* Count of true fields in c. */
static unsigned ept_true_count(const struct vmx_ept_caps *c)
{
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(ept_bits) / sizeof(ept_bits[0]); i++)
		n += *(const bool *)((const char *)c + ept_bits[i].field);
	return n;
}

static void test_decode_ept_caps(void **state)
{
	struct vmx_ept_caps c;

	vmx_decode_ept_caps(0x00000f0106734141ull, &c);
	assert_int_equal(ept_true_count(&c), 14);

	memset(&c, 1, sizeof(c));
	vmx_decode_ept_caps(0, &c);
	assert_int_equal(ept_true_count(&c), 0);

	for (size_t i = 0; i < sizeof(ept_bits) / sizeof(ept_bits[0]); i++) {
		vmx_decode_ept_caps(BIT(ept_bits[i].bit), &c);
		assert_int_equal(ept_true_count(&c), 1);
		assert_true(*(const bool *)((const char *)&c + ept_bits[i].field));
	}

	/* Bits with no field (execute-only, 5-level walk, ...) change nothing. */
	vmx_decode_ept_caps(BIT(0) | BIT(7) | BIT(22) | BIT(23), &c);
	assert_int_equal(ept_true_count(&c), 0);
}

static void test_insn_error_names(void **state)
{
	assert_string_equal(vmx_insn_error_name(7), "VM entry with invalid control field(s)");
	assert_string_equal(vmx_insn_error_name(8), "VM entry with invalid host-state field(s)");
	assert_string_equal(vmx_insn_error_name(1), "VMCALL executed in VMX root operation");
	assert_string_equal(vmx_insn_error_name(28), "invalid operand to INVEPT/INVVPID");
	assert_string_equal(vmx_insn_error_name(0), "unknown");
	assert_string_equal(vmx_insn_error_name(14), "unknown");
	assert_string_equal(vmx_insn_error_name(21), "unknown");
	assert_string_equal(vmx_insn_error_name(29), "unknown");
	assert_string_equal(vmx_insn_error_name(0xffffffff), "unknown");
}

static void test_exit_reason_names(void **state)
{
	assert_int_equal(EXIT_REASON_CPUID, 10);
	assert_int_equal(EXIT_REASON_IO_INSTRUCTION, 30);
	assert_int_equal(EXIT_REASON_EPT_VIOLATION, 48);
	assert_int_equal(EXIT_REASON_XRSTORS, 64);
	assert_int_equal(VMX_EXIT_REASON_FAILED_VMENTRY, 0x80000000u);

	assert_string_equal(vmx_exit_reason_name(EXIT_REASON_CPUID), "CPUID");
	assert_string_equal(vmx_exit_reason_name(EXIT_REASON_EXCEPTION_NMI), "exception or NMI");
	assert_string_equal(vmx_exit_reason_name(EXIT_REASON_EPT_VIOLATION), "EPT violation");
	assert_string_equal(vmx_exit_reason_name(EXIT_REASON_TDCALL), "TDCALL");
	assert_string_equal(
		vmx_exit_reason_name(VMX_EXIT_REASON_FAILED_VMENTRY | EXIT_REASON_INVALID_STATE),
		"VM-entry failure: invalid guest state");
	assert_string_equal(vmx_exit_reason_name(35), "unknown");
	assert_string_equal(vmx_exit_reason_name(38), "unknown");
	assert_string_equal(vmx_exit_reason_name(42), "unknown");
	assert_string_equal(vmx_exit_reason_name(71), "unknown");
	assert_string_equal(vmx_exit_reason_name(EXIT_REASON_MAX), "unknown");
	assert_string_equal(vmx_exit_reason_name(0xffff), "unknown");
	assert_string_equal(vmx_exit_reason_name(0xffffffff), "unknown");

	for (uint32_t r = 0; r < EXIT_REASON_MAX; r++) {
		bool gap = r == 35 || r == 38 || r == 42 || r == 71;

		assert_int_equal(strcmp(vmx_exit_reason_name(r), "unknown") == 0, gap);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adjust_must_be_one_and_optional),
		cmocka_unit_test(test_adjust_procbased),
		cmocka_unit_test(test_adjust_unsupported_required),
		cmocka_unit_test(test_adjust64),
		cmocka_unit_test(test_fixed_cr0),
		cmocka_unit_test(test_fixed_cr4),
		cmocka_unit_test(test_decode_basic),
		cmocka_unit_test(test_decode_ept_caps),
		cmocka_unit_test(test_insn_error_names),
		cmocka_unit_test(test_exit_reason_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
