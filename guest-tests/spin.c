// SPDX-License-Identifier: MIT
/*
 * Runs with interrupts enabled (EFLAGS.IF = 1) for a fixed number of TSC
 * ticks (command line "ticks=N", default 15000000, 1.5 s at Bochs' 10 MHz) while the host sends
 * NMIs and interrupts to its core (selftest=events). Sable injects no
 * interrupt into guests, so IF = 1 must be harmless: any vector that did
 * reach this guest would fault on its 32-entry IDT and fail the run.
 * TEST spin-through-host-events PASS says the guest ran to its end.
 */
#include "guest.h"

static uint64_t parse_ticks(const struct multiboot_info *mbi)
{
	const char *p = (mbi->flags & MBI_FLAG_CMDLINE) ? (const char *)mbi->cmdline : "";
	uint64_t n = 0;

	for (; *p; p++)
		if (!strncmp(p, "ticks=", 6)) {
			for (p += 6; *p >= '0' && *p <= '9'; p++)
				n = n * 10 + (uint64_t)(*p - '0');
			return n;
		}
	return 15000000;
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	uint64_t ticks = parse_ticks(mbi), t0;
	uint32_t loops = 0;

	(void)magic;
	asm volatile("sti");
	t0 = rdtsc();
	while (rdtsc() - t0 < ticks)
		loops++;
	asm volatile("cli");
	info("spun %llu TSC ticks with interrupts enabled (%u loops)", ticks, loops);
	test_pass("spin-through-host-events");
	tests_finish();
}
