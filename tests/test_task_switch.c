/* Unit tests for hv/lib/task_switch.c over a flat fake guest memory (linear = offset). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hv/lib/task_switch.h"

#define MEM_SIZE    0x10000
#define GDT         0x1000
#define OLD_TSS     0x2000
#define NEW_TSS     0x3000
#define LDT_BASE    0x4000
#define NEW_SP      0x8000
#define SEL_OLD     0x18
#define SEL_NEW     0x20
#define SEL_LDT     0x28
#define SEL_DATA_NP 0x30
#define SEL_CODE    0x08
#define SEL_DATA    0x10
#define NT          (1u << 14)

static uint8_t mem[MEM_SIZE];
static uint32_t cr3_loaded, cr3_loads;
static bool cr3_fails;

static int rd(void *ctx, uint64_t la, void *buf, uint32_t len)
{
	if (la + len > MEM_SIZE)
		return TASK_MEM_ERROR;
	memcpy(buf, mem + la, len);
	return 0;
}

static int wr(void *ctx, uint64_t la, const void *buf, uint32_t len)
{
	if (la + len > MEM_SIZE)
		return TASK_MEM_ERROR;
	memcpy(mem + la, buf, len);
	return 0;
}

static int load_cr3(void *ctx, uint32_t cr3)
{
	cr3_loads++;
	cr3_loaded = cr3;
	return cr3_fails ? TASK_FAULT : 0;
}

static const struct task_mem fake = {rd, wr, load_cr3, NULL};

static uint64_t desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
	return (limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) | ((uint64_t)access << 40) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)flags << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

static void set_gdt(uint16_t sel, uint64_t d)
{
	memcpy(mem + GDT + (sel & ~7), &d, 8);
}

static uint64_t get_gdt(uint16_t sel)
{
	uint64_t d;

	memcpy(&d, mem + GDT + (sel & ~7), 8);
	return d;
}

static unsigned type_of(uint16_t sel)
{
	return (get_gdt(sel) >> 40) & 0xf;
}

static struct tss32 *tss(uint32_t at)
{
	return (struct tss32 *)(mem + at);
}

static struct task_cpu cpu;

static int setup(void **unused)
{
	struct tss32 *n = tss(NEW_TSS);

	memset(mem, 0, sizeof(mem));
	cr3_loads = 0;
	cr3_fails = false;
	set_gdt(SEL_CODE, desc(0, 0xfffff, 0x9b, 0xc));
	set_gdt(SEL_DATA, desc(0, 0xfffff, 0x93, 0xc));
	set_gdt(SEL_OLD, desc(OLD_TSS, 0x67, 0x8b, 0)); /* busy: the current task */
	set_gdt(SEL_NEW, desc(NEW_TSS, 0x67, 0x89, 0));
	set_gdt(SEL_LDT, desc(LDT_BASE, 0xf, 0x82, 0));
	set_gdt(SEL_DATA_NP, desc(0, 0xfffff, 0x12, 0xc)); /* not present, not accessed */
	n->eip = 0x5000;
	n->eflags = 0x2;
	n->cr3 = 0x9000;
	for (int i = 0; i < 8; i++)
		n->gpr[i] = 0x100 + i;
	n->gpr[4] = NEW_SP;
	n->seg[TASK_CS] = SEL_CODE;
	for (int i = 0; i < 6; i++)
		if (i != TASK_CS)
			n->seg[i] = SEL_DATA;
	n->ldt = SEL_LDT;
	memset(&cpu, 0, sizeof(cpu));
	for (int i = 0; i < 8; i++)
		cpu.gpr[i] = 0xa0 + i;
	cpu.eip = 0x1234;
	cpu.eflags = 0x202;
	cpu.cr0 = 0x11;
	for (int i = 0; i < 6; i++)
		cpu.seg[i] = (struct task_seg){i == TASK_CS ? SEL_CODE : SEL_DATA, 0, 0xffffffff,
		                               i == TASK_CS ? 0xc09b : 0xc093};
	cpu.ldtr = (struct task_seg){0, 0, 0, TASK_AR_UNUSABLE};
	cpu.tr = (struct task_seg){SEL_OLD, OLD_TSS, 0x67, 0x8b};
	cpu.gdt_base = GDT;
	cpu.gdt_limit = 0x3f;
	return 0;
}

static enum task_result run(uint16_t sel, enum task_source src, struct task_fault *f)
{
	struct task_req req = {.sel = sel, .src = src};

	return task_switch(&cpu, &req, &fake, f);
}

static void test_desc_decode(void **unused)
{
	struct seg_desc d;

	desc_decode(desc(0x12345678, 0xabcde, 0x9b, 0xc), &d);
	assert_int_equal(d.base, 0x12345678);
	assert_int_equal(d.limit, 0xabcdefff); /* G: 4 KiB units */
	assert_int_equal(d.ar, 0xc09b);
	assert_int_equal(d.type, 0xb);
	assert_true(d.s && d.p);
	assert_int_equal(d.dpl, 0);
	desc_decode(desc(0x3000, 0x67, 0xe9, 0), &d);
	assert_int_equal(d.limit, 0x67);
	assert_int_equal(d.dpl, 3);
	assert_false(d.s);
}

/* Reserved EFLAGS bits in the new TSS never reach the CPU: bit 1 set, bits 3,
 * 5, 15 and 31:22 clear. */
static void test_new_eflags_reserved_bits(void **unused)
{
	struct task_fault f;

	tss(NEW_TSS)->eflags = 0xffc0802a | 0x200;
	assert_int_equal(run(SEL_NEW, TASK_JMP, &f), TASK_OK);
	assert_int_equal(cpu.eflags, 0x202);
}

/* A new TSS with its T flag asks for a #DB after the switch; without it, none. */
static void test_debug_trap_flag(void **unused)
{
	struct task_fault f;

	assert_int_equal(run(SEL_NEW, TASK_JMP, &f), TASK_OK);
	assert_false(f.debug_trap);
	setup(NULL);
	tss(NEW_TSS)->trap = 1;
	assert_int_equal(run(SEL_NEW, TASK_JMP, &f), TASK_OK);
	assert_true(f.debug_trap);
}

static void test_call(void **unused)
{
	struct task_fault f;

	assert_int_equal(run(SEL_NEW, TASK_CALL, &f), TASK_OK);
	/* the old task's dynamic state, in its TSS */
	assert_int_equal(tss(OLD_TSS)->eip, 0x1234);
	assert_int_equal(tss(OLD_TSS)->eflags, 0x202);
	assert_int_equal(tss(OLD_TSS)->gpr[3], 0xa3);
	assert_int_equal(tss(OLD_TSS)->seg[TASK_CS], SEL_CODE);
	/* nesting: link, NT, both busy */
	assert_int_equal(tss(NEW_TSS)->link, SEL_OLD);
	assert_true(cpu.eflags & NT);
	assert_int_equal(type_of(SEL_OLD), 11);
	assert_int_equal(type_of(SEL_NEW), 11);
	/* the new task's state */
	assert_int_equal(cpu.tr.sel, SEL_NEW);
	assert_int_equal(cpu.tr.base, NEW_TSS);
	assert_int_equal(cpu.tr.ar & 0xf, 11);
	assert_int_equal(cpu.eip, 0x5000);
	assert_int_equal(cpu.gpr[0], 0x100);
	assert_int_equal(cpu.gpr[4], NEW_SP);
	assert_true(cpu.cr0 & 8);       /* CR0.TS */
	assert_int_equal(cr3_loads, 0); /* paging off */
	assert_int_equal(cpu.ldtr.sel, SEL_LDT);
	assert_int_equal(cpu.ldtr.base, LDT_BASE);
	assert_int_equal(cpu.ldtr.ar, 0x82);
	assert_int_equal(cpu.seg[TASK_SS].ar, 0xc093);
}

static void test_iret_returns(void **unused)
{
	struct task_fault f;

	/* we are the called task: new (busy) is where IRET goes */
	set_gdt(SEL_NEW, desc(NEW_TSS, 0x67, 0x8b, 0));
	cpu.eflags |= NT;
	assert_int_equal(run(SEL_NEW, TASK_IRET, &f), TASK_OK);
	assert_int_equal(tss(OLD_TSS)->eflags & NT, 0); /* NT off in the saved image */
	assert_int_equal(type_of(SEL_OLD), 9);          /* the old task is free again */
	assert_int_equal(type_of(SEL_NEW), 11);
	assert_int_equal(tss(NEW_TSS)->link, 0); /* IRET writes no link */
	assert_false(cpu.eflags & NT);
}

static void test_jmp(void **unused)
{
	struct task_fault f;

	assert_int_equal(run(SEL_NEW, TASK_JMP, &f), TASK_OK);
	assert_int_equal(type_of(SEL_OLD), 9);
	assert_int_equal(type_of(SEL_NEW), 11);
	assert_int_equal(tss(NEW_TSS)->link, 0);
	assert_false(cpu.eflags & NT);
}

static void test_gate_pushes_error_code(void **unused)
{
	struct task_req req = {.sel = SEL_NEW,
	                       .src = TASK_IDT_GATE,
	                       .ext = true,
	                       .has_error = true,
	                       .error = 0x1238};
	struct task_fault f;
	uint32_t pushed;

	assert_int_equal(task_switch(&cpu, &req, &fake, &f), TASK_OK);
	assert_int_equal(cpu.gpr[4], NEW_SP - 4);
	memcpy(&pushed, mem + NEW_SP - 4, 4);
	assert_int_equal(pushed, 0x1238);
	assert_true(cpu.eflags & NT);
	assert_int_equal(tss(NEW_TSS)->link, SEL_OLD);
}

static void expect_precommit(uint16_t sel, enum task_source src, uint8_t vec, uint32_t err)
{
	struct task_cpu before = cpu;
	struct task_fault f;

	assert_int_equal(run(sel, src, &f), TASK_FAULT);
	assert_int_equal(f.vector, vec);
	assert_int_equal(f.error, err);
	assert_false(f.committed);
	assert_memory_equal(&before, &cpu, sizeof(cpu));
}

static void test_bad_new_tss(void **unused)
{
	expect_precommit(SEL_NEW | 4, TASK_JMP, VEC_GP, SEL_NEW | 4); /* in the LDT */
	expect_precommit(0x48, TASK_JMP, VEC_GP, 0x48);               /* beyond the GDT */
	expect_precommit(0x48, TASK_IRET, VEC_TS, 0x48);
	expect_precommit(SEL_NEW, TASK_IRET, VEC_TS, SEL_NEW);  /* IRET to a free TSS */
	expect_precommit(SEL_OLD, TASK_CALL, VEC_GP, SEL_OLD);  /* CALL to a busy one */
	expect_precommit(SEL_DATA, TASK_JMP, VEC_GP, SEL_DATA); /* not a TSS */
	set_gdt(SEL_NEW, desc(NEW_TSS, 0x67, 0x09, 0));         /* not present */
	expect_precommit(SEL_NEW, TASK_JMP, VEC_NP, SEL_NEW);
	set_gdt(SEL_NEW, desc(NEW_TSS, 0x66, 0x89, 0)); /* too short */
	expect_precommit(SEL_NEW, TASK_JMP, VEC_TS, SEL_NEW);
	set_gdt(SEL_NEW, desc(NEW_TSS, 0x2b, 0x81, 0)); /* 16-bit: refused */
	expect_precommit(SEL_NEW, TASK_JMP, VEC_GP, SEL_NEW);
	assert_int_equal(type_of(SEL_OLD), 11);
}

static void expect_committed(uint8_t vec, uint32_t err)
{
	struct task_fault f;

	assert_int_equal(run(SEL_NEW, TASK_CALL, &f), TASK_FAULT);
	assert_int_equal(f.vector, vec);
	assert_int_equal(f.error, err);
	assert_true(f.committed);
	assert_int_equal(cpu.tr.sel, SEL_NEW);
	assert_int_equal(cpu.eip, 0x5000);
}

static void test_bad_new_state(void **unused)
{
	tss(NEW_TSS)->seg[TASK_CS] = SEL_DATA; /* data segment as CS */
	expect_committed(VEC_TS, SEL_DATA);
}

static void test_bad_ss(void **unused)
{
	tss(NEW_TSS)->seg[TASK_SS] = SEL_DATA | 3; /* RPL != CPL */
	expect_committed(VEC_TS, SEL_DATA);
}

static void test_ss_not_present(void **unused)
{
	set_gdt(SEL_DATA_NP, desc(0, 0xfffff, 0x12, 0xc));
	tss(NEW_TSS)->seg[TASK_SS] = SEL_DATA_NP;
	expect_committed(VEC_SS, SEL_DATA_NP);
}

static void test_data_not_present_and_null(void **unused)
{
	tss(NEW_TSS)->seg[TASK_DS] = SEL_DATA_NP;
	expect_committed(VEC_NP, SEL_DATA_NP);
	setup(NULL);
	tss(NEW_TSS)->seg[TASK_FS] = 0;
	struct task_fault f;
	assert_int_equal(run(SEL_NEW, TASK_CALL, &f), TASK_OK);
	assert_true(cpu.seg[TASK_FS].ar & TASK_AR_UNUSABLE);
}

static void test_bad_ldt(void **unused)
{
	tss(NEW_TSS)->ldt = SEL_DATA;
	expect_committed(VEC_TS, SEL_DATA);
	assert_true(cpu.ldtr.ar & TASK_AR_UNUSABLE);
	setup(NULL);
	tss(NEW_TSS)->ldt = SEL_LDT | 4;
	expect_committed(VEC_TS, SEL_LDT | 4);
}

static void test_accessed_bit_and_ldt_segment(void **unused)
{
	struct task_fault f;
	uint64_t ldt_data = desc(0x777000, 0xfff, 0x92, 0x4); /* not accessed */

	memcpy(mem + LDT_BASE + 8, &ldt_data, 8);
	tss(NEW_TSS)->seg[TASK_GS] = 0x0c; /* LDT entry 1 */
	assert_int_equal(run(SEL_NEW, TASK_CALL, &f), TASK_OK);
	assert_int_equal(cpu.seg[TASK_GS].base, 0x777000);
	assert_int_equal(cpu.seg[TASK_GS].limit, 0xfff);
	memcpy(&ldt_data, mem + LDT_BASE + 8, 8);
	assert_int_equal((ldt_data >> 40) & 0xff, 0x93);
}

static void test_paging_loads_cr3(void **unused)
{
	struct task_fault f;

	cpu.cr0 |= 1u << 31;
	assert_int_equal(run(SEL_NEW, TASK_CALL, &f), TASK_OK);
	assert_int_equal(cr3_loads, 1);
	assert_int_equal(cr3_loaded, 0x9000);
	assert_int_equal(cpu.cr3, 0x9000);
	setup(NULL);
	cpu.cr0 |= 1u << 31;
	cr3_fails = true;
	expect_committed(VEC_GP, 0);
}

static void test_error_codes_carry_ext(void **unused)
{
	struct task_req req = {.sel = SEL_NEW, .src = TASK_IDT_GATE, .ext = true};
	struct task_fault f;

	tss(NEW_TSS)->seg[TASK_CS] = SEL_DATA;
	assert_int_equal(task_switch(&cpu, &req, &fake, &f), TASK_FAULT);
	assert_int_equal(f.error, SEL_DATA | 1);
}

static void test_vm86_task(void **unused)
{
	struct task_fault f;

	tss(NEW_TSS)->eflags = 0x20002;
	tss(NEW_TSS)->seg[TASK_CS] = 0x1234;
	assert_int_equal(run(SEL_NEW, TASK_CALL, &f), TASK_OK);
	assert_int_equal(cpu.seg[TASK_CS].base, 0x12340);
	assert_int_equal(cpu.seg[TASK_CS].limit, 0xffff);
	assert_int_equal(cpu.seg[TASK_DS].ar, 0xf3);
	assert_int_equal(cpu.seg[TASK_CS].ar, 0xf3);
}

static void test_memory_outside_ram(void **unused)
{
	struct task_fault f;

	set_gdt(SEL_NEW, desc(0xfff0, 0x67, 0x89, 0));
	assert_int_equal(run(SEL_NEW, TASK_JMP, &f), TASK_MEM_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_desc_decode),
		cmocka_unit_test_setup(test_call, setup),
		cmocka_unit_test_setup(test_new_eflags_reserved_bits, setup),
		cmocka_unit_test_setup(test_debug_trap_flag, setup),
		cmocka_unit_test_setup(test_iret_returns, setup),
		cmocka_unit_test_setup(test_jmp, setup),
		cmocka_unit_test_setup(test_gate_pushes_error_code, setup),
		cmocka_unit_test_setup(test_bad_new_tss, setup),
		cmocka_unit_test_setup(test_bad_new_state, setup),
		cmocka_unit_test_setup(test_bad_ss, setup),
		cmocka_unit_test_setup(test_ss_not_present, setup),
		cmocka_unit_test_setup(test_data_not_present_and_null, setup),
		cmocka_unit_test_setup(test_bad_ldt, setup),
		cmocka_unit_test_setup(test_accessed_bit_and_ldt_segment, setup),
		cmocka_unit_test_setup(test_paging_loads_cr3, setup),
		cmocka_unit_test_setup(test_error_codes_carry_ext, setup),
		cmocka_unit_test_setup(test_vm86_task, setup),
		cmocka_unit_test_setup(test_memory_outside_ram, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
