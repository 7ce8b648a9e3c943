// SPDX-License-Identifier: MIT
/*
 * A hostile guest: debug exceptions (#DB) that recur forever without a guest
 * instruction completing (the class of CVE-2015-8104). First a data
 * breakpoint covers the #DB gate in the IDT, which every #DB delivery reads;
 * where delivery does not hit it (Bochs 2.7), an instruction breakpoint on
 * the #DB handler's first instruction does the same: delivery clears RF, so
 * the handler faults again before it starts. Under Sable the VM must be
 * stopped with a clear message while the other VMs on this core finish: a #DB
 * raised during its own delivery hits the hypervisor's loop bound; the
 * handler breakpoint raises a fresh #DB each time, which pushes a frame each
 * time until the stack runs out and the guest triple-faults, as on hardware.
 * Where neither recurs the test says SKIP (the bound is also a host unit test). A
 * breakpoint on a variable first checks that this CPU has data breakpoints
 * (SKIP if not) and that DR6 reports the hit (db-dr6-reflected).
 */
#include "guest.h"

#define VEC_DB     1
#define DR7_L0     (1u << 0)
#define DR7_RW0_RW (3u << 16) /* break on data reads and writes */
#define DR7_LEN0_4 (3u << 18)
#define DR7_EXEC0  0u /* RW0 = 00, LEN0 = 00: instruction breakpoint */
#define DR6_B0     (1u << 0)

extern uint64_t idt[];
volatile uint32_t db_count;
static volatile uint32_t probe;

void db_handler(void);
asm(".text\n"
    "db_handler:\n\t"
    "incl db_count\n\t"
    "pushl %eax\n\t"
    "xorl %eax, %eax\n\t"
    "movl %eax, %dr7\n\t" /* one hit is enough */
    "popl %eax\n\t"
    "iret\n");

void db_handler_trapped(void);
asm(".text\n"
    "db_handler_trapped:\n\t"
    "incl db_count\n\t"
    "iret\n");

static void arm(const volatile void *addr, uint32_t kind)
{
	asm volatile("movl %0, %%dr0\n\t"
	             "movl %1, %%dr7"
	             :
	             : "r"(addr), "r"(DR7_L0 | kind)
	             : "memory");
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	uint32_t dr6;

	(void)magic;
	(void)mbi;
	if (!under_sable()) {
		test_skip("db-delivery-loop", "not running under Sable");
		tests_finish();
	}
	idt_set_gate(VEC_DB, db_handler, GUEST_KERNEL_CS, 0);
	asm volatile("movl %0, %%dr6" : : "r"(0u));
	arm(&probe, DR7_RW0_RW | DR7_LEN0_4);
	probe = 1;
	asm volatile("movl %%dr6, %0" : "=r"(dr6));
	if (db_count != 1) {
		test_skip("db-delivery-loop", "this CPU has no data breakpoints");
		tests_finish();
	}
	if (dr6 & DR6_B0)
		test_pass("db-dr6-reflected");
	else
		test_fail("db-dr6-reflected", "DR6 = 0x%x after a DR0 hit, want B0", dr6);
	info("provoking #DB during #DB delivery (breakpoint on the IDT's #DB gate)");
	serial_flush();
	db_count = 0;
	arm(&idt[VEC_DB], DR7_RW0_RW | DR7_LEN0_4);
	(void)*(volatile uint64_t *)&idt[VEC_DB];
	info("the IDT breakpoint did not recur (%u #DB); now a breakpoint on the #DB handler",
	     db_count);
	serial_flush();
	idt_set_gate(VEC_DB, db_handler_trapped, GUEST_KERNEL_CS, 0);
	arm(db_handler_trapped, DR7_EXEC0);
	asm volatile("int1"); /* ICEBP: #DB, whose delivery reaches the breakpoint */
	asm volatile("movl %0, %%dr7" : : "r"(0u));
	info("the #DB handler ran %u time(s) despite its breakpoint", db_count);
	test_skip("db-delivery-loop",
	          "neither a breakpoint on the #DB gate nor one on the #DB handler recurs here");
	tests_finish();
}
