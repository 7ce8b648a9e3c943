// SPDX-License-Identifier: MIT
/*
 * memory: memory isolation. After checking its own RAM works, the guest
 * writes far outside it; the hypervisor must stop the guest there. Reaching
 * the line after the write is the failure. Not meant to pass on bare QEMU.
 */
#include "guest.h"

#define OUTSIDE_ADDR 0xC0000000u /* 3 GiB: not RAM and no device on the pc machine */

/* Writes two patterns to the dword at addr, reads them back, restores it. */
static bool probe(uint32_t addr)
{
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)addr;
	uint32_t old = *p, a, b;

	*p = 0x5aa5c33cu ^ addr;
	a = *p;
	*p = ~(0x5aa5c33cu ^ addr);
	b = *p;
	*p = old;
	return CHECK(a == (0x5aa5c33cu ^ addr) && b == ~(0x5aa5c33cu ^ addr),
	             "RAM at 0x%08x reads back 0x%08x/0x%08x", addr, a, b);
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	volatile uint32_t *outside = (volatile uint32_t *)(uintptr_t)OUTSIDE_ADDR;
	uint32_t top;

	test_begin("memory-isolation-setup");
	if (CHECK(magic == MULTIBOOT_BOOTLOADER_MAGIC, "bad multiboot magic 0x%08x", magic) &&
	    CHECK(mbi->flags & MBI_FLAG_MEM, "no mem_upper (flags=0x%x)", mbi->flags) &&
	    CHECK(mbi->mem_upper >= 2048, "mem_upper=%u KiB, want >= 2048", mbi->mem_upper)) {
		top = 0x100000u + mbi->mem_upper * 1024u;
		info("RAM top 0x%08x (mem_upper=%u KiB)", top, mbi->mem_upper);
		probe(0x100000);
		probe(0x200000);
		probe(0x100000 + (top - 0x100000) / 2);
		probe(top - 0x1000);
		probe(top - 4);
	}
	if (!test_end())
		tests_finish();

	printf("GUEST touching 0x%08x outside its RAM\n", OUTSIDE_ADDR);
	*outside = 0xdeadbeef;
	test_fail("memory-isolation", "write outside RAM was not stopped");
	exit_qemu(1);
}
