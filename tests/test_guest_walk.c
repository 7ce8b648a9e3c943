/* Unit tests for hv/lib/guest_walk.c over a 4 MiB fake guest RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "hv/lib/guest_walk.h"
#include "x86.h"

#define RAM_SIZE (4u << 20)

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));

static void *map(void *ctx, gpa_t gpa, uint64_t len)
{
	return gpa + len <= RAM_SIZE ? ram + gpa : NULL;
}

static uint32_t *e32(gpa_t gpa)
{
	return (uint32_t *)(ram + gpa);
}

static uint64_t *e64(gpa_t gpa)
{
	return (uint64_t *)(ram + gpa);
}

static struct gwalk_env env(uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer)
{
	struct gwalk_env e = {
		.cr0 = cr0, .cr3 = cr3, .cr4 = cr4, .efer = efer, .maxphyaddr = 36, .map = map};
	return e;
}

static int setup(void **unused)
{
	memset(ram, 0, sizeof(ram));
	return 0;
}

static void expect_fault(const struct gwalk_env *e, gva_t la, unsigned access, uint32_t err)
{
	gpa_t gpa;
	uint32_t got;

	assert_int_equal(gwalk_translate(e, la, access, &gpa, &got), -EFAULT);
	assert_int_equal(got, err);
}

static gpa_t expect_ok(const struct gwalk_env *e, gva_t la, unsigned access)
{
	gpa_t gpa = 0;
	uint32_t err;

	assert_int_equal(gwalk_translate(e, la, access, &gpa, &err), 0);
	return gpa;
}

static void test_no_paging(void **unused)
{
	struct gwalk_env e = env(CR0_PE, 0, 0, 0);

	assert_int_equal(expect_ok(&e, 0x12345678, GWALK_WRITE), 0x12345678);
	assert_int_equal(expect_ok(&e, 0x100000000ull | 0x10, 0), 0x10); /* 32 bits wide */
}

/* la 0x12345678: PDE 0x48, PTE 0x345 */
static void map32(uint32_t pte_flags)
{
	*e32(0x1000 + 0x48 * 4) = 0x2000 | 7;
	*e32(0x2000 + 0x345 * 4) = 0x300000 | pte_flags;
}

static void test_32bit_4k(void **unused)
{
	struct gwalk_env e = env(CR0_PE | CR0_PG, 0x1000, 0, 0);

	map32(7);
	assert_int_equal(expect_ok(&e, 0x12345678, 0), 0x300678);
	assert_true(*e32(0x1000 + 0x48 * 4) & BIT(5)); /* accessed */
	assert_true(*e32(0x2000 + 0x345 * 4) & BIT(5));
	assert_false(*e32(0x2000 + 0x345 * 4) & BIT(6)); /* not dirty after a read */
	expect_ok(&e, 0x12345678, GWALK_WRITE);
	assert_true(*e32(0x2000 + 0x345 * 4) & BIT(6));
	/* not present, at either level; the error code names the access */
	expect_fault(&e, 0x12346000, 0, 0);
	expect_fault(&e, 0x00000000, GWALK_WRITE | GWALK_USER, PF_WRITE | PF_USER);
}

static void test_32bit_rights(void **unused)
{
	struct gwalk_env e = env(CR0_PE | CR0_PG, 0x1000, 0, 0);

	map32(1); /* read-only, supervisor */
	assert_int_equal(expect_ok(&e, 0x12345678, GWALK_WRITE), 0x300678); /* WP=0 */
	e.cr0 |= CR0_WP;
	expect_fault(&e, 0x12345678, GWALK_WRITE, PF_PRESENT | PF_WRITE);
	expect_fault(&e, 0x12345678, GWALK_USER, PF_PRESENT | PF_USER);
	map32(5); /* read-only, user */
	expect_fault(&e, 0x12345678, GWALK_USER | GWALK_WRITE, PF_PRESENT | PF_WRITE | PF_USER);
	assert_int_equal(expect_ok(&e, 0x12345678, GWALK_USER), 0x300678);
}

/* SMAP: supervisor data accesses to a user page fault, unless explicit with
 * EFLAGS.AC set; fetches and supervisor pages are not concerned. */
static void test_smap(void **unused)
{
	struct gwalk_env e = env(CR0_PE | CR0_PG, 0x1000, CR4_SMAP, 0);

	map32(7); /* user page */
	expect_fault(&e, 0x12345678, 0, PF_PRESENT);
	expect_fault(&e, 0x12345678, GWALK_WRITE, PF_PRESENT | PF_WRITE);
	e.ac = true;
	assert_int_equal(expect_ok(&e, 0x12345678, GWALK_WRITE), 0x300678);
	expect_fault(&e, 0x12345678, GWALK_IMPLICIT, PF_PRESENT); /* AC does not help */
	assert_int_equal(expect_ok(&e, 0x12345678, GWALK_USER), 0x300678);
	e.ac = false;
	assert_int_equal(expect_ok(&e, 0x12345678, GWALK_FETCH), 0x300678);
	map32(3); /* supervisor page */
	assert_int_equal(expect_ok(&e, 0x12345678, GWALK_IMPLICIT), 0x300678);
	e.cr4 = 0;
	map32(7);
	assert_int_equal(expect_ok(&e, 0x12345678, GWALK_IMPLICIT), 0x300678);
}

static void test_32bit_4m_pages(void **unused)
{
	struct gwalk_env e = env(CR0_PE | CR0_PG, 0x1000, CR4_PSE, 0);

	*e32(0x1000 + 0x48 * 4) = 0x00c00000 | 0x83 | (0x5u << 13); /* PSE-36: bits 34:32 = 5 */
	assert_int_equal(expect_ok(&e, 0x12345678, 0), 0x500c00000ull + 0x345678);
	*e32(0x1000 + 0x48 * 4) |= BIT(21);
	expect_fault(&e, 0x12345678, 0, PF_PRESENT | PF_RSVD);
	/* without CR4.PSE the PS bit is ignored: the entry points to a page table */
	e.cr4 = 0;
	*e32(0x1000 + 0x48 * 4) = 0x2000 | 0x87;
	*e32(0x2000 + 0x345 * 4) = 0x300000 | 7;
	assert_int_equal(expect_ok(&e, 0x12345678, 0), 0x300678);
}

static void test_pae(void **unused)
{
	uint64_t pdptes[4] = {0, 0x3000 | 1, 0, 0};
	struct gwalk_env e = env(CR0_PE | CR0_PG, 0x20, CR4_PAE, 0);

	e.pdptes = pdptes;
	/* la 0x4a345678: PDPTE 1, PDE 0x51, 2 MiB page */
	*e64(0x3000 + 0x51 * 8) = 0x200000 | 0x83;
	assert_int_equal(expect_ok(&e, 0x4a345678, 0), 0x200000 + 0x145678);
	expect_fault(&e, 0x0a345678, 0, 0); /* PDPTE 0 not present */
	/* XD is reserved without EFER.NXE, a fetch fault with it */
	*e64(0x3000 + 0x51 * 8) |= BIT(63);
	expect_fault(&e, 0x4a345678, 0, PF_PRESENT | PF_RSVD);
	e.efer = EFER_NXE;
	expect_fault(&e, 0x4a345678, GWALK_FETCH, PF_PRESENT | PF_FETCH);
	expect_ok(&e, 0x4a345678, GWALK_WRITE);
	/* 2 MiB page with bit 13 set: reserved */
	*e64(0x3000 + 0x51 * 8) = 0x200000 | BIT(13) | 0x83;
	expect_fault(&e, 0x4a345678, 0, PF_PRESENT | PF_RSVD);
	/* 4 KiB pages below a PDE */
	*e64(0x3000 + 0x51 * 8) = 0x4000 | 3;
	*e64(0x4000 + 0x145 * 8) = 0x1234000 | 3;
	assert_int_equal(expect_ok(&e, 0x4a345678, 0), 0x1234678);
}

static void test_4level(void **unused)
{
	struct gwalk_env e = env(CR0_PE | CR0_PG, 0x1000, CR4_PAE, EFER_LME | EFER_LMA);
	uint64_t la = 0x00007f8040201678ull;
	unsigned i4 = (la >> 39) & 0x1ff, i3 = (la >> 30) & 0x1ff, i2 = (la >> 21) & 0x1ff,
		 i1 = (la >> 12) & 0x1ff;

	*e64(0x1000 + i4 * 8) = 0x2000 | 7;
	*e64(0x2000 + i3 * 8) = 0x3000 | 7;
	*e64(0x3000 + i2 * 8) = 0x4000 | 7;
	*e64(0x4000 + i1 * 8) = 0xabc000 | 7;
	assert_int_equal(expect_ok(&e, la, GWALK_USER), 0xabc678);
	/* a bit above MAXPHYADDR in a table address is reserved */
	*e64(0x3000 + i2 * 8) = BIT(40) | 0x4000 | 7;
	expect_fault(&e, la, 0, PF_PRESENT | PF_RSVD);
	/* 1 GiB page */
	*e64(0x2000 + i3 * 8) = 0x40000000 | 0x87;
	assert_int_equal(expect_ok(&e, la, 0), 0x40000000 + (la & 0x3fffffff));
	/* PS in a PML4E is reserved */
	*e64(0x1000 + i4 * 8) |= 0x80;
	expect_fault(&e, la, 0, PF_PRESENT | PF_RSVD);
	/* U/S clear at one level: a user access faults */
	*e64(0x1000 + i4 * 8) = 0x2000 | 3;
	expect_fault(&e, la, GWALK_USER, PF_PRESENT | PF_USER);
	/* a table outside guest RAM */
	*e64(0x1000 + i4 * 8) = 0x10000000 | 7;
	{
		gpa_t gpa;
		uint32_t err;
		assert_int_equal(gwalk_translate(&e, la, 0, &gpa, &err), -EIO);
	}
}

static void test_5level(void **unused)
{
	struct gwalk_env e = env(CR0_PE | CR0_PG, 0x1000, CR4_PAE | CR4_LA57, EFER_LME | EFER_LMA);
	uint64_t la = 0x00ff7f8040201678ull;
	unsigned i5 = (la >> 48) & 0x1ff, i4 = (la >> 39) & 0x1ff, i3 = (la >> 30) & 0x1ff,
		 i2 = (la >> 21) & 0x1ff, i1 = (la >> 12) & 0x1ff;

	*e64(0x1000 + i5 * 8) = 0x5000 | 7;
	*e64(0x5000 + i4 * 8) = 0x2000 | 7;
	*e64(0x2000 + i3 * 8) = 0x3000 | 7;
	*e64(0x3000 + i2 * 8) = 0x4000 | 7;
	*e64(0x4000 + i1 * 8) = 0xabc000 | 7;
	assert_int_equal(expect_ok(&e, la, GWALK_USER), 0xabc678);
	/* PS in a PML5E is reserved */
	*e64(0x1000 + i5 * 8) |= 0x80;
	expect_fault(&e, la, 0, PF_PRESENT | PF_RSVD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_paging, setup),
		cmocka_unit_test_setup(test_32bit_4k, setup),
		cmocka_unit_test_setup(test_32bit_rights, setup),
		cmocka_unit_test_setup(test_smap, setup),
		cmocka_unit_test_setup(test_32bit_4m_pages, setup),
		cmocka_unit_test_setup(test_pae, setup),
		cmocka_unit_test_setup(test_4level, setup),
		cmocka_unit_test_setup(test_5level, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
