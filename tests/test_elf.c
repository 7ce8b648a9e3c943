/* Unit tests for hv/elf.c: ELF32/ELF64 images built in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "hv/loader/elf.h"
#include "hv/loader/mbinfo.h"

#define IMG_MAX  0x4000
#define MEM_SIZE MiB(4)
#define PT_NOTE  4

/* One program header to write, in the widest form. */
struct ph {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* An ELF image under construction. */
struct img {
	uint8_t b[IMG_MAX];
	size_t len;
	bool is64;
};

static void put16(struct img *im, size_t off, uint16_t v)
{
	memcpy(im->b + off, &v, sizeof(v));
}

static void put32(struct img *im, size_t off, uint32_t v)
{
	memcpy(im->b + off, &v, sizeof(v));
}

static void put64(struct img *im, size_t off, uint64_t v)
{
	memcpy(im->b + off, &v, sizeof(v));
}

/* Writes an address-sized field (u32 in ELF32, u64 in ELF64). */
static void put_addr(struct img *im, size_t off, uint64_t v)
{
	if (im->is64)
		put64(im, off, v);
	else
		put32(im, off, (uint32_t)v);
}

static size_t ehdr_size(const struct img *im)
{
	return im->is64 ? ELF64_EHDR_SIZE : ELF32_EHDR_SIZE;
}

static size_t phdr_size(const struct img *im)
{
	return im->is64 ? ELF64_PHDR_SIZE : ELF32_PHDR_SIZE;
}

/* Offsets of e_entry, e_phoff, e_phentsize and e_phnum. */
static size_t off_entry(const struct img *im)
{
	return 24;
}

static size_t off_phoff(const struct img *im)
{
	return im->is64 ? 32 : 28;
}

static size_t off_phentsize(const struct img *im)
{
	return im->is64 ? 54 : 42;
}

static size_t off_phnum(const struct img *im)
{
	return im->is64 ? 56 : 44;
}

/* Writes program header i (the table starts right after the ELF header). */
static void put_phdr(struct img *im, size_t i, const struct ph *ph)
{
	size_t o = ehdr_size(im) + i * phdr_size(im);

	put32(im, o, ph->type);
	if (im->is64) {
		put32(im, o + 4, ph->flags);
		put64(im, o + 8, ph->offset);
		put64(im, o + 16, ph->vaddr);
		put64(im, o + 24, ph->paddr);
		put64(im, o + 32, ph->filesz);
		put64(im, o + 40, ph->memsz);
		put64(im, o + 48, 0x1000);
	} else {
		put32(im, o + 4, (uint32_t)ph->offset);
		put32(im, o + 8, (uint32_t)ph->vaddr);
		put32(im, o + 12, (uint32_t)ph->paddr);
		put32(im, o + 16, (uint32_t)ph->filesz);
		put32(im, o + 20, (uint32_t)ph->memsz);
		put32(im, o + 24, ph->flags);
		put32(im, o + 28, 0x1000);
	}
}

/* Pattern byte of the image at file offset off (never 0 or 0xAA). */
static uint8_t pattern(size_t off)
{
	return (uint8_t)(1 + (off * 7 + off / 251) % 0x90);
}

/* Builds a well-formed executable: header, n program headers, the segments'
 * file bytes filled with pattern(); len ends at the last byte used. */
static void build(struct img *im, bool is64, const struct ph *phs, size_t n, uint64_t entry)
{
	size_t end;

	memset(im, 0, sizeof(*im));
	im->is64 = is64;
	memcpy(im->b,
	       "\x7f"
	       "ELF",
	       4);
	im->b[ELF_EI_CLASS] = is64 ? ELF_CLASS64 : ELF_CLASS32;
	im->b[ELF_EI_DATA] = ELF_DATA2LSB;
	im->b[ELF_EI_VERSION] = ELF_EV_CURRENT;
	put16(im, 16, ELF_ET_EXEC);
	put16(im, 18, is64 ? ELF_EM_X86_64 : ELF_EM_386);
	put32(im, 20, 1);
	put_addr(im, off_entry(im), entry);
	put_addr(im, off_phoff(im), ehdr_size(im));
	put16(im, is64 ? 52 : 40, (uint16_t)ehdr_size(im));
	put16(im, off_phentsize(im), (uint16_t)phdr_size(im));
	put16(im, off_phnum(im), (uint16_t)n);
	end = ehdr_size(im) + n * phdr_size(im);
	for (size_t i = 0; i < n; i++) {
		put_phdr(im, i, &phs[i]);
		if (phs[i].type != ELF_PT_LOAD || phs[i].offset + phs[i].filesz > IMG_MAX)
			continue;
		for (size_t j = 0; j < phs[i].filesz; j++)
			im->b[phs[i].offset + j] = pattern(phs[i].offset + j);
		if (phs[i].offset + phs[i].filesz > end)
			end = phs[i].offset + phs[i].filesz;
	}
	im->len = end;
}

/* Writes a multiboot v1 header at off; the checksum is off by bad. */
static void put_mb(struct img *im, size_t off, uint32_t flags, uint32_t bad)
{
	put32(im, off, MB1_HEADER_MAGIC);
	put32(im, off + 4, flags);
	put32(im, off + 8, -(MB1_HEADER_MAGIC + flags) + bad);
	if (off + 12 > im->len)
		im->len = off + 12;
}

/* The standard two-segment kernel: text at 1 MiB with a multiboot header at its
 * start, data + bss at 1 MiB + 8 KiB. */
static const struct ph std_phs[] = {
	{ELF_PT_LOAD, ELF_PF_X | 4, 0x1000, 0x100000, 0x100000, 0x200, 0x200},
	{ELF_PT_LOAD, 4 | 2, 0x1200, 0x102000, 0x102000, 0x80, 0x3000},
};

static void build_std(struct img *im, bool is64)
{
	build(im, is64, std_phs, 2, 0x100010);
	put_mb(im, 0x1000, MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMORY_INFO, 0);
}

/* Plans im->b[0..len) from a heap block of exactly len bytes, so ASan flags any
 * read past len. */
static int plan_len(const struct img *im, size_t len, uint64_t mem, struct elf_plan *plan,
                    char *err, size_t errlen)
{
	uint8_t *blk = malloc(len ? len : 1);
	int ret;

	assert_non_null(blk);
	memcpy(blk, im->b, len);
	memset(plan, 0x5a, sizeof(*plan));
	ret = elf_plan_load(blk, len, mem, plan, err, errlen);
	free(blk);
	return ret;
}

/* Requires success for the whole image. */
static void expect_ok(const struct img *im, uint64_t mem, struct elf_plan *plan)
{
	char err[128];

	assert_int_equal(plan_len(im, im->len, mem, plan, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

/* Requires -EINVAL with a reason containing want, and a reset plan. */
static void expect_reject(const struct img *im, uint64_t mem, const char *want)
{
	struct elf_plan plan;
	char err[160];

	memset(err, 'x', sizeof(err));
	assert_int_equal(plan_len(im, im->len, mem, &plan, err, sizeof(err)), -EINVAL);
	if (strstr(err, want) == NULL)
		fail_msg("reason '%s' lacks '%s'", err, want);
	assert_int_equal(plan.nseg, 0);
}

static void check_std_plan(const struct elf_plan *plan, bool is64)
{
	assert_int_equal(plan->is64, is64);
	assert_int_equal(plan->entry, 0x100010);
	assert_int_equal(plan->nseg, 2);
	assert_int_equal(plan->seg[0].paddr, 0x100000);
	assert_int_equal(plan->seg[0].memsz, 0x200);
	assert_int_equal(plan->seg[0].filesz, 0x200);
	assert_int_equal(plan->seg[0].offset, 0x1000);
	assert_true(plan->seg[0].exec);
	assert_int_equal(plan->seg[1].paddr, 0x102000);
	assert_int_equal(plan->seg[1].memsz, 0x3000);
	assert_int_equal(plan->seg[1].filesz, 0x80);
	assert_int_equal(plan->seg[1].offset, 0x1200);
	assert_false(plan->seg[1].exec);
	assert_int_equal(plan->load_end, 0x105000);
}

static void test_elf64_basic(void **state)
{
	struct img im;
	struct elf_plan plan;

	build_std(&im, true);
	expect_ok(&im, MEM_SIZE, &plan);
	check_std_plan(&plan, true);
}

static void test_elf32_basic(void **state)
{
	struct img im;
	struct elf_plan plan;

	build_std(&im, false);
	expect_ok(&im, MEM_SIZE, &plan);
	check_std_plan(&plan, false);
}

static void test_segments_sorted(void **state)
{
	const struct ph phs[] = {
		{ELF_PT_LOAD, 0, 0x1300, 0x300000, 0x300000, 0x10, 0x10},
		{ELF_PT_LOAD, ELF_PF_X, 0x1000, 0x100000, 0x100000, 0x100, 0x1000},
		{ELF_PT_LOAD, 0, 0x1200, 0x200000, 0x200000, 0x20, 0x20},
	};
	struct img im;
	struct elf_plan plan;

	for (int is64 = 0; is64 < 2; is64++) {
		build(&im, is64, phs, 3, 0x100000);
		expect_ok(&im, MEM_SIZE, &plan);
		assert_int_equal(plan.nseg, 3);
		assert_int_equal(plan.seg[0].paddr, 0x100000);
		assert_true(plan.seg[0].exec);
		assert_int_equal(plan.seg[1].paddr, 0x200000);
		assert_int_equal(plan.seg[1].offset, 0x1200);
		assert_int_equal(plan.seg[2].paddr, 0x300000);
		assert_int_equal(plan.load_end, 0x300010);
	}
}

static void test_ignored_headers(void **state)
{
	/* A note with junk offsets and an empty PT_LOAD are skipped. */
	const struct ph phs[] = {
		{PT_NOTE, 0, 0xfffffff0, 0, 0xfffffff0, 0x100, 0x100},
		{ELF_PT_LOAD, 0, 0x1000, 0x900000, 0x900000, 0, 0},
		{ELF_PT_LOAD, ELF_PF_X, 0x1000, 0x100000, 0x100000, 0x10, 0x10},
		{0, 0, 0, 0, 0, 0, 0},
	};
	struct img im;
	struct elf_plan plan;

	for (int is64 = 0; is64 < 2; is64++) {
		build(&im, is64, phs, 4, 0x100000);
		expect_ok(&im, MEM_SIZE, &plan);
		assert_int_equal(plan.nseg, 1);
		assert_int_equal(plan.seg[0].paddr, 0x100000);
		assert_int_equal(plan.load_end, 0x100010);
	}
}

static void test_entry_translated_from_vaddr(void **state)
{
	const struct ph phs[] = {
		{ELF_PT_LOAD, ELF_PF_X, 0x1000, 0x100000, 0x100000, 0x100, 0x100},
		{ELF_PT_LOAD, ELF_PF_X, 0x1100, 0xC0200000, 0x200000, 0x100, 0x1000},
	};
	struct img im;
	struct elf_plan plan;

	for (int is64 = 0; is64 < 2; is64++) {
		build(&im, is64, phs, 2, 0xC0200ff0);
		expect_ok(&im, MEM_SIZE, &plan);
		assert_int_equal(plan.entry, 0x200ff0);
		/* A physical match wins over a virtual one. */
		build(&im, is64, phs, 2, 0x100000);
		expect_ok(&im, MEM_SIZE, &plan);
		assert_int_equal(plan.entry, 0x100000);
		build(&im, is64, phs, 2, 0xC0201000);
		expect_reject(&im, MEM_SIZE, "entry 0xc0201000 not inside a loaded segment");
	}
}

static void test_entry_outside(void **state)
{
	struct img im;
	struct elf_plan plan;

	for (int is64 = 0; is64 < 2; is64++) {
		build_std(&im, is64);
		put_addr(&im, off_entry(&im), 0x100200); /* end of text: exclusive */
		expect_reject(&im, MEM_SIZE, "entry 0x100200 not inside a loaded segment");
		put_addr(&im, off_entry(&im), 0xfffff);
		expect_reject(&im, MEM_SIZE, "entry 0xfffff not inside a loaded segment");
		put_addr(&im, off_entry(&im), 0x104fff); /* last bss byte is fine */
		expect_ok(&im, MEM_SIZE, &plan);
		assert_int_equal(plan.entry, 0x104fff);
	}
}

static void test_bad_ident(void **state)
{
	struct img im;

	for (int is64 = 0; is64 < 2; is64++) {
		build_std(&im, is64);
		im.b[1] = 'e';
		expect_reject(&im, MEM_SIZE, "not an ELF file");
		build_std(&im, is64);
		im.b[ELF_EI_CLASS] = 3;
		expect_reject(&im, MEM_SIZE, "unsupported ELF class 3");
		im.b[ELF_EI_CLASS] = 0;
		expect_reject(&im, MEM_SIZE, "unsupported ELF class 0");
		build_std(&im, is64);
		im.b[ELF_EI_DATA] = 2;
		expect_reject(&im, MEM_SIZE, "not little-endian");
		build_std(&im, is64);
		im.b[ELF_EI_VERSION] = 0;
		expect_reject(&im, MEM_SIZE, "unsupported ELF version 0");
	}
}

static void test_bad_type_machine(void **state)
{
	struct img im;

	for (int is64 = 0; is64 < 2; is64++) {
		build_std(&im, is64);
		put16(&im, 16, 3); /* ET_DYN */
		expect_reject(&im, MEM_SIZE, "not an executable (e_type 3, want ET_EXEC)");
		put16(&im, 16, 1); /* ET_REL */
		expect_reject(&im, MEM_SIZE, "e_type 1");
		build_std(&im, is64);
		put16(&im, 18, is64 ? ELF_EM_386 : ELF_EM_X86_64);
		expect_reject(&im, MEM_SIZE, is64 ? "want EM_X86_64" : "want EM_386");
		put16(&im, 18, 40); /* EM_ARM */
		expect_reject(&im, MEM_SIZE, "e_machine 40");
	}
}

static void test_bad_phentsize(void **state)
{
	struct img im;

	for (int is64 = 0; is64 < 2; is64++) {
		build_std(&im, is64);
		put16(&im, off_phentsize(&im), is64 ? ELF32_PHDR_SIZE : ELF64_PHDR_SIZE);
		expect_reject(&im, MEM_SIZE, is64 ? "e_phentsize 32 (want 56)" : "e_phentsize 56");
		put16(&im, off_phentsize(&im), 0);
		expect_reject(&im, MEM_SIZE, "e_phentsize 0");
	}
}

static void test_phdrs_beyond_file(void **state)
{
	struct img im;

	for (int is64 = 0; is64 < 2; is64++) {
		build_std(&im, is64);
		put_addr(&im, off_phoff(&im), im.len);
		expect_reject(&im, MEM_SIZE, "truncated program headers");
		put_addr(&im, off_phoff(&im), im.len - phdr_size(&im) * 2 + 1);
		expect_reject(&im, MEM_SIZE, "truncated program headers");
		put_addr(&im, off_phoff(&im), is64 ? UINT64_MAX - 8 : UINT32_MAX - 8);
		expect_reject(&im, MEM_SIZE, "truncated program headers");
		build_std(&im, is64);
		put16(&im, off_phnum(&im), 0xfffe);
		expect_reject(&im, MEM_SIZE, "truncated program headers");
		put16(&im, off_phnum(&im), 0xffff);
		expect_reject(&im, MEM_SIZE, "extended program header numbering");
	}
}

static void test_phdrs_at_file_end(void **state)
{
	struct img im;
	struct elf_plan plan;
	size_t tab;

	/* The table moved to the very end of the file is accepted. */
	for (int is64 = 0; is64 < 2; is64++) {
		build_std(&im, is64);
		tab = im.len;
		memcpy(im.b + tab, im.b + ehdr_size(&im), 2 * phdr_size(&im));
		im.len = tab + 2 * phdr_size(&im);
		put_addr(&im, off_phoff(&im), tab);
		expect_ok(&im, MEM_SIZE, &plan);
		check_std_plan(&plan, is64);
	}
}

static void test_segment_count_limit(void **state)
{
	struct ph phs[ELF_MAX_SEGMENTS + 2];
	struct img im;
	struct elf_plan plan;

	for (size_t i = 0; i < ARRAY_SIZE(phs); i++) {
		phs[i] = (struct ph){ELF_PT_LOAD,
		                     ELF_PF_X,
		                     0x1000 + i * 0x10,
		                     0x100000 + i * 0x1000,
		                     0x100000 + i * 0x1000,
		                     0x10,
		                     0x1000};
	}
	for (int is64 = 0; is64 < 2; is64++) {
		build(&im, is64, phs, ELF_MAX_SEGMENTS, 0x100000);
		expect_ok(&im, MEM_SIZE, &plan);
		assert_int_equal(plan.nseg, ELF_MAX_SEGMENTS);
		assert_int_equal(plan.load_end, 0x100000 + ELF_MAX_SEGMENTS * 0x1000);
		/* An extra empty PT_LOAD does not count. */
		phs[ELF_MAX_SEGMENTS].memsz = 0;
		phs[ELF_MAX_SEGMENTS].filesz = 0;
		build(&im, is64, phs, ELF_MAX_SEGMENTS + 1, 0x100000);
		expect_ok(&im, MEM_SIZE, &plan);
		build(&im, is64, phs, ELF_MAX_SEGMENTS + 2, 0x100000);
		expect_reject(&im, MEM_SIZE, "more than 16 loadable segments");
		phs[ELF_MAX_SEGMENTS].memsz = 0x1000;
		phs[ELF_MAX_SEGMENTS].filesz = 0x10;
	}
}

static void test_bad_segment_sizes(void **state)
{
	struct ph phs[2];
	struct img im;
	struct elf_plan plan;

	for (int is64 = 0; is64 < 2; is64++) {
		memcpy(phs, std_phs, sizeof(phs));
		phs[1].filesz = 0x3001;
		build(&im, is64, phs, 2, 0x100010);
		expect_reject(&im, MEM_SIZE, "segment 1: filesz 0x3001 > memsz 0x3000");

		memcpy(phs, std_phs, sizeof(phs));
		build(&im, is64, phs, 2, 0x100010);
		phs[1].filesz = 0x81; /* one byte past the end of the file */
		put_phdr(&im, 1, &phs[1]);
		expect_reject(&im, MEM_SIZE, "segment 1: file bytes 0x1200+0x81 beyond the file");
		phs[1].filesz = 0x10;
		phs[1].offset = is64 ? UINT64_MAX - 4 : UINT32_MAX - 4;
		put_phdr(&im, 1, &phs[1]);
		expect_reject(&im, MEM_SIZE, "beyond the file");
		phs[1].offset = im.len + 1;
		phs[1].filesz = 0;
		put_phdr(&im, 1, &phs[1]);
		expect_reject(&im, MEM_SIZE, "beyond the file");
		phs[1].offset = im.len; /* empty file part at the very end is fine */
		put_phdr(&im, 1, &phs[1]);
		expect_ok(&im, MEM_SIZE, &plan);
	}
}

static void test_segment_outside_ram(void **state)
{
	struct ph phs[2];
	struct img im;
	struct elf_plan plan;

	for (int is64 = 0; is64 < 2; is64++) {
		memcpy(phs, std_phs, sizeof(phs));
		build(&im, is64, phs, 2, 0x100010);
		expect_ok(&im, 0x105000, &plan); /* ends exactly at the end of RAM */
		expect_reject(&im, 0x104fff,
		              "segment 1 [0x102000-0x105000) outside guest RAM (0x104fff bytes)");
		expect_reject(&im, 0,
		              "segment 0 [0x100000-0x100200) outside guest RAM (0x0 bytes)");
	}
	memcpy(phs, std_phs, sizeof(phs));
	phs[1].paddr = UINT64_MAX - 0xfff;
	build(&im, true, phs, 2, 0x100010);
	expect_reject(&im, UINT64_MAX, "segment 1: 0xfffffffffffff000+0x3000 wraps around");
	phs[1].paddr = UINT64_MAX - 0x2fff; /* ends exactly at 2^64: wraps to 0 */
	build(&im, true, phs, 2, 0x100010);
	expect_reject(&im, UINT64_MAX, "wraps around");

	/* A 32-bit image cannot reach above 4 GiB even with more RAM. */
	phs[1].paddr = 0xfffff000;
	phs[1].vaddr = 0xfffff000;
	build(&im, false, phs, 2, 0x100010);
	expect_reject(&im, GiB(8), "segment 1 [0xfffff000-0x100002000) beyond 4 GiB");
	build(&im, true, phs, 2, 0x100010);
	expect_ok(&im, GiB(8), &plan);
	assert_int_equal(plan.load_end, 0x100002000ull);
}

static void test_overlap(void **state)
{
	struct ph phs[3];
	struct img im;
	struct elf_plan plan;

	for (int is64 = 0; is64 < 2; is64++) {
		memcpy(phs, std_phs, sizeof(std_phs));
		phs[1].paddr = 0x1001ff; /* last byte of text */
		build(&im, is64, phs, 2, 0x100010);
		expect_reject(&im, MEM_SIZE, "segments 0 and 1 overlap");
		phs[1].paddr = 0x100200; /* adjacent */
		build(&im, is64, phs, 2, 0x100010);
		expect_ok(&im, MEM_SIZE, &plan);
		/* Reported by program header index, after sorting. */
		phs[2] = phs[1];
		phs[2].paddr = 0x0ff000;
		phs[2].memsz = 0x1001;
		phs[2].filesz = 0;
		build(&im, is64, phs, 3, 0x100010);
		expect_reject(&im, MEM_SIZE, "segments 2 and 0 overlap");
		/* One segment inside another. */
		phs[2].paddr = 0x100100;
		phs[2].memsz = 0x10;
		build(&im, is64, phs, 3, 0x100010);
		expect_reject(&im, MEM_SIZE, "segments 0 and 2 overlap");
	}
}

static void test_no_loadable_segments(void **state)
{
	const struct ph phs[] = {
		{PT_NOTE, 0, 0x100, 0, 0, 0x10, 0x10},
		{ELF_PT_LOAD, 0, 0x100, 0x100000, 0x100000, 0, 0},
	};
	struct img im;

	for (int is64 = 0; is64 < 2; is64++) {
		build(&im, is64, phs, 0, 0x100000);
		expect_reject(&im, MEM_SIZE, "no loadable segments");
		build(&im, is64, phs, 2, 0x100000);
		expect_reject(&im, MEM_SIZE, "no loadable segments");
	}
}

static void test_error_buffer(void **state)
{
	struct img im;
	struct elf_plan plan;
	char err[8];

	build_std(&im, true);
	im.b[0] = 0;
	memset(err, 'x', sizeof(err));
	assert_int_equal(plan_len(&im, im.len, MEM_SIZE, &plan, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "not an ");
	assert_int_equal(plan_len(&im, im.len, MEM_SIZE, &plan, NULL, 0), -EINVAL);
	err[0] = 'x';
	assert_int_equal(plan_len(&im, im.len, MEM_SIZE, &plan, err, 1), -EINVAL);
	assert_int_equal(err[0], '\0');
	assert_int_equal(elf_plan_load(NULL, 100, MEM_SIZE, &plan, err, sizeof(err)), -EINVAL);
	/* Success clears an old message. */
	build_std(&im, true);
	strcpy(err, "old");
	assert_int_equal(plan_len(&im, im.len, MEM_SIZE, &plan, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

/* Every strict prefix of a well-formed image is rejected with a reason. */
static void check_truncations(const struct img *im)
{
	struct elf_plan plan;
	char err[128];

	for (size_t len = 0; len < im->len; len++) {
		err[0] = '\0';
		assert_int_equal(plan_len(im, len, MEM_SIZE, &plan, err, sizeof(err)), -EINVAL);
		assert_true(strlen(err) > 0);
		assert_int_equal(plan.nseg, 0);
	}
	assert_int_equal(plan_len(im, im->len, MEM_SIZE, &plan, err, sizeof(err)), 0);
}

static void test_truncated_everywhere(void **state)
{
	struct img im;

	for (int is64 = 0; is64 < 2; is64++) {
		build_std(&im, is64);
		check_truncations(&im);
	}
}

static void test_truncated_header_messages(void **state)
{
	struct img im;
	struct elf_plan plan;
	char err[128];

	build_std(&im, true);
	assert_int_equal(plan_len(&im, 3, MEM_SIZE, &plan, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "not an ELF file");
	assert_int_equal(plan_len(&im, 10, MEM_SIZE, &plan, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "truncated ELF header (10 bytes)");
	assert_int_equal(plan_len(&im, 63, MEM_SIZE, &plan, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "truncated ELF header (63 of 64 bytes)");
	assert_int_equal(plan_len(&im, 64, MEM_SIZE, &plan, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "truncated program headers"));
}

/* Fills ram with 0xAA, copies the plan's segments and checks every byte. */
static void check_copy(const struct img *im, uint64_t mem)
{
	struct elf_plan plan;
	uint8_t *ram = malloc(mem);
	uint8_t *blk = malloc(im->len);
	uint8_t want;

	assert_non_null(ram);
	assert_non_null(blk);
	memcpy(blk, im->b, im->len);
	assert_int_equal(elf_plan_load(blk, im->len, mem, &plan, NULL, 0), 0);
	memset(ram, 0xAA, mem);
	elf_copy_segments(&plan, blk, ram);
	for (uint64_t a = 0; a < mem; a++) {
		want = 0xAA;
		for (size_t i = 0; i < plan.nseg; i++) {
			const struct elf_segment *s = &plan.seg[i];

			if (a < s->paddr || a >= s->paddr + s->memsz)
				continue;
			want = a - s->paddr < s->filesz ? blk[s->offset + (a - s->paddr)] : 0;
		}
		if (ram[a] != want)
			fail_msg("ram[0x%llx] = 0x%02x, want 0x%02x", (unsigned long long)a, ram[a],
			         want);
	}
	free(blk);
	free(ram);
}

static void test_copy_segments(void **state)
{
	const struct ph phs[] = {
		{ELF_PT_LOAD, 0, 0x1400, 0x3000, 0x3000, 0x100, 0x100},
		{ELF_PT_LOAD, ELF_PF_X, 0x1000, 0x1000, 0x1000, 0x400, 0x1000},
		{ELF_PT_LOAD, 0, 0x1500, 0x5000, 0x5000, 0, 0x800},     /* bss only */
		{ELF_PT_LOAD, 0, 0x1500, 0x7f00, 0x7f00, 0x100, 0x100}, /* ends at RAM end */
	};
	struct img im;

	for (int is64 = 0; is64 < 2; is64++) {
		build(&im, is64, phs, 4, 0x1000);
		check_copy(&im, 0x8000);
		build_std(&im, is64);
		check_copy(&im, 0x106000);
	}
}

/* Small deterministic PRNG (xorshift64). */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random byte and field corruptions of the headers: never crashes, and an
 * accepted plan always satisfies the documented invariants. */
static void test_fuzz_headers(void **state)
{
	const uint64_t mem = 0x110000;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	struct elf_plan plan;
	struct img im;
	uint8_t *ram = malloc(mem);
	int accepted = 0;

	assert_non_null(ram);
	for (int iter = 0; iter < 20000; iter++) {
		bool is64 = iter & 1;
		size_t hdr_end;

		build_std(&im, is64);
		hdr_end = ehdr_size(&im) + 2 * phdr_size(&im);
		for (int k = 0; k < 1 + iter % 3; k++) {
			uint64_t r = next_rand(&seed);
			size_t off = (r >> 8) % hdr_end;

			if (r & 1)
				im.b[off] = (uint8_t)(r >> 32);
			else
				im.b[off] ^= (uint8_t)(1u << ((r >> 40) & 7));
		}
		if (plan_len(&im, im.len, mem, &plan, NULL, 0) != 0)
			continue;
		accepted++;
		assert_true(plan.nseg >= 1 && plan.nseg <= ELF_MAX_SEGMENTS);
		for (size_t i = 0; i < plan.nseg; i++) {
			const struct elf_segment *s = &plan.seg[i];

			assert_true(s->filesz <= s->memsz && s->memsz > 0);
			assert_true(s->offset <= im.len && s->filesz <= im.len - s->offset);
			assert_true(s->paddr <= mem && s->memsz <= mem - s->paddr);
			if (i > 0)
				assert_true(plan.seg[i - 1].paddr + plan.seg[i - 1].memsz <=
				            s->paddr);
		}
		assert_int_equal(plan.load_end,
		                 plan.seg[plan.nseg - 1].paddr + plan.seg[plan.nseg - 1].memsz);
		elf_copy_segments(&plan, im.b, ram);
	}
	assert_true(accepted > 0);
	free(ram);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf64_basic),
		cmocka_unit_test(test_elf32_basic),
		cmocka_unit_test(test_segments_sorted),
		cmocka_unit_test(test_ignored_headers),
		cmocka_unit_test(test_entry_translated_from_vaddr),
		cmocka_unit_test(test_entry_outside),
		cmocka_unit_test(test_bad_ident),
		cmocka_unit_test(test_bad_type_machine),
		cmocka_unit_test(test_bad_phentsize),
		cmocka_unit_test(test_phdrs_beyond_file),
		cmocka_unit_test(test_phdrs_at_file_end),
		cmocka_unit_test(test_segment_count_limit),
		cmocka_unit_test(test_bad_segment_sizes),
		cmocka_unit_test(test_segment_outside_ram),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_no_loadable_segments),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_truncated_header_messages),
		cmocka_unit_test(test_copy_segments),
		cmocka_unit_test(test_fuzz_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
