// SPDX-License-Identifier: MIT
/*
 * Measures the share of its core this guest gets: it reads the TSC in a tight
 * loop for a fixed window of TSC time; a small step between two reads is time
 * it ran, a step over GAP_TICKS is time another vCPU had the core. Prints
 * `INFO share=<permille> ran=<ticks> window=<ticks> gaps=<n>`, keeps running as
 * before for a tail (so that guests beside it that started later still
 * measure a shared core), then exits with status 0.
 * Command line: `exits` reads the TSC around a CPUID (an exit each time);
 * `window=N` (default 30000000 ticks, 3 s at Bochs' 10 MHz), `tail=N` (default
 * window / 8); `halt` prints a line and executes `cli; hlt` instead: nothing
 * can wake it, so the hypervisor must stop the VM (and only that VM).
 */
#include "guest.h"

#define GAP_TICKS 20000 /* well above an exit, well below a time slice */

static uint64_t arg(const char *p, const char *key, uint64_t dflt)
{
	size_t n = strlen(key);
	uint64_t v = 0;

	for (; *p; p++)
		if (!strncmp(p, key, n)) {
			for (p += n; *p >= '0' && *p <= '9'; p++)
				v = v * 10 + (uint64_t)(*p - '0');
			return v;
		}
	return dflt;
}

static bool has_word(const char *p, const char *w)
{
	size_t n = strlen(w);

	for (; *p; p++)
		if (!strncmp(p, w, n))
			return true;
	return false;
}

/* Runs for `ticks` of TSC time; returns the ticks this guest ran. */
static uint64_t measure(uint64_t ticks, bool exits, uint32_t *gaps)
{
	uint64_t t0 = rdtsc(), prev = t0, now, ran = 0;
	struct cpuid_regs r;

	*gaps = 0;
	do {
		if (exits)
			cpuid(0, 0, &r);
		now = rdtsc();
		if (now - prev < GAP_TICKS)
			ran += now - prev;
		else
			(*gaps)++;
		prev = now;
	} while (now - t0 < ticks);
	return ran;
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cmd = (mbi->flags & MBI_FLAG_CMDLINE) ? (const char *)mbi->cmdline : "";
	uint64_t window = arg(cmd, "window=", 30000000), tail = arg(cmd, "tail=", window / 8);
	bool exits = has_word(cmd, "exits");
	uint32_t gaps, tail_gaps;
	uint64_t ran;

	(void)magic;
	if (has_word(cmd, "halt")) {
		info("cli; hlt with no way to wake up");
		serial_flush();
		asm volatile("cli; hlt");
		test_fail("fairness-halt", "woke up from cli; hlt");
		tests_finish();
	}
	ran = measure(window, exits, &gaps);
	info("share=%llu ran=%llu window=%llu gaps=%u%s", ran * 1000 / window, ran, window, gaps,
	     exits ? " exits" : "");
	measure(tail, exits, &tail_gaps);
	test_pass("fairness-measured");
	tests_finish();
}
