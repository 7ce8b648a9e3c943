// SPDX-License-Identifier: MIT
/*
 * triple: forces a triple fault (empty IDT, then INT3). The hypervisor must
 * stop the guest; reaching the line after it is the failure.
 */
#include "guest.h"

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty_idt = {0, 0};

	(void)magic;
	(void)mbi;

	puts("GUEST about to triple fault");
	/* INT3 -> #GP (vector beyond the IDT limit) -> #DF -> triple fault. */
	asm volatile("lidt %0\n\tint3" : : "m"(empty_idt) : "memory");
	test_fail("triple-fault", "still running");
	exit_qemu(1);
}
