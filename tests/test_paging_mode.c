/* Unit tests for hv/lib/paging_mode.c: CR0/CR4/CR3 writes, EFER.LMA and PDPTE loads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "err.h"
#include "hv/lib/paging_mode.h"
#include "x86.h"

#define CR0_PROT (CR0_PE | CR0_ET)

static struct paging_state state(uint64_t cr0, uint64_t cr4, uint64_t efer, bool cs_l)
{
	struct paging_state s = {.cr0 = cr0, .cr3 = 0x1000, .cr4 = cr4, .efer = efer, .cs_l = cs_l};
	return s;
}

static void test_long_mode_activation_sets_lma(void **unused)
{
	struct paging_state s = state(CR0_PROT, CR4_PAE, EFER_LME, false);
	struct paging_change c;

	assert_int_equal(paging_write_cr0(&s, CR0_PROT | CR0_PG | CR0_NE, &c), 0);
	assert_true(c.efer & EFER_LMA);
	assert_true(c.mode_changed);
	assert_false(c.load_pdptes); /* IA-32e paging has no PDPTE registers */
}

static void test_long_mode_needs_pae_and_non_64bit_cs(void **unused)
{
	struct paging_state s = state(CR0_PROT, 0, EFER_LME, false);
	struct paging_change c;

	assert_int_equal(paging_write_cr0(&s, CR0_PROT | CR0_PG, &c), -EINVAL);
	s = state(CR0_PROT, CR4_PAE, EFER_LME, true);
	assert_int_equal(paging_write_cr0(&s, CR0_PROT | CR0_PG, &c), -EINVAL);
}

static void test_paging_off_leaves_long_mode(void **unused)
{
	struct paging_state s = state(CR0_PROT | CR0_PG, CR4_PAE, EFER_LME | EFER_LMA, false);
	struct paging_change c;

	assert_int_equal(paging_write_cr0(&s, CR0_PROT, &c), 0);
	assert_int_equal(c.efer, EFER_LME);
	assert_true(c.mode_changed);
	/* not from 64-bit code */
	s.cs_l = true;
	assert_int_equal(paging_write_cr0(&s, CR0_PROT, &c), -EINVAL);
}

static void test_other_cr0_changes_keep_the_mode(void **unused)
{
	struct paging_state s = state(CR0_PROT | CR0_PG, CR4_PAE, EFER_LME | EFER_LMA, true);
	struct paging_change c;

	assert_int_equal(paging_write_cr0(&s, CR0_PROT | CR0_PG | CR0_NE | CR0_TS, &c), 0);
	assert_int_equal(c.efer, EFER_LME | EFER_LMA);
	assert_false(c.mode_changed);
	assert_false(c.load_pdptes);
}

static void test_cr0_reserved_combinations(void **unused)
{
	struct paging_state s = state(CR0_PROT, 0, 0, false);
	struct paging_change c;

	assert_int_equal(paging_write_cr0(&s, CR0_PG, &c), -EINVAL);            /* PG without PE */
	assert_int_equal(paging_write_cr0(&s, CR0_PROT | CR0_NW, &c), -EINVAL); /* NW without CD */
	assert_int_equal(paging_write_cr0(&s, CR0_PROT | BIT(32), &c), -EINVAL);
	assert_int_equal(paging_write_cr0(&s, CR0_PROT | CR0_CD | CR0_NW, &c), 0);
}

static void test_pae_paging_loads_pdptes(void **unused)
{
	struct paging_state s = state(CR0_PROT, CR4_PAE, 0, false);
	struct paging_change c;

	/* enabling paging with PAE and LME clear: PAE paging */
	assert_int_equal(paging_write_cr0(&s, CR0_PROT | CR0_PG, &c), 0);
	assert_true(c.load_pdptes);
	assert_false(c.mode_changed);
	assert_int_equal(c.efer, 0);
	/* already PAE paging: CD reloads, TS does not */
	s.cr0 |= CR0_PG;
	assert_int_equal(paging_write_cr0(&s, s.cr0 | CR0_CD, &c), 0);
	assert_true(c.load_pdptes);
	assert_int_equal(paging_write_cr0(&s, s.cr0 | CR0_TS, &c), 0);
	assert_false(c.load_pdptes);
	/* paging off: nothing to load */
	assert_int_equal(paging_write_cr0(&s, CR0_PROT, &c), 0);
	assert_false(c.load_pdptes);
	/* 32-bit paging: no PDPTEs */
	s = state(CR0_PROT, 0, 0, false);
	assert_int_equal(paging_write_cr0(&s, CR0_PROT | CR0_PG, &c), 0);
	assert_false(c.load_pdptes);
}

static void test_cr4_and_cr3_under_pae(void **unused)
{
	struct paging_state s = state(CR0_PROT | CR0_PG, 0, 0, false);
	struct paging_change c;

	/* 32-bit paging -> PAE paging through CR4.PAE */
	assert_int_equal(paging_write_cr4(&s, CR4_PAE, &c), 0);
	assert_true(c.load_pdptes);
	s.cr4 = CR4_PAE;
	assert_int_equal(paging_write_cr4(&s, CR4_PAE | CR4_PGE, &c), 0);
	assert_true(c.load_pdptes);
	assert_int_equal(paging_write_cr4(&s, CR4_PAE | CR4_OSFXSR, &c), 0);
	assert_false(c.load_pdptes);
	assert_int_equal(paging_write_cr3(&s, 0x2000, &c), 0);
	assert_true(c.load_pdptes);
	/* without paging CR3 is just stored */
	s.cr0 = CR0_PROT;
	assert_int_equal(paging_write_cr3(&s, 0x2000, &c), 0);
	assert_false(c.load_pdptes);
}

static void test_cr4_in_long_mode(void **unused)
{
	struct paging_state s = state(CR0_PROT | CR0_PG, CR4_PAE, EFER_LME | EFER_LMA, true);
	struct paging_change c;

	assert_int_equal(paging_write_cr4(&s, 0, &c), -EINVAL); /* PAE cannot be cleared */
	assert_int_equal(paging_write_cr4(&s, CR4_PAE | CR4_PCIDE, &c), 0);
	assert_int_equal(paging_write_cr3(&s, 0x1000, &c), 0);
	assert_false(c.load_pdptes);
	s.cr3 = 0x1001;
	assert_int_equal(paging_write_cr4(&s, CR4_PAE | CR4_PCIDE, &c), -EINVAL);
	s = state(CR0_PROT, CR4_PAE, 0, false);
	assert_int_equal(paging_write_cr4(&s, CR4_PAE | CR4_PCIDE, &c), -EINVAL);
}

static void test_pdpte_reserved_bits(void **unused)
{
	assert_true(paging_pdpte_valid(0, 36));
	assert_true(paging_pdpte_valid(0x12345001, 36));
	assert_true(paging_pdpte_valid(0x6, 36)); /* not present: anything goes */
	assert_false(paging_pdpte_valid(0x3, 36));
	assert_false(paging_pdpte_valid(0x21, 36));
	assert_false(paging_pdpte_valid(0x101, 36));
	assert_true(paging_pdpte_valid(0x219, 36)); /* PWT, PCD and the ignored bits 11:9 */
	assert_false(paging_pdpte_valid(BIT(36) | 1, 36));
	assert_true(paging_pdpte_valid(BIT(36) | 1, 39));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_mode_activation_sets_lma),
		cmocka_unit_test(test_long_mode_needs_pae_and_non_64bit_cs),
		cmocka_unit_test(test_paging_off_leaves_long_mode),
		cmocka_unit_test(test_other_cr0_changes_keep_the_mode),
		cmocka_unit_test(test_cr0_reserved_combinations),
		cmocka_unit_test(test_pae_paging_loads_pdptes),
		cmocka_unit_test(test_cr4_and_cr3_under_pae),
		cmocka_unit_test(test_cr4_in_long_mode),
		cmocka_unit_test(test_pdpte_reserved_bits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
