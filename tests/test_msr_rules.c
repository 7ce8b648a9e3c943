/* Unit tests for vmx/msr_rules.c: which guest MSR writes are valid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "vmx/msr_rules.h"

static const struct msr_guest_caps caps40 = {.maxphyaddr = 40};

static void test_mtrr_def_type_types(void **state)
{
	for (unsigned t = 0; t < 256; t++) {
		bool ok = t == 0 || t == 1 || t == 4 || t == 5 || t == 6;

		assert_int_equal(msr_mtrr_def_type_check(t), ok ? 0 : -EINVAL);
		assert_int_equal(msr_mtrr_def_type_check(t | MTRR_DEF_TYPE_E | MTRR_DEF_TYPE_FE),
		                 ok ? 0 : -EINVAL);
	}
}

static void test_mtrr_def_type_reserved_bits(void **state)
{
	for (unsigned b = 8; b < 64; b++) {
		int want = b == 10 || b == 11 ? 0 : -EINVAL;

		assert_int_equal(msr_mtrr_def_type_check(MTRR_TYPE_WB | BIT(b)), want);
	}
	assert_int_equal(msr_mtrr_def_type_check(0xcff), -EINVAL); /* type 0xff */
	assert_int_equal(msr_mtrr_def_type_check(0xc06), 0);
}

static void test_debugctl_nothing_writable(void **state)
{
	struct msr_guest_caps all = {.maxphyaddr = 40, .cpuid7_edx = ~0u, .mca = true};

	assert_int_equal(msr_debugctl_valid(&caps40), 0);
	assert_int_equal(msr_debugctl_valid(&all), 0);
}

static void test_spec_ctrl_bits_follow_cpuid(void **state)
{
	struct msr_guest_caps c = {0};

	assert_false(msr_spec_ctrl_exists(&c));
	assert_int_equal(msr_spec_ctrl_valid(&c), 0);
	c.cpuid7_2_edx = 0x1f; /* subleaf 2 alone does not create the MSR */
	assert_int_equal(msr_spec_ctrl_valid(&c), 0);
	c.cpuid7_2_edx = 0;
	c.cpuid7_edx = 1u << 26;
	assert_true(msr_spec_ctrl_exists(&c));
	assert_int_equal(msr_spec_ctrl_valid(&c), SPEC_CTRL_IBRS);
	c.cpuid7_edx = 1u << 27;
	assert_int_equal(msr_spec_ctrl_valid(&c), SPEC_CTRL_STIBP);
	c.cpuid7_edx = 1u << 31;
	assert_int_equal(msr_spec_ctrl_valid(&c), SPEC_CTRL_SSBD);
	c.cpuid7_edx = 0xfc100510; /* Bochs 2.7 tigerlake */
	assert_int_equal(msr_spec_ctrl_valid(&c), 0x7);
	c.cpuid7_edx = 1u << 28 | 1u << 29; /* L1D_FLUSH, ARCH_CAPABILITIES: no SPEC_CTRL */
	assert_false(msr_spec_ctrl_exists(&c));
}

static void test_spec_ctrl_subleaf_2(void **state)
{
	struct msr_guest_caps c = {.cpuid7_edx = 1u << 26};

	c.cpuid7_2_edx = 1u << 0;
	assert_int_equal(msr_spec_ctrl_valid(&c), SPEC_CTRL_IBRS | SPEC_CTRL_PSFD);
	c.cpuid7_2_edx = 1u << 1;
	assert_int_equal(msr_spec_ctrl_valid(&c),
	                 SPEC_CTRL_IBRS | SPEC_CTRL_IPRED_DIS_U | SPEC_CTRL_IPRED_DIS_S);
	c.cpuid7_2_edx = 1u << 2;
	assert_int_equal(msr_spec_ctrl_valid(&c),
	                 SPEC_CTRL_IBRS | SPEC_CTRL_RRSBA_DIS_U | SPEC_CTRL_RRSBA_DIS_S);
	c.cpuid7_2_edx = 1u << 3;
	assert_int_equal(msr_spec_ctrl_valid(&c), SPEC_CTRL_IBRS | SPEC_CTRL_DDPD_U);
	c.cpuid7_2_edx = 1u << 4;
	assert_int_equal(msr_spec_ctrl_valid(&c), SPEC_CTRL_IBRS | SPEC_CTRL_BHI_DIS_S);
	c.cpuid7_2_edx = 1u << 5; /* MCDT_NO: no control bit */
	assert_int_equal(msr_spec_ctrl_valid(&c), SPEC_CTRL_IBRS);
}

static void test_command_msrs(void **state)
{
	struct msr_guest_caps c = {0};

	assert_int_equal(msr_pred_cmd_valid(&c), 0);
	assert_int_equal(msr_flush_cmd_valid(&c), 0);
	c.cpuid7_edx = 1u << 26;
	assert_int_equal(msr_pred_cmd_valid(&c), PRED_CMD_IBPB);
	assert_int_equal(msr_flush_cmd_valid(&c), 0);
	c.cpuid7_edx = 1u << 28;
	assert_int_equal(msr_pred_cmd_valid(&c), 0);
	assert_int_equal(msr_flush_cmd_valid(&c), FLUSH_CMD_L1D_FLUSH);
	c.cpuid7_edx = 1u << 27 | 1u << 31; /* STIBP/SSBD give SPEC_CTRL but no IBPB */
	assert_int_equal(msr_pred_cmd_valid(&c), 0);
}

static void test_machine_check(void **state)
{
	struct msr_guest_caps c = {.mca = true};

	assert_int_equal(msr_mcg_cap(&c), 0);
	assert_int_equal(msr_mcg_status_valid(&c),
	                 MCG_STATUS_RIPV | MCG_STATUS_EIPV | MCG_STATUS_MCIP);
	assert_false(msr_mcg_status_valid(&c) & BIT(3)); /* LMCE_S: MCG_CAP[27] is 0 */
}

static void test_efer(void **state)
{
	struct msr_guest_caps c = {.lm = true, .nx = true, .syscall = true};
	uint64_t out = 0;

	for (unsigned b = 0; b < 64; b++) {
		bool ok = b == 0 || b == 8 || b == 10 || b == 11;

		assert_int_equal(msr_efer_write(&c, 0, BIT(b), false, &out), ok ? 0 : -EINVAL);
	}
	assert_int_equal(msr_efer_write(&c, 0, MSR_EFER_LMA | MSR_EFER_SCE, false, &out), 0);
	assert_int_equal(out, MSR_EFER_SCE); /* LMA cannot be written */
	assert_int_equal(msr_efer_write(&c, MSR_EFER_LME | MSR_EFER_LMA, MSR_EFER_LME, true, &out),
	                 0);
	assert_int_equal(out, MSR_EFER_LME | MSR_EFER_LMA); /* LMA kept */
	assert_int_equal(msr_efer_write(&c, MSR_EFER_LME, 0, true, &out), -EINVAL);
	assert_int_equal(msr_efer_write(&c, 0, MSR_EFER_LME, true, &out), -EINVAL);
	memset(&c, 0, sizeof(c));
	assert_int_equal(msr_efer_write(&c, 0, MSR_EFER_NXE, false, &out), -EINVAL);
	assert_int_equal(msr_efer_write(&c, 0, MSR_EFER_LME, false, &out), -EINVAL);
	assert_int_equal(msr_efer_write(&c, 0, MSR_EFER_SCE, false, &out), -EINVAL);
	assert_int_equal(msr_efer_write(&c, 0, 0, false, &out), 0);
}

static void test_tsc_write_moves_adjust(void **state)
{
	struct msr_tsc t = {.offset = 100, .adjust = 7};

	/* guest TSC = 1000 + 100; writing 5000 moves both by 3900 */
	msr_tsc_write(&t, 1000, 5000);
	assert_int_equal(t.offset, 4000);
	assert_int_equal(t.adjust, 3907);
	/* backwards: a negative delta */
	msr_tsc_write(&t, 2000, 10);
	assert_int_equal(t.offset + 2000, 10);
	assert_int_equal(t.adjust, 3907 + 10 - 6000);
}

static void test_tsc_adjust_write_moves_tsc(void **state)
{
	struct msr_tsc t = {.offset = 500, .adjust = 20};

	msr_tsc_adjust_write(&t, 120);
	assert_int_equal(t.adjust, 120);
	assert_int_equal(t.offset, 600);
	msr_tsc_adjust_write(&t, (uint64_t)-5);
	assert_int_equal(t.adjust, (uint64_t)-5);
	assert_int_equal(t.offset, 475);
	/* the two writes compose: TSC written, then TSC_ADJUST set back */
	msr_tsc_write(&t, 0, 1000000);
	msr_tsc_adjust_write(&t, (uint64_t)-5);
	assert_int_equal(t.offset, 475);
}

/* ---- caps from CPUID ---- */

struct fake_leaf {
	uint32_t leaf, sub;
	struct cpuid_regs r;
};

struct fake_cpu {
	const struct fake_leaf *leaves;
	size_t n;
};

static void fake_cpuid(void *ctx, uint32_t leaf, uint32_t sub, struct cpuid_regs *out)
{
	const struct fake_cpu *c = ctx;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < c->n; i++)
		if (c->leaves[i].leaf == leaf && c->leaves[i].sub == sub)
			*out = c->leaves[i].r;
}

static void test_caps_from_bochs_cpuid(void **state)
{
	static const struct fake_leaf l[] = {
		{0, 0, {0x1b, 0, 0, 0}},
		{1, 0, {0x806c1, 0, 0x77faf3bf & ~(1u << 21), 0xbfebfbff & ~(1u << 9)}},
		{7, 0, {0, 0xf1bf27eb, 0x405fce, 0xfc100510 & ~(3u << 29)}},
		{0xd, 1, {0xf & ~(1u << 3), 0, 0, 0}},
		{0x80000000, 0, {0x80000008, 0, 0, 0}},
		{0x80000001, 0, {0, 0, 0x121, 0x2c100800}},
		{0x80000008, 0, {0x3028, 0, 0, 0}},
	};
	struct fake_cpu cpu = {l, sizeof(l) / sizeof(l[0])};
	struct msr_guest_caps c;

	msr_guest_caps_init(&c, fake_cpuid, &cpu);
	assert_int_equal(c.maxphyaddr, 40);
	assert_int_equal(c.vaddr_bits, 48);
	assert_false(c.x2apic);
	assert_true(c.tsc_deadline); /* ECX[24] */
	assert_true(c.mca);
	assert_true(c.tsc_adjust);
	assert_false(c.xsaves);
	assert_true(c.lm && c.nx && c.syscall);
	assert_int_equal(msr_spec_ctrl_valid(&c), 0x7);
	assert_int_equal(msr_pred_cmd_valid(&c), PRED_CMD_IBPB);
	assert_int_equal(msr_flush_cmd_valid(&c), FLUSH_CMD_L1D_FLUSH);
}

static void test_caps_small_cpu(void **state)
{
	static const struct fake_leaf l[] = {
		{0, 0, {0x5, 0, 0, 0}},
		{1, 0, {0, 0, (1u << 21) | (1u << 24), 0}},
		{7, 0, {0, 2, 0, ~0u}}, /* beyond max basic: must not be read */
		{0x80000000, 0, {0x80000001, 0, 0, 0}},
		{0x80000008, 0, {0x30, 0, 0, 0}}, /* beyond max extended */
	};
	struct fake_cpu cpu = {l, sizeof(l) / sizeof(l[0])};
	struct msr_guest_caps c;

	msr_guest_caps_init(&c, fake_cpuid, &cpu);
	assert_int_equal(c.maxphyaddr, 36);
	assert_int_equal(c.vaddr_bits, 48);
	assert_true(c.x2apic);
	assert_true(c.tsc_deadline);
	assert_false(c.mca);
	assert_false(c.tsc_adjust);
	assert_false(msr_spec_ctrl_exists(&c));
	assert_false(c.lm || c.nx || c.syscall);
}

static void test_caps_subleaf_2_only_when_listed(void **state)
{
	static const struct fake_leaf l[] = {
		{0, 0, {0x7, 0, 0, 0}},
		{7, 0, {0, 0, 0, 1u << 26}}, /* EAX = 0: no subleaf 2 */
		{7, 2, {0, 0, 0, 0x1f}},
	};
	struct fake_cpu cpu = {l, sizeof(l) / sizeof(l[0])};
	struct msr_guest_caps c;

	msr_guest_caps_init(&c, fake_cpuid, &cpu);
	assert_int_equal(c.cpuid7_2_edx, 0);
	assert_int_equal(msr_spec_ctrl_valid(&c), SPEC_CTRL_IBRS);
}

/* LSTAR/CSTAR take canonical addresses only, in the width CPUID gives. */
static void test_syscall_target_canonical(void **state)
{
	struct msr_guest_caps c = {.vaddr_bits = 48};

	assert_int_equal(msr_syscall_target_check(&c, 0), 0);
	assert_int_equal(msr_syscall_target_check(&c, 0x00007fffffffffffull), 0);
	assert_int_equal(msr_syscall_target_check(&c, 0xffff800000000000ull), 0);
	assert_int_equal(msr_syscall_target_check(&c, 0xffffffff81000000ull), 0);
	assert_int_equal(msr_syscall_target_check(&c, 0x0000800000000000ull), -EINVAL);
	assert_int_equal(msr_syscall_target_check(&c, 0xffff7fffffffffffull), -EINVAL);
	assert_int_equal(msr_syscall_target_check(&c, 0x8000000000000000ull), -EINVAL);
	c.vaddr_bits = 57; /* 5-level paging */
	assert_int_equal(msr_syscall_target_check(&c, 0x0000800000000000ull), 0);
	assert_int_equal(msr_syscall_target_check(&c, 0xff00000000000000ull), 0);
	assert_int_equal(msr_syscall_target_check(&c, 0x0100000000000000ull), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mtrr_def_type_types),
		cmocka_unit_test(test_mtrr_def_type_reserved_bits),
		cmocka_unit_test(test_debugctl_nothing_writable),
		cmocka_unit_test(test_spec_ctrl_bits_follow_cpuid),
		cmocka_unit_test(test_spec_ctrl_subleaf_2),
		cmocka_unit_test(test_command_msrs),
		cmocka_unit_test(test_machine_check),
		cmocka_unit_test(test_efer),
		cmocka_unit_test(test_tsc_write_moves_adjust),
		cmocka_unit_test(test_tsc_adjust_write_moves_tsc),
		cmocka_unit_test(test_caps_from_bochs_cpuid),
		cmocka_unit_test(test_caps_small_cpu),
		cmocka_unit_test(test_caps_subleaf_2_only_when_listed),
		cmocka_unit_test(test_syscall_target_canonical),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
