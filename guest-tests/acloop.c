// SPDX-License-Identifier: MIT
/*
 * A hostile guest: an alignment check (#AC) whose own delivery raises #AC
 * again, forever (CVE-2015-5307). CR0.AM and EFLAGS.AC are set at CPL 3 on a
 * misaligned stack, and the #AC gate points at a conforming code segment, so
 * delivery stays at CPL 3 and pushes onto that misaligned stack. Without a
 * hypervisor that intercepts #AC the core never leaves the loop; under Sable
 * the VM must be stopped with a clear message while the other VMs on this
 * core finish. If the CPU delivers the first #AC without faulting again, the
 * handler runs and the test says SKIP.
 */
#include "guest.h"

#define CR0_AM (1u << 18)
#define VEC_AC 17

static uint32_t user_stack[1024] __attribute__((aligned(16)));
volatile uint32_t ac_handled;

void ac_handler(void);
asm(".text\n"
    "ac_handler:\n\t"
    "movl $1, ac_handled\n\t"
    "int $0x30\n");

static void user_misaligned_push(void)
{
	asm volatile("pushfl\n\t"
	             "orl $0x40000, (%%esp)\n\t" /* EFLAGS.AC */
	             "popfl\n\t"
	             "subl $1, %%esp\n\t"
	             "pushl %%eax\n\t" /* #AC here, then during each delivery */
	             "addl $5, %%esp\n\t"
	             "pushfl\n\t"
	             "andl $~0x40000, (%%esp)\n\t"
	             "popfl\n\t"
	             :
	             :
	             : "memory", "cc");
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	(void)mbi;
	if (!under_sable()) {
		test_skip("ac-delivery-loop", "not running under Sable");
		tests_finish();
	}
	user_init();
	idt_set_gate(VEC_AC, ac_handler, GUEST_CONFORMING_CS, 0);
	write_cr0(read_cr0() | CR0_AM);
	info("provoking #AC during #AC delivery at CPL 3");
	serial_flush();
	user_run(user_misaligned_push, (uint32_t)&user_stack[ARRAY_SIZE(user_stack)]);
	write_cr0(read_cr0() & ~CR0_AM);
	if (ac_handled)
		test_skip("ac-delivery-loop", "the CPU delivered #AC without a recursive #AC");
	else
		test_fail("ac-delivery-loop", "no #AC at all from a misaligned push with AC set");
	tests_finish();
}
