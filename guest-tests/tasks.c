// SPDX-License-Identifier: MIT
/*
 * tasks: hardware task switches with 32-bit TSSs, which always exit under VMX and which
 * the hypervisor emulates. CALL to a TSS and IRET back (NT, back link, busy bits, the old
 * task's registers saved, the new task's loaded, LDTR, CR0.TS), JMP to a TSS and through
 * a task gate and back, INT 4 through an IDT task gate, a #DF task gate reached by a real
 * double fault (error code pushed on the #DF task's stack), and the faults of bad TSSs:
 * #TS for a short limit, #NP for a not-present TSS, #GP for a busy or a 16-bit one, and a
 * #TS raised in the new task for a bad LDT selector, taken by a #TS task gate.
 */
#include "guest.h"

#define SEL_MAIN     0x18
#define SEL_B        0x20 /* CALL/IRET, INT 4 */
#define SEL_C        0x28 /* JMP */
#define SEL_DF       0x30
#define SEL_SHORT    0x38 /* limit 0x40: #TS */
#define SEL_ABSENT   0x40 /* P = 0: #NP */
#define SEL_TSS16    0x48 /* 16-bit TSS: refused, #GP */
#define SEL_GATE_C   0x50 /* task gate to SEL_C */
#define SEL_LDT      0x58
#define SEL_E        0x60 /* its LDT field names a data segment: #TS in the new task */
#define SEL_TS       0x68 /* #TS handler task */
#define SEL_NOPAGE   0x70 /* a TSS on a page that is not mapped */
#define SEL_DF2      0x78 /* #DF task of the page-fault test */
#define SEL_LDT_DATA 0x04 /* LDT entry 0, TI = 1 */
#define CR0_PG       (1u << 31)
#define NT           (1u << 14)
#define CR0_TS       (1u << 3)
#define TSS_WORDS    26

enum {
	T_LINK = 0,
	T_ESP0 = 1,
	T_SS0 = 2,
	T_CR3 = 7,
	T_EIP = 8,
	T_EFLAGS = 9,
	T_EAX = 10,
	T_ECX,
	T_EDX,
	T_EBX,
	T_ESP,
	T_EBP,
	T_ESI,
	T_EDI,
	T_ES,
	T_CS,
	T_SS,
	T_DS,
	T_FS,
	T_GS,
	T_LDT,
	T_IOMAP
};

static uint64_t gdt[16] __attribute__((aligned(8)));
static uint64_t ldt[1] __attribute__((aligned(8))) = {0x00CF93000000FFFFull};
static uint32_t tss_main[TSS_WORDS], tss_b[TSS_WORDS], tss_c[TSS_WORDS], tss_df[TSS_WORDS],
	tss_e[TSS_WORDS], tss_ts[TSS_WORDS], tss_bad[TSS_WORDS];
static uint8_t stack_b[4096] __attribute__((aligned(16))),
	stack_c[4096] __attribute__((aligned(16))), stack_df[4096] __attribute__((aligned(16))),
	stack_e[4096] __attribute__((aligned(16))), stack_ts[4096] __attribute__((aligned(16)));

/* What the tasks saw, filled in by their bodies. */
static volatile uint32_t b_eax, b_runs, b_tr, b_ldtr, b_flags, b_link, b_main_type, b_fs_ok,
	b_saved_eip, b_saved_ebx, b_saved_esi, c_runs, c_flags, c_tr, c_main_type, df_error,
	df_flags, df_link, df_runs, df_esp, ts_runs, ts_error, ts_link, ts_esp;
static uint64_t idt_saved13;
/* 32-bit page tables for 0-8 MiB, and a TSS alone in a page they leave out. */
static uint32_t pd[1024] __attribute__((aligned(4096))), pt[2][1024] __attribute__((aligned(4096)));
static uint32_t tss_nopage[1024] __attribute__((aligned(4096)));
static uint32_t tss_df2[TSS_WORDS];
static uint8_t stack_df2[4096] __attribute__((aligned(16)));
static volatile uint32_t df2_runs, df2_error;
static uint64_t *idt;

void task_b_entry(void), task_c_entry(void), task_df_entry(void), task_df2_entry(void),
	task_e_entry(void), task_e_fixup(void), task_ts_entry(void), after_call(void),
	df_resume(void);
void task_b_body(void), task_c_body(void), task_df_body(uint32_t *frame),
	task_df2_body(uint32_t *frame), task_ts_body(uint32_t *frame);

static uint64_t tss_desc(const void *base, uint32_t limit, unsigned type, bool present)
{
	uint32_t b = (uint32_t)(uintptr_t)base;

	return (limit & 0xffff) | ((uint64_t)(b & 0xffffff) << 16) | ((uint64_t)type << 40) |
	       ((uint64_t)present << 47) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)(b >> 24) << 56);
}

static uint64_t task_gate(uint16_t sel)
{
	return ((uint64_t)sel << 16) | (0x85ull << 40);
}

static unsigned desc_type(uint16_t sel)
{
	return (gdt[sel >> 3] >> 40) & 0xf;
}

static void init_task(uint32_t *t, void (*entry)(void), uint8_t *stack, uint16_t ldt_sel)
{
	memset(t, 0, TSS_WORDS * 4);
	t[T_EIP] = (uint32_t)(uintptr_t)entry;
	t[T_EFLAGS] = 2;
	t[T_ESP] = (uint32_t)(uintptr_t)(stack + 4096);
	t[T_CS] = 0x08;
	t[T_SS] = t[T_DS] = t[T_ES] = t[T_FS] = t[T_GS] = 0x10;
	t[T_LDT] = ldt_sel;
	t[T_IOMAP] = 104u << 16;
}

/* Task bodies, in assembly so that each task loops: run body, return, run again. */
asm(".text\n"
    ".globl task_b_entry\n"
    "task_b_entry:\n"
    "1: mov %eax, b_eax\n\t"
    "call task_b_body\n\t"
    "iret\n\t"
    "jmp 1b\n"
    ".globl task_c_entry\n"
    "task_c_entry:\n"
    "1: call task_c_body\n\t"
    "ljmp $0x18, $0\n\t"
    "jmp 1b\n"
    ".globl task_df_entry\n"
    "task_df_entry:\n"
    "1: push %esp\n\t"
    "call task_df_body\n\t"
    "add $8, %esp\n\t" /* the argument and the error code */
    "iret\n\t"
    "jmp 1b\n"
    ".globl task_ts_entry\n"
    "task_ts_entry:\n"
    "1: push %esp\n\t"
    "call task_ts_body\n\t"
    "add $8, %esp\n\t"
    "iret\n\t"
    "jmp 1b\n"
    ".globl task_df2_entry\n"
    "task_df2_entry:\n"
    "1: push %esp\n\t"
    "call task_df2_body\n\t"
    "add $8, %esp\n\t"
    "iret\n\t"
    "jmp 1b\n"
    ".globl task_e_entry\n"
    "task_e_entry:\n\t"
    "ud2\n" /* never runs: its first switch-in faults */
    ".globl task_e_fixup\n"
    "task_e_fixup:\n\t"
    "iret\n\t"
    "jmp task_e_fixup\n");

static uint32_t read_eflags(void)
{
	uint32_t f;

	asm volatile("pushf; pop %0" : "=r"(f));
	return f;
}

static uint16_t str(void)
{
	uint16_t s;

	asm volatile("str %0" : "=r"(s));
	return s;
}

void task_b_body(void)
{
	uint16_t l;
	uint32_t v = 0;

	b_runs++;
	b_tr = str();
	asm volatile("sldt %0" : "=r"(l));
	b_ldtr = l;
	b_flags = read_eflags();
	b_link = tss_b[T_LINK] & 0xffff;
	b_main_type = desc_type(SEL_MAIN);
	b_saved_eip = tss_main[T_EIP];
	b_saved_ebx = tss_main[T_EBX];
	b_saved_esi = tss_main[T_ESI];
	/* a data segment from the task's LDT */
	asm volatile("mov %1, %%fs; mov %%fs:(%2), %0; mov %3, %%fs"
	             : "=r"(v)
	             : "r"(SEL_LDT_DATA), "r"(&b_eax), "r"(0x10)
	             : "memory");
	b_fs_ok = v == b_eax;
}

void task_c_body(void)
{
	c_runs++;
	c_flags = read_eflags();
	c_tr = str();
	c_main_type = desc_type(SEL_MAIN);
}

void task_df_body(uint32_t *frame)
{
	df_runs++;
	df_esp = (uint32_t)(uintptr_t)frame;
	df_error = frame[0]; /* frame: the stack as the task began, error code on top */
	df_flags = read_eflags();
	df_link = tss_df[T_LINK] & 0xffff;
	idt[13] = idt_saved13;
	tss_main[T_EIP] = (uint32_t)(uintptr_t)df_resume; /* past the faulting instruction */
}

/* The #TS task: the faulting task E cannot run as it is, so its TSS is repaired (no LDT)
 * and it resumes at a point that returns to its caller. */
void task_ts_body(uint32_t *frame)
{
	ts_runs++;
	ts_esp = (uint32_t)(uintptr_t)frame;
	ts_error = frame[0];
	ts_link = tss_ts[T_LINK] & 0xffff;
	tss_e[T_LDT] = 0;
	tss_e[T_EIP] = (uint32_t)(uintptr_t)task_e_fixup;
}

static void clts(void)
{
	asm volatile("clts");
}

static void test_call_iret(void)
{
	uint32_t ebx, esi, cr0;

	test_begin("tasks-call-iret");
	asm volatile("mov $0x11111111, %%ebx\n\t"
	             "mov $0x22222222, %%esi\n\t"
	             "lcall $0x20, $0\n"
	             ".globl after_call\n"
	             "after_call:\n\t"
	             "mov %%ebx, %0\n\t"
	             "mov %%esi, %1\n\t"
	             : "=r"(ebx), "=r"(esi)
	             :
	             : "ebx", "esi", "memory");
	cr0 = read_cr0();
	clts();
	CHECK(b_runs == 1, "task B ran %u times", b_runs);
	CHECK(b_eax == 0xb0b0b0b0, "task B's EAX 0x%x, want its TSS value", b_eax);
	CHECK(b_tr == SEL_B, "TR in task B 0x%x", b_tr);
	CHECK(b_ldtr == SEL_LDT, "LDTR in task B 0x%x", b_ldtr);
	CHECK(b_fs_ok, "LDT data segment not usable in task B");
	CHECK(b_flags & NT, "NT clear in the called task (EFLAGS 0x%x)", b_flags);
	CHECK(b_link == SEL_MAIN, "back link 0x%x", b_link);
	CHECK(b_main_type == 11, "main TSS type %u during the call, want busy (11)", b_main_type);
	CHECK(b_saved_eip == (uint32_t)(uintptr_t)after_call, "saved EIP 0x%x, want 0x%x",
	      b_saved_eip, (uint32_t)(uintptr_t)after_call);
	CHECK(b_saved_ebx == 0x11111111 && b_saved_esi == 0x22222222, "saved EBX 0x%x ESI 0x%x",
	      b_saved_ebx, b_saved_esi);
	CHECK(ebx == 0x11111111 && esi == 0x22222222, "EBX 0x%x ESI 0x%x after IRET", ebx, esi);
	CHECK(str() == SEL_MAIN, "TR 0x%x after IRET", str());
	CHECK(desc_type(SEL_B) == 9, "task B type %u after IRET, want available (9)",
	      desc_type(SEL_B));
	CHECK(!(read_eflags() & NT), "NT set after IRET");
	CHECK(cr0 & CR0_TS, "CR0.TS not set by the task switch");
	test_end();
}

static void test_jmp(const char *name, bool gate)
{
	uint32_t before = c_runs;

	test_begin(name);
	if (gate)
		asm volatile("ljmp $0x50, $0" ::: "memory");
	else
		asm volatile("ljmp $0x28, $0" ::: "memory");
	clts();
	CHECK(c_runs == before + 1, "task C ran %u times", c_runs - before);
	CHECK(!(c_flags & NT), "NT set by a JMP (EFLAGS 0x%x)", c_flags);
	CHECK(c_tr == SEL_C, "TR in task C 0x%x", c_tr);
	CHECK(c_main_type == 9, "main TSS type %u during the JMP, want available (9)", c_main_type);
	CHECK(desc_type(SEL_C) == 9 && desc_type(SEL_MAIN) == 11, "types C %u main %u",
	      desc_type(SEL_C), desc_type(SEL_MAIN));
	CHECK(str() == SEL_MAIN, "TR 0x%x after the JMP back", str());
	test_end();
}

static void test_int_gate(void)
{
	uint32_t before = b_runs;

	test_begin("tasks-int-gate");
	idt[4] = task_gate(SEL_B);
	asm volatile("int $4" ::: "memory");
	clts();
	CHECK(b_runs == before + 1, "task B ran %u times", b_runs - before);
	CHECK(b_flags & NT, "NT clear in the interrupt task");
	CHECK(b_link == SEL_MAIN, "back link 0x%x", b_link);
	CHECK(str() == SEL_MAIN && desc_type(SEL_B) == 9, "TR 0x%x, B type %u", str(),
	      desc_type(SEL_B));
	test_end();
}

/* #GP whose IDT entry is not present: #NP while delivering it, so #DF, which has a task
 * gate. */
static void test_double_fault(void)
{
	test_begin("tasks-df-gate");
	idt[8] = task_gate(SEL_DF);
	idt_saved13 = idt[13];
	idt[13] &= ~(1ull << 47);
	asm volatile("mov $0x7f8, %%eax\n\t"
	             "mov %%ax, %%ds\n" /* beyond the GDT limit: #GP */
	             ".globl df_resume\n"
	             "df_resume:\n\t"
	             "mov $0x10, %%eax\n\t"
	             "mov %%ax, %%ds\n\t"
	             :
	             :
	             : "eax", "memory");
	clts();
	CHECK(df_runs == 1, "#DF task ran %u times", df_runs);
	CHECK(df_esp == (uint32_t)(uintptr_t)(stack_df + 4096 - 4), "#DF task began with ESP 0x%x",
	      df_esp);
	CHECK(df_error == 0, "#DF error code 0x%x", df_error);
	CHECK(df_flags & NT, "NT clear in the #DF task");
	CHECK(df_link == SEL_MAIN, "back link 0x%x", df_link);
	CHECK(str() == SEL_MAIN && desc_type(SEL_DF) == 9, "TR 0x%x, #DF TSS type %u", str(),
	      desc_type(SEL_DF));
	test_end();
}

void task_df2_body(uint32_t *frame)
{
	extern char pf_resume[];

	df2_runs++;
	df2_error = frame[0];
	tss_main[T_EIP] = (uint32_t)(uintptr_t)pf_resume; /* past the faulting load */
}

/* A #PF whose IDT entry is a task gate to a TSS on a page that is not mapped: the
 * #PF on reading that TSS comes before the switch takes effect, during the #PF's
 * delivery, so it is a #DF (SDM Vol. 3A 6.15 table 6-5), delivered here through
 * a #DF task gate. */
static void test_pf_on_tss(void)
{
	uint32_t cr0 = read_cr0(), nopage = (uint32_t)(uintptr_t)tss_nopage >> 12;
	uint64_t saved8 = idt[8], saved14 = idt[14];

	test_begin("tasks-pf-on-tss-df");
	for (uint32_t i = 0; i < 2048; i++)
		pt[i / 1024][i % 1024] = (i << 12) | 3;
	pt[nopage / 1024][nopage % 1024] = 0;
	pd[0] = (uint32_t)(uintptr_t)pt[0] | 3;
	pd[1] = (uint32_t)(uintptr_t)pt[1] | 3;
	init_task(tss_df2, task_df2_entry, stack_df2, 0);
	/* a switch with paging on loads CR3 from the new TSS, the way back too */
	tss_df2[T_CR3] = tss_main[T_CR3] = (uint32_t)(uintptr_t)pd;
	idt[14] = task_gate(SEL_NOPAGE);
	idt[8] = task_gate(SEL_DF2);
	write_cr3((uint32_t)(uintptr_t)pd);
	write_cr0(cr0 | CR0_PG);
	asm volatile("movl 0x900000, %%eax\n" /* above the map: #PF */
	             ".globl pf_resume\n"
	             "pf_resume:\n\t" ::
	                     : "eax", "memory");
	write_cr0(cr0);
	idt[8] = saved8;
	idt[14] = saved14;
	tss_main[T_CR3] = 0;
	clts();
	CHECK(df2_runs == 1, "#DF task ran %u times", df2_runs);
	CHECK(df2_error == 0, "#DF error code 0x%x", df2_error);
	CHECK(str() == SEL_MAIN && desc_type(SEL_NOPAGE) == 9, "TR 0x%x, unmapped TSS type %u",
	      str(), desc_type(SEL_NOPAGE));
	test_end();
}

/* A #DB handler that records DR6 and resets it. */
static volatile uint32_t db_t_count, db_t_dr6;
void db_t_handler(void);
asm(".text\n"
    ".globl db_t_handler\n"
    "db_t_handler:\n\t"
    "push %eax\n\t"
    "mov %dr6, %eax\n\t"
    "mov %eax, db_t_dr6\n\t"
    "incl db_t_count\n\t"
    "mov $0xffff0ff0, %eax\n\t"
    "mov %eax, %dr6\n\t"
    "pop %eax\n\t"
    "iret\n");

/* A task switch clears DR7's local enables L0-L3 and keeps the global ones (SDM
 * Vol. 3B 18.2.4); a TSS whose T flag is set raises #DB with DR6.BT once the switch
 * is done (Vol. 3A 8.2.1). The breakpoints point at addresses nothing fetches. */
static void test_debug_state(void)
{
	uint32_t before = c_runs, dr7;
	uint64_t saved_db = idt[1];

	test_begin("tasks-dr7-local-cleared");
	write_dr0(0xfff000);
	write_dr1(0xfff010);
	write_dr7(0x400 | 0x1 | 0x8); /* L0, G1: instruction breakpoints */
	asm volatile("ljmp $0x28, $0" ::: "memory");
	clts();
	dr7 = read_dr7();
	write_dr7(0x400);
	CHECK(c_runs == before + 1, "task C ran %u times", c_runs - before);
	CHECK(!(dr7 & 0x1), "DR7 0x%x: L0 survived the task switch", dr7);
	CHECK(dr7 & 0x8, "DR7 0x%x: G1 lost in the task switch", dr7);
	test_end();

	if (!under_sable()) { /* the reference runs bare under QEMU TCG, which ignores T */
		test_skip("tasks-tss-t-flag", "QEMU TCG does not raise the T-flag #DB");
		return;
	}
	test_begin("tasks-tss-t-flag");
	idt_set_gate(1, db_t_handler, GUEST_KERNEL_CS, 0);
	tss_c[T_IOMAP] |= 1; /* the T flag, bit 0 of the word at byte 100 */
	asm volatile("ljmp $0x28, $0" ::: "memory");
	clts();
	tss_c[T_IOMAP] &= ~1u;
	idt[1] = saved_db;
	CHECK(db_t_count == 1, "%u #DB after switching to a TSS with T set, want 1", db_t_count);
	CHECK(db_t_dr6 & (1u << 15), "DR6 0x%x without BT", db_t_dr6);
	test_end();
}

static int jmp_fault(uint16_t sel)
{
	fault_arm();
	switch (sel) {
	case SEL_SHORT:
		asm volatile("1: ljmp $0x38, $0\n2:\n\t" EXTABLE(1b, 2b)::: "memory");
		break;
	case SEL_ABSENT:
		asm volatile("1: ljmp $0x40, $0\n2:\n\t" EXTABLE(1b, 2b)::: "memory");
		break;
	case SEL_TSS16:
		asm volatile("1: ljmp $0x48, $0\n2:\n\t" EXTABLE(1b, 2b)::: "memory");
		break;
	case SEL_MAIN:
		asm volatile("1: ljmp $0x18, $0\n2:\n\t" EXTABLE(1b, 2b)::: "memory");
		break;
	}
	return fault_vector;
}

static void expect_fault(const char *name, uint16_t sel, int vector)
{
	int v = jmp_fault(sel);

	test_begin(name);
	CHECK(v == vector && fault_error == sel, "JMP to 0x%x: vector %d error 0x%x, want %d/0x%x",
	      sel, v, fault_error, vector, sel);
	CHECK(str() == SEL_MAIN && desc_type(SEL_MAIN) == 11, "TR 0x%x main type %u", str(),
	      desc_type(SEL_MAIN));
	test_end();
}

/* A bad LDT selector in the new TSS: #TS(selector) raised in the new task, after the
 * switch, and taken through a task gate as the SDM advises for #TS. */
static void test_fault_in_new_task(void)
{
	uint64_t saved10 = idt[10];

	test_begin("tasks-new-task-ts");
	idt[10] = task_gate(SEL_TS);
	asm volatile("lcall $0x60, $0" ::: "memory");
	idt[10] = saved10;
	clts();
	CHECK(ts_runs == 1, "#TS task ran %u times", ts_runs);
	CHECK(ts_esp == (uint32_t)(uintptr_t)(stack_ts + 4096 - 4), "#TS task began with ESP 0x%x",
	      ts_esp);
	CHECK(ts_error == 0x10, "#TS error code 0x%x, want 0x10", ts_error);
	CHECK(ts_link == SEL_E, "#TS task's back link 0x%x, want task E", ts_link);
	CHECK(str() == SEL_MAIN && desc_type(SEL_E) == 9 && desc_type(SEL_TS) == 9,
	      "TR 0x%x, E type %u, #TS task type %u", str(), desc_type(SEL_E), desc_type(SEL_TS));
	test_end();
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} gdtr = {sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt}, idtr;

	(void)magic;
	(void)mbi;
	gdt[1] = 0x00CF9B000000FFFFull;
	gdt[2] = 0x00CF93000000FFFFull;
	gdt[SEL_MAIN >> 3] = tss_desc(tss_main, 103, 9, true);
	gdt[SEL_B >> 3] = tss_desc(tss_b, 103, 9, true);
	gdt[SEL_C >> 3] = tss_desc(tss_c, 103, 9, true);
	gdt[SEL_DF >> 3] = tss_desc(tss_df, 103, 9, true);
	gdt[SEL_SHORT >> 3] = tss_desc(tss_bad, 0x40, 9, true);
	gdt[SEL_ABSENT >> 3] = tss_desc(tss_bad, 103, 9, false);
	gdt[SEL_TSS16 >> 3] = tss_desc(tss_bad, 103, 1, true);
	gdt[SEL_GATE_C >> 3] = task_gate(SEL_C);
	gdt[SEL_LDT >> 3] = tss_desc(ldt, sizeof(ldt) - 1, 2, true);
	gdt[SEL_E >> 3] = tss_desc(tss_e, 103, 9, true);
	gdt[SEL_TS >> 3] = tss_desc(tss_ts, 103, 9, true);
	gdt[SEL_NOPAGE >> 3] = tss_desc(tss_nopage, 103, 9, true);
	gdt[SEL_DF2 >> 3] = tss_desc(tss_df2, 103, 9, true);
	init_task(tss_b, task_b_entry, stack_b, SEL_LDT);
	tss_b[T_EAX] = 0xb0b0b0b0;
	init_task(tss_c, task_c_entry, stack_c, 0);
	init_task(tss_df, task_df_entry, stack_df, 0);
	init_task(tss_e, task_e_entry, stack_e, 0x10);
	init_task(tss_ts, task_ts_entry, stack_ts, 0);
	asm volatile("lgdt %0; ltr %w1" : : "m"(gdtr), "r"(SEL_MAIN) : "memory");
	asm volatile("sidt %0" : "=m"(idtr));
	idt = (uint64_t *)(uintptr_t)idtr.base;

	test_call_iret();
	test_jmp("tasks-jmp", false);
	test_jmp("tasks-jmp-gate", true);
	test_int_gate();
	test_double_fault();
	test_debug_state();
	test_pf_on_tss();
	expect_fault("tasks-short-tss-ts", SEL_SHORT, 10);
	expect_fault("tasks-absent-tss-np", SEL_ABSENT, 11);
	if (under_sable()) /* a CPU runs the 16-bit TSS; Sable refuses it */
		expect_fault("tasks-tss16-gp", SEL_TSS16, 13);
	else
		test_skip("tasks-tss16-gp", "16-bit TSSs are refused by Sable only");
	expect_fault("tasks-busy-tss-gp", SEL_MAIN, 13);
	test_fault_in_new_task();
	tests_finish();
}
