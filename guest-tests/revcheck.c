// SPDX-License-Identifier: MIT
/*
 * revcheck: guest-visible rules the hypervisor must follow when it reflects or
 * emulates an event, one TEST line each:
 *   real-mode-gp          RDMSR of an absent MSR in real mode: #GP through the IVT, no error
 *                         code (SDM Vol. 3A 20.1.4, Vol. 3C 26.2.1.3)
 *   task-eflags-reserved  JMP to a TSS whose EFLAGS image has reserved bits set: the new task
 *                         runs with them clear and bit 1 set (Vol. 3A 2.3, 8.3)
 *   tlb-after-cr0         a PTE changed without INVLPG is seen after an exiting MOV to CR0
 *                         that clears PG, and after an exiting MOV to CR4 that toggles PGE
 *                         (Vol. 3A 4.10.4.1); SKIP where an exit alone already drops the
 *                         stale translation (Bochs), since the check could not fail there
 *   db-sti-shadow         single-step over STI and over MOV SS: the #DB reaches the guest with
 *                         DR6.BS (Vol. 3B 18.3.1.4, Vol. 3C 26.3.1.5; Bochs 2.7 does not make
 *                         that VM-entry check, so there only the delivery is checked)
 *   watchpoint-loop-ok    a write breakpoint hit 500 times by one instruction in a loop: every
 *                         #DB is delivered and the loop ends (no delivery recursion here)
 *   ac-loop-ok            the same with #AC at CPL 3, fixed up by its handler 500 times
 *   db-gd                 DR7.GD, then MOV from DR0: #DB with DR6.BD, and DR7.GD already clear
 *                         in the handler (Vol. 3B 18.2.4)
 * A command line naming some of these runs only those (one per boot shows how each fails).
 */
#include "revcheck.h"

#define GDT_ENTRIES 10
#define CR0_NE      (1u << 5)
#define CR0_PG      (1u << 31)
#define CR4_PGE     (1u << 7)
#define CR4_PCE     (1u << 8)
#define DR6_B0      (1u << 0)
#define DR6_BD      (1u << 13)
#define DR6_BS      (1u << 14)
#define DR7_GD      (1u << 13)
#define DR7_FIXED   0x400u
#define DR7_L0_W4   ((1u << 0) | (1u << 16) | (3u << 18)) /* L0, R/W0 = write, LEN0 = 4 */
#define WP_HITS     500
#define AC_HITS     500
#define CR0_AM      (1u << 18)
#define EFLAGS_AC   (1u << 18)
#define PTE_P_RW    3u
#define TLB_VADDR   0x400000u /* mapped by page table 1 only */
/* Reserved EFLAGS bits 3, 5, 15 and 31:22, and bit 1 that must read 1 (Vol. 3A 2.3). */
#define EFLAGS_RESERVED_SET 0xffc08028u
#define EFLAGS_RESERVED_ALL 0xffc0802au

extern uint64_t gdt[], idt[];
static uint64_t rc_gdt[GDT_ENTRIES] __attribute__((aligned(8)));
static uint32_t tss2[26];
static uint8_t task2_stack[4096] __attribute__((aligned(16)));
static uint32_t pd[1024] __attribute__((aligned(4096))), pt0[1024] __attribute__((aligned(4096))),
	pt1[1024] __attribute__((aligned(4096))), page_a[1024] __attribute__((aligned(4096))),
	page_b[1024] __attribute__((aligned(4096)));
static const char *cmdline = "";

volatile uint32_t t2_runs, t2_flags, step_count, step_dr6, step_eip, wp_count, wp_dr6, gd_count,
	gd_dr6, gd_dr7, gd_eip, ac_count, ac_left;
volatile uint32_t wp_var;

void task2_entry(void), db_step_handler(void), wp_handler(void), gd_handler(void), ac_handler(void),
	ac_user(void);
extern char sti_after[], movss_after[], gd_insn[];

/* The second task: records its EFLAGS and jumps back to the main task (the TSS of user.c). */
asm(".text\n"
    ".globl task2_entry\n"
    "task2_entry:\n\t"
    "pushfl\n\t"
    "popl t2_flags\n\t"
    "incl t2_runs\n\t"
    "ljmp $0x28, $0\n\t"
    "jmp task2_entry\n");

/* #DB handlers. db_step_handler records DR6 and the return EIP and stops single-stepping;
 * wp_handler counts; gd_handler reads DR6 and DR7 (a fault again if DR7.GD were still set:
 * such a nested #DB only skips the 3-byte MOV DR) and skips the faulting MOV DR. */
asm(".text\n"
    ".globl db_step_handler\n"
    "db_step_handler:\n\t"
    "pushl %eax\n\t"
    "incl step_count\n\t"
    "movl %dr6, %eax\n\t"
    "movl %eax, step_dr6\n\t"
    "movl 4(%esp), %eax\n\t"
    "movl %eax, step_eip\n\t"
    "andl $~0x100, 12(%esp)\n\t"
    "xorl %eax, %eax\n\t"
    "movl %eax, %dr6\n\t"
    "popl %eax\n\t"
    "iret\n"
    ".globl wp_handler\n"
    "wp_handler:\n\t"
    "pushl %eax\n\t"
    "incl wp_count\n\t"
    "movl %dr6, %eax\n\t"
    "orl %eax, wp_dr6\n\t"
    "xorl %eax, %eax\n\t"
    "movl %eax, %dr6\n\t"
    "popl %eax\n\t"
    "iret\n"
    ".globl gd_handler\n"
    "gd_handler:\n\t"
    "pushl %eax\n\t"
    "incl gd_count\n\t"
    "cmpl $1, gd_count\n\t"
    "jne 1f\n\t"
    "movl 4(%esp), %eax\n\t"
    "movl %eax, gd_eip\n\t"
    "movl %dr6, %eax\n\t"
    "movl %eax, gd_dr6\n\t"
    "movl %dr7, %eax\n\t"
    "movl %eax, gd_dr7\n\t"
    "xorl %eax, %eax\n\t"
    "movl %eax, %dr6\n"
    "1:\n\t"
    "addl $3, 4(%esp)\n\t"
    "popl %eax\n\t"
    "iret\n");

/* ac_user (CPL 3, EFLAGS.AC and CR0.AM set) loads a misaligned dword AC_HITS times; ac_handler
 * counts each #AC, drops its error code and skips the 2-byte load. */
asm(".text\n"
    ".globl ac_user\n"
    "ac_user:\n\t"
    "movl $500, %ecx\n\t"
    "movl $ac_buf + 1, %esi\n"
    "1: movl (%esi), %eax\n\t"
    "decl %ecx\n\t"
    "jnz 1b\n\t"
    "ret\n"
    ".globl ac_handler\n"
    "ac_handler:\n\t"
    "incl ac_count\n\t"
    "movl %ecx, ac_left\n\t"
    "addl $2, 4(%esp)\n\t"
    "addl $4, %esp\n\t"
    "iret\n"
    ".data\n"
    ".balign 4\n"
    "ac_buf: .long 0, 0\n"
    ".text\n");
_Static_assert(AC_HITS == 500, "ac_user's loop count");

static bool selected(const char *name)
{
	size_t n = strlen(name), i;
	bool any = false;

	for (i = 0; cmdline[i]; i++) {
		if (!strncmp(&cmdline[i], name, n) && (cmdline[i + n] == ' ' || !cmdline[i + n]) &&
		    (i == 0 || cmdline[i - 1] == ' '))
			return true;
	}
	/* no check named at all: run every one */
	for (i = 0; cmdline[i]; i++)
		if (!strncmp(&cmdline[i], "real-mode-gp", 12) ||
		    !strncmp(&cmdline[i], "task-", 5) || !strncmp(&cmdline[i], "tlb-", 4) ||
		    !strncmp(&cmdline[i], "db-", 3) || !strncmp(&cmdline[i], "watchpoint-", 11) ||
		    !strncmp(&cmdline[i], "ac-", 3))
			any = true;
	return !any;
}

static void check_task_eflags(void)
{
	memset(tss2, 0, sizeof(tss2));
	tss2[8] = (uint32_t)(uintptr_t)task2_entry;         /* EIP */
	tss2[9] = EFLAGS_RESERVED_SET;                      /* EFLAGS, bit 1 clear too */
	tss2[14] = (uint32_t)(uintptr_t)&task2_stack[4096]; /* ESP */
	tss2[19] = GUEST_KERNEL_CS;                         /* CS */
	tss2[18] = tss2[20] = tss2[21] = tss2[22] = tss2[23] = GUEST_KERNEL_DS; /* ES SS DS FS GS */
	tss2[25] = 104u << 16; /* I/O map base: none */
	asm volatile("ljmp %0, $0" : : "i"(SEL_TASK2) : "memory");
	asm volatile("clts");
	test_begin("task-eflags-reserved");
	CHECK(t2_runs == 1, "the new task ran %u times", t2_runs);
	CHECK((t2_flags & EFLAGS_RESERVED_ALL) == 2,
	      "EFLAGS 0x%x in the new task (TSS image 0x%x): reserved bits not clear or bit 1 "
	      "clear",
	      t2_flags, EFLAGS_RESERVED_SET);
	test_end();
}

static uint32_t tlb_read(void)
{
	return *(volatile uint32_t *)low_ptr(TLB_VADDR);
}

/* Points TLB_VADDR at page without INVLPG. */
static void tlb_repoint(const uint32_t *page)
{
	*(volatile uint32_t *)&pt1[0] = (uint32_t)(uintptr_t)page | PTE_P_RW;
}

static void check_tlb_after_cr0(void)
{
	uint32_t cr0 = read_cr0(), cr4 = read_cr4(), direct, probe, seen, i;
	struct cpuid_regs r;
	bool pge;

	cpuid(1, 0, &r);
	pge = r.edx & (1u << 13);
	for (i = 0; i < 1024; i++)
		pt0[i] = (i << 12) | PTE_P_RW;
	pd[0] = (uint32_t)(uintptr_t)pt0 | PTE_P_RW;
	pd[1] = (uint32_t)(uintptr_t)pt1 | PTE_P_RW;
	page_a[0] = 0xaaaa0001;
	page_b[0] = 0xbbbb0002;
	pt1[0] = (uint32_t)(uintptr_t)page_a | PTE_P_RW;
	write_cr3((uint32_t)(uintptr_t)pd);
	write_cr0(cr0 | CR0_PG);
	(void)tlb_read(); /* the translation to page_a is now cached */
	tlb_repoint(page_b);
	direct = tlb_read(); /* no exit since the change: stale where the TLB caches */
	/* Control: two exiting writes that only toggle CR0.NE need no flush. */
	write_cr0((cr0 | CR0_PG) ^ CR0_NE);
	write_cr0(cr0 | CR0_PG);
	probe = tlb_read();
	/* The write that clears PG (NE toggled so that it exits) flushes the TLB. */
	write_cr0(cr0 ^ CR0_NE);
	write_cr0(cr0 | CR0_PG);
	seen = tlb_read();
	info("tlb-after-cr0: the page reads 0x%x right after the PTE change, 0x%x after NE-only "
	     "CR0 writes (0x%x = stale), 0x%x after PG 1->0->1",
	     direct, probe, page_a[0], seen);
	if (probe != page_a[0]) {
		write_cr0(cr0);
		test_skip("tlb-after-cr0",
		          "no stale translation survives an exit here: the check could not fail");
		return;
	}
	test_begin("tlb-after-cr0");
	CHECK(seen == page_b[0], "MOV to CR0 clearing PG: the page reads 0x%x, want 0x%x", seen,
	      page_b[0]);
	if (pge) {
		(void)tlb_read();
		tlb_repoint(page_a);
		/* PCE is shadowed, so toggling it with PGE makes the write exit. */
		write_cr4(cr4 ^ CR4_PGE ^ CR4_PCE);
		seen = tlb_read();
		write_cr4(cr4);
		CHECK(seen == page_a[0], "MOV to CR4 toggling PGE: the page reads 0x%x, want 0x%x",
		      seen, page_a[0]);
	} else {
		info("tlb-after-cr0: no CR4.PGE on this CPU, CR4 part left out");
	}
	write_cr0(cr0);
	test_end();
}

static void check_db_sti_shadow(void)
{
	idt_set_gate(1, db_step_handler, GUEST_KERNEL_CS, 0);
	step_count = 0;
	step_dr6 = 0;
	write_dr6(0);
	/* POPF sets TF: the trap follows the next instruction, STI, inside its shadow. */
	asm volatile("pushfl\n\t"
	             "orl $0x100, (%%esp)\n\t"
	             "popfl\n\t"
	             "sti\n"
	             ".globl sti_after\n"
	             "sti_after:\n\t"
	             "nop\n\t"
	             "cli\n\t" ::
	                     : "memory");
	test_begin("db-sti-shadow");
	CHECK(step_count == 1, "single-step over STI: %u #DB, want 1", step_count);
	CHECK(step_dr6 & DR6_BS, "single-step over STI: DR6 0x%x without BS", step_dr6);
	CHECK(step_eip == (uint32_t)(uintptr_t)sti_after,
	      "single-step over STI: #DB at 0x%x, want 0x%x", step_eip,
	      (uint32_t)(uintptr_t)sti_after);
	/* MOV SS holds the trap back for one more instruction (Vol. 3A 6.8.3). */
	step_count = 0;
	step_dr6 = 0;
	asm volatile("movw %%ss, %%ax\n\t"
	             "pushfl\n\t"
	             "orl $0x100, (%%esp)\n\t"
	             "popfl\n\t"
	             "movw %%ax, %%ss\n\t"
	             "nop\n"
	             ".globl movss_after\n"
	             "movss_after:\n\t"
	             "nop\n\t" ::
	                     : "eax", "memory");
	info("db-sti-shadow: MOV SS single-step #DB count %u at 0x%x (after the next instruction: "
	     "0x%x), DR6 0x%x",
	     step_count, step_eip, (uint32_t)(uintptr_t)movss_after, step_dr6);
	CHECK(step_count == 1, "single-step over MOV SS: %u #DB, want 1", step_count);
	CHECK(step_dr6 & DR6_BS, "single-step over MOV SS: DR6 0x%x without BS", step_dr6);
	CHECK(step_eip == (uint32_t)(uintptr_t)movss_after,
	      "single-step over MOV SS: #DB at 0x%x, want 0x%x", step_eip,
	      (uint32_t)(uintptr_t)movss_after);
	test_end();
}

static void check_watchpoint_loop(void)
{
	uint32_t left;

	idt_set_gate(1, wp_handler, GUEST_KERNEL_CS, 0);
	wp_count = 0;
	wp_dr6 = 0;
	write_dr6(0);
	write_dr0((uint32_t)(uintptr_t)&wp_var);
	write_dr7(DR7_FIXED | DR7_L0_W4);
	asm volatile("1: movl %%eax, wp_var\n\t"
	             "decl %%ecx\n\t"
	             "jnz 1b\n\t"
	             : "=c"(left)
	             : "0"(WP_HITS), "a"(0x5a5a5a5a)
	             : "memory");
	write_dr7(DR7_FIXED);
	test_begin("watchpoint-loop-ok");
	CHECK(left == 0, "loop stopped with %u iterations left", left);
	CHECK(wp_count == WP_HITS, "%u #DB for %u writes", wp_count, WP_HITS);
	CHECK(wp_dr6 & DR6_B0, "DR6 0x%x without B0", wp_dr6);
	test_end();
}

static void check_ac_loop(void)
{
	static uint8_t user_stack[4096] __attribute__((aligned(16)));
	uint32_t cr0 = read_cr0();

	idt_set_gate(17, ac_handler, GUEST_KERNEL_CS, 0);
	ac_count = 0;
	write_cr0(cr0 | CR0_AM);
	asm volatile("pushfl; orl %0, (%%esp); popfl" : : "i"(EFLAGS_AC) : "memory");
	user_run(ac_user, (uint32_t)(uintptr_t)&user_stack[sizeof(user_stack)]);
	asm volatile("pushfl; andl %0, (%%esp); popfl" : : "i"(~EFLAGS_AC) : "memory");
	write_cr0(cr0);
	test_begin("ac-loop-ok");
	CHECK(ac_count == AC_HITS, "%u #AC for %u misaligned loads at CPL 3 (last ECX %u)",
	      ac_count, AC_HITS, ac_left);
	test_end();
}

static void check_db_gd(void)
{
	uint32_t dr0;

	idt_set_gate(1, gd_handler, GUEST_KERNEL_CS, 0);
	gd_count = 0;
	write_dr6(0);
	write_dr7(DR7_FIXED | DR7_GD);
	asm volatile(".globl gd_insn\n"
	             "gd_insn:\n\t"
	             "movl %%dr0, %%eax\n\t"
	             : "=a"(dr0)::"memory");
	(void)dr0;
	test_begin("db-gd");
	CHECK(gd_count == 1, "%u #DB, want 1 (a DR access in the #DB handler faulted again)",
	      gd_count);
	CHECK(gd_eip == (uint32_t)(uintptr_t)gd_insn, "#DB at 0x%x, want the MOV DR at 0x%x",
	      gd_eip, (uint32_t)(uintptr_t)gd_insn);
	CHECK(gd_dr6 & DR6_BD, "DR6 0x%x in the handler without BD", gd_dr6);
	CHECK(!(gd_dr7 & DR7_GD), "DR7 0x%x in the handler: GD still set", gd_dr7);
	test_end();
	write_dr7(DR7_FIXED); /* faults (and is skipped) only if GD stayed set */
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} gdtr = {sizeof(rc_gdt) - 1, (uint32_t)(uintptr_t)rc_gdt};

	(void)magic;
	if (mbi->flags & MBI_FLAG_CMDLINE)
		cmdline = (const char *)(uintptr_t)mbi->cmdline;
	info("revcheck: command line \"%s\"", cmdline);
	/* The library's GDT (with user_init()'s TSS as the main task) plus a 16-bit code and
	 * data segment and a second TSS. */
	user_init();
	memcpy(rc_gdt, gdt, 7 * sizeof(uint64_t));
	rc_gdt[SEL_CODE16 / 8] = 0x00009b000000ffffull;
	rc_gdt[SEL_DATA16 / 8] = 0x000093000000ffffull;
	rc_gdt[SEL_TASK2 / 8] = 103 | ((uint64_t)((uintptr_t)tss2 & 0xffffff) << 16) |
	                        (0x89ull << 40) | ((uint64_t)((uintptr_t)tss2 >> 24) << 56);
	asm volatile("lgdt %0" : : "m"(gdtr) : "memory");

	if (selected("real-mode-gp"))
		revcheck_real_mode_gp();
	if (selected("task-eflags-reserved"))
		check_task_eflags();
	if (selected("tlb-after-cr0"))
		check_tlb_after_cr0();
	if (selected("db-sti-shadow"))
		check_db_sti_shadow();
	if (selected("watchpoint-loop-ok"))
		check_watchpoint_loop();
	if (selected("ac-loop-ok"))
		check_ac_loop();
	if (selected("db-gd"))
		check_db_gd();
	tests_finish();
}
