// SPDX-License-Identifier: MIT
/*
 * exits: leaves the VM through the way its command line names: "word" writes
 * 0x102 as a 16-bit value to the exit device (status (0x102 << 1) | 1 = 517),
 * "shutdown" writes the string "Shutdown" to port 0x8900. The hypervisor's stop
 * line is the test; if the guest is still running afterwards it reports FAIL.
 */
#include "guest.h"

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	static const char word[] = "Shutdown";
	const char *cmdline = "";

	if (magic == MULTIBOOT_BOOTLOADER_MAGIC && (mbi->flags & MBI_FLAG_CMDLINE))
		cmdline = (const char *)(uintptr_t)mbi->cmdline;
	if (strncmp(cmdline, "shutdown", 8) == 0) {
		puts("GUEST leaving through port 0x8900");
		serial_flush();
		for (const char *p = word; *p; p++)
			outb(0x8900, (uint8_t)*p);
	} else {
		puts("GUEST leaving through a 16-bit write to port 0xf4");
		serial_flush();
		outw(0xf4, 0x102);
	}
	test_fail("exits", "still running after the exit request (cmdline \"%s\")", cmdline);
	tests_finish();
}
