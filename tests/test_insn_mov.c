/* Unit tests for hv/lib/insn_mov.c and hv/lib/insn_prefix.c. The encodings were
 * produced by GNU as (--32/--64, .code16/.code32/.code64) and read back with objdump;
 * the assembler source is the comment on each row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "err.h"
#include "hv/lib/insn_mov.h"
#include "hv/lib/insn_prefix.h"

#define L  INSN_MOV_LOAD
#define S  INSN_MOV_STORE
#define SI INSN_MOV_STORE_IMM
#define NS INSN_NO_SEG

struct row {
	unsigned mode;
	uint8_t bytes[16];
	unsigned n;
	enum insn_mov_kind kind;
	unsigned reg, width;
	uint64_t imm;
	int seg;
};

static const struct row rows[] = {
	/* .code64 */
	{8, {0x89, 0x87, 0xb0, 0, 0, 0}, 6, S, 0, 4, 0, NS},     /* mov %eax,0xb0(%rdi) */
	{8, {0x8b, 0x4e, 0x20}, 3, L, 1, 4, 0, NS},              /* mov 0x20(%rsi),%ecx */
	{8, {0x44, 0x89, 0x8b, 0, 3, 0, 0}, 7, S, 9, 4, 0, NS},  /* mov %r9d,0x300(%rbx) */
	{8, {0x45, 0x8b, 0x7c, 0x24, 0x10}, 5, L, 15, 4, 0, NS}, /* mov 0x10(%r12),%r15d */
	{8, {0xc7, 0x80, 0x80, 3, 0, 0, 0x78, 0x56, 0x34, 0x12}, 10, SI, 0, 4, 0x12345678, NS},
	/* movl $0xfffffff0,(%rax) */
	{8, {0xc7, 0x00, 0xf0, 0xff, 0xff, 0xff}, 6, SI, 0, 4, 0xfffffffffffffff0ull, NS},
	/* movq $-2,0x10(%rax) */
	{8, {0x48, 0xc7, 0x40, 0x10, 0xfe, 0xff, 0xff, 0xff}, 8, SI, 0, 8, (uint64_t)-2, NS},
	{8, {0x66, 0x89, 0x82, 0x80, 0, 0, 0}, 7, S, 0, 2, 0, NS}, /* mov %ax,0x80(%rdx) */
	/* movabs 0xfee000b0,%eax; movabs %eax,0xfee00300 */
	{8, {0xa1, 0xb0, 0x00, 0xe0, 0xfe, 0, 0, 0, 0}, 9, L, 0, 4, 0, NS},
	{8, {0xa3, 0x00, 0x03, 0xe0, 0xfe, 0, 0, 0, 0}, 9, S, 0, 4, 0, NS},
	{8,
         {0x67, 0xa1, 0x20, 0x00, 0xe0, 0xfe},
         6,
         L,
         0,
         4,
         0,
         NS},                                             /* addr32 mov 0xfee00020,%eax */
	{8, {0x89, 0x05, 0, 3, 0, 0}, 6, S, 0, 4, 0, NS}, /* mov %eax,0x300(%rip) */
	{8, {0x8b, 0x14, 0x24}, 3, L, 2, 4, 0, NS},       /* mov (%rsp),%edx */
	{8, {0x8b, 0x74, 0x8d, 0x08}, 4, L, 6, 4, 0, NS}, /* mov 0x8(%rbp,%rcx,4),%esi */
	/* mov 0x12345678(,%rbx,8),%edi; mov 0x20,%eax (SIB, no base) */
	{8, {0x8b, 0x3c, 0xdd, 0x78, 0x56, 0x34, 0x12}, 7, L, 7, 4, 0, NS},
	{8, {0x8b, 0x04, 0x25, 0x20, 0, 0, 0}, 7, L, 0, 4, 0, NS},
	{8, {0x64, 0x89, 0x03}, 3, S, 0, 4, 0, INSN_FS},  /* mov %eax,%fs:(%rbx) */
	{8, {0x67, 0x89, 0x03}, 3, S, 0, 4, 0, NS},       /* mov %eax,(%ebx) */
	{8, {0x4c, 0x89, 0x00}, 3, S, 8, 8, 0, NS},       /* mov %r8,(%rax) */
	{8, {0x41, 0x8b, 0x45, 0x00}, 4, L, 0, 4, 0, NS}, /* mov 0x0(%r13),%eax */
	{8,
         {0x89, 0x85, 0xff, 0xff, 0xff, 0x7f},
         6,
         S,
         0,
         4,
         0,
         NS},                                       /* mov %eax,0x7fffffff(%rbp) */
	{8, {0x40, 0x89, 0x03}, 3, S, 0, 4, 0, NS}, /* rex mov %eax,(%rbx) */
	/* REX then a legacy prefix: the REX is ignored (mov %eax,%ds:(%rbx), not %r8d) */
	{8, {0x44, 0x3e, 0x89, 0x03}, 4, S, 0, 4, 0, INSN_DS},
	/* .code32 */
	{4, {0xa3, 0xb0, 0x00, 0xe0, 0xfe}, 5, S, 0, 4, 0, NS}, /* mov %eax,0xfee000b0 */
	{4, {0xa1, 0x20, 0x00, 0xe0, 0xfe}, 5, L, 0, 4, 0, NS}, /* mov 0xfee00020,%eax */
	{4, {0x89, 0x8b, 0xb0, 0, 0, 0}, 6, S, 1, 4, 0, NS},    /* mov %ecx,0xb0(%ebx) */
	{4, {0x8b, 0x5c, 0x7e, 0x20}, 4, L, 3, 4, 0, NS},       /* mov 0x20(%esi,%edi,2),%ebx */
	{4,
         {0xc7, 0x05, 0xb0, 0, 0xe0, 0xfe, 0, 0, 0, 0},
         10,
         SI,
         0,
         4,
         0,
         NS}, /* movl $0,0xfee000b0 */
	{4, {0xc7, 0x80, 0xf0, 0, 0, 0, 0xff, 1, 0, 0}, 10, SI, 0, 4, 0x1ff, NS}, /* ,0xf0(%eax) */
	{4, {0x66, 0x89, 0x03}, 3, S, 0, 2, 0, NS},                   /* mov %ax,(%ebx) */
	{4, {0x66, 0xc7, 0x03, 0x34, 0x12}, 5, SI, 0, 2, 0x1234, NS}, /* movw $0x1234,(%ebx) */
	{4, {0x26, 0x8b, 0x55, 0x30}, 4, L, 2, 4, 0, INSN_ES},        /* mov %es:0x30(%ebp),%edx */
	{4, {0x67, 0x89, 0x00}, 3, S, 0, 4, 0, NS},                   /* mov %eax,(%bx,%si) */
	{4, {0x67, 0xa1, 0x34, 0x12}, 4, L, 0, 4, 0, NS},             /* addr16 mov 0x1234,%eax */
	{4, {0x89, 0x14, 0x24}, 3, S, 2, 4, 0, NS},                   /* mov %edx,(%esp) */
	{4, {0x8b, 0x44, 0x24, 0x10}, 4, L, 0, 4, 0, NS},             /* mov 0x10(%esp),%eax */
	{4, {0x89, 0x04, 0x05, 0, 0, 0, 0}, 7, S, 0, 4, 0, NS},       /* mov %eax,(,%eax,1) */
	/* a REX byte outside 64-bit mode is INC/DEC: not a MOV */
	/* .code16 */
	{2, {0x89, 0x47, 0x20}, 3, S, 0, 2, 0, NS},             /* mov %ax,0x20(%bx) */
	{2, {0x66, 0x89, 0x81, 0xb0, 0x00}, 5, S, 0, 4, 0, NS}, /* mov %eax,0xb0(%bx,%di) */
	{2, {0x66, 0xc7, 0x04, 0x78, 0x56, 0x34, 0x12}, 7, SI, 0, 4, 0x12345678, NS}, /* ,(%si) */
	{2, {0xa1, 0x34, 0x12}, 3, L, 0, 2, 0, NS},                         /* mov 0x1234,%ax */
	{2, {0x66, 0xa1, 0x00, 0x03}, 4, L, 0, 4, 0, NS},                   /* mov 0x300,%eax */
	{2, {0x66, 0x89, 0x4e, 0x08}, 4, S, 1, 4, 0, NS},                   /* mov %ecx,0x8(%bp) */
	{2, {0x67, 0x66, 0xa3, 0xb0, 0x00, 0xe0, 0xfe}, 7, S, 0, 4, 0, NS}, /* addr32 mov */
	{2,
         {0xc7, 0x87, 0x00, 0x10, 0x55, 0x00},
         6,
         SI,
         0,
         2,
         0x55,
         NS}, /* movw $0x55,0x1000(%bx) */
};

static void test_table(void **unused)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct insn_mov m;

		print_message("row %zu\n", i);
		/* the decoder gets more bytes than the instruction has, as from a page */
		assert_int_equal(insn_mov_decode(r->bytes, sizeof(r->bytes), r->mode, &m), 0);
		assert_int_equal(m.len, r->n);
		assert_int_equal(m.kind, r->kind);
		assert_int_equal(m.reg, r->reg);
		assert_int_equal(m.width, r->width);
		assert_int_equal(m.seg, r->seg);
		if (r->kind == INSN_MOV_STORE_IMM)
			assert_int_equal(m.imm, r->imm);
		/* exactly the instruction is enough, one byte less is not */
		assert_int_equal(insn_mov_decode(r->bytes, r->n, r->mode, &m), 0);
		assert_int_equal(insn_mov_decode(r->bytes, r->n - 1, r->mode, &m), -EINVAL);
	}
}

static void test_not_decodable(void **unused)
{
	static const uint8_t reg_reg[] = {0x89, 0xc1};             /* mov %eax,%ecx */
	static const uint8_t byte_mov[] = {0x88, 0x03};            /* mov %al,(%rbx) */
	static const uint8_t lock_add[] = {0xf0, 0x83, 0, 1};      /* lock addl $1,(%rax) */
	static const uint8_t lock_mov[] = {0xf0, 0x89, 0x03};      /* #UD on the CPU */
	static const uint8_t c7_reg1[] = {0xc7, 0x08, 0, 0, 0, 0}; /* C7 /1 is no MOV */
	static const uint8_t movs[] = {0xa5};                      /* movsl */
	static const uint8_t rex_in32[] = {0x44, 0x89, 0x03};      /* inc %esp; mov */
	uint8_t prefixes[16];
	struct insn_mov m;

	assert_int_equal(insn_mov_decode(reg_reg, sizeof(reg_reg), 8, &m), -EINVAL);
	assert_int_equal(insn_mov_decode(byte_mov, sizeof(byte_mov), 8, &m), -EINVAL);
	assert_int_equal(insn_mov_decode(lock_add, sizeof(lock_add), 8, &m), -EINVAL);
	assert_int_equal(insn_mov_decode(lock_mov, sizeof(lock_mov), 4, &m), -EINVAL);
	assert_int_equal(insn_mov_decode(c7_reg1, sizeof(c7_reg1), 4, &m), -EINVAL);
	assert_int_equal(insn_mov_decode(movs, sizeof(movs), 4, &m), -EINVAL);
	assert_int_equal(insn_mov_decode(rex_in32, sizeof(rex_in32), 4, &m), -EINVAL);
	assert_int_equal(insn_mov_decode(movs, 0, 4, &m), -EINVAL);
	/* 14 prefixes + 89 03 = 16 bytes: longer than any instruction may be */
	for (int i = 0; i < 14; i++)
		prefixes[i] = 0x3e;
	prefixes[14] = 0x89;
	prefixes[15] = 0x03;
	assert_int_equal(insn_mov_decode(prefixes, sizeof(prefixes), 4, &m), -EINVAL);
	/* 13 prefixes: 15 bytes, allowed */
	assert_int_equal(insn_mov_decode(prefixes + 1, 15, 4, &m), 0);
	assert_int_equal(m.len, 15);
}

static void test_prefixes(void **unused)
{
	static const uint8_t many[] = {0x66, 0x67, 0x2e, 0x65, 0xf3, 0x48, 0x90};
	struct insn_prefixes p;

	assert_int_equal(insn_prefixes(many, sizeof(many), true, &p), 0);
	assert_int_equal(p.len, 6);
	assert_true(p.opsize && p.addrsize && p.rep && !p.lock && !p.repne);
	assert_int_equal(p.seg, INSN_GS); /* the last override counts */
	assert_int_equal(p.rex, 0x48);
	assert_int_equal(insn_addr_size(&p, 8), 4);
	assert_int_equal(insn_addr_size(&p, 4), 2);
	assert_int_equal(insn_addr_size(&p, 2), 4);
	/* outside 64-bit mode 0x48 is an opcode (DEC) */
	assert_int_equal(insn_prefixes(many, sizeof(many), false, &p), 0);
	assert_int_equal(p.len, 5);
	assert_int_equal(p.rex, 0);
	assert_int_equal(insn_prefixes(many, 5, false, &p), -EINVAL); /* only prefixes */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_not_decodable),
		cmocka_unit_test(test_prefixes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
