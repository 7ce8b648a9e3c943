/* Unit tests for boot/efi/efi_kernel.c: the checks on sable.elf before loading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "boot/efi/efi_kernel.h"

static uint8_t img[16384];
static const char *msg;
static struct efi_kernel k;

static void put16(size_t off, uint16_t v)
{
	memcpy(img + off, &v, 2);
}
static void put32(size_t off, uint32_t v)
{
	memcpy(img + off, &v, 4);
}
static void put64(size_t off, uint64_t v)
{
	memcpy(img + off, &v, 8);
}

/* An ELF64 like sable.elf: one segment at 2 MiB from file offset 0x1000, the
 * multiboot2 header (module-align tag + end tag) at its start. */
static void make_image(void)
{
	uint32_t mlen = 32;

	memset(img, 0, sizeof(img));
	memcpy(img,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	put16(16, 2);  /* ET_EXEC */
	put16(18, 62); /* EM_X86_64 */
	put64(24, 0x200020);
	put64(32, 64); /* phoff */
	put16(54, 56);
	put16(56, 2);
	put32(64, 1); /* PT_LOAD */
	put64(64 + 8, 0x1000);
	put64(64 + 16, 0x200000);
	put64(64 + 24, 0x200000);
	put64(64 + 32, 0x2000);
	put64(64 + 40, 0x5000);
	put32(120, 4); /* PT_NOTE: skipped */
	put32(0x1000, 0xE85250D6);
	put32(0x1004, 0);
	put32(0x1008, mlen);
	put32(0x100c, -(0xE85250D6 + mlen));
	put16(0x1010, 6); /* module alignment */
	put32(0x1014, 8);
	put16(0x1018, 0); /* end */
	put32(0x101c, 8);
}

static void test_good(void **state)
{
	make_image();
	assert_int_equal(efi_kernel_check(img, sizeof(img), &k, &msg), 0);
	assert_int_equal(k.entry, 0x200020);
	assert_int_equal(k.nsegs, 1);
	assert_int_equal(k.segs[0].paddr, 0x200000);
	assert_int_equal(k.segs[0].offset, 0x1000);
	assert_int_equal(k.segs[0].filesz, 0x2000);
	assert_int_equal(k.segs[0].memsz, 0x5000);
}

static void expect_bad(const char *what)
{
	assert_int_equal(efi_kernel_check(img, sizeof(img), &k, &msg), -EINVAL);
	assert_non_null(strstr(msg, what));
}

static void test_bad_elf(void **state)
{
	make_image();
	img[1] = 'X';
	expect_bad("not an ELF");
	make_image();
	img[4] = 1; /* ELFCLASS32 */
	expect_bad("x86-64 ELF64");
	make_image();
	put16(56, 400);
	expect_bad("program headers");
	make_image();
	put64(64 + 32, 0x8000);
	put64(64 + 40, 0x8000);
	put64(64 + 8, 0x3000);
	expect_bad("outside the file");
	make_image();
	put64(64 + 16, 0xfffff000);
	put64(64 + 24, 0xfffff000);
	expect_bad("above 4 GiB");
	make_image();
	put64(24, 0x100000);
	expect_bad("entry point");
	make_image();
	put32(64, 0);
	expect_bad("no loadable segment");
	assert_int_equal(efi_kernel_check(img, 40, &k, &msg), -EINVAL);
}

static void test_bad_mb2_header(void **state)
{
	make_image();
	put32(0x1000, 0);
	expect_bad("no multiboot2 header");
	make_image();
	img[0x100c] ^= 1;
	expect_bad("checksum");
	make_image();
	put32(0x101c, 64); /* end tag past the header */
	expect_bad("runs past");
	make_image();
	put16(0x1010, 2); /* address tag, required */
	expect_bad("does not implement");
	make_image();
	put16(0x1010, 2);
	put16(0x1012, 1); /* ... but optional */
	assert_int_equal(efi_kernel_check(img, sizeof(img), &k, &msg), 0);
	/* a header past the first 32 KiB is not searched for: none in a short file */
	make_image();
	assert_int_equal(efi_kernel_check(img, 0x1008, &k, &msg), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad_elf),
		cmocka_unit_test(test_bad_mb2_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
