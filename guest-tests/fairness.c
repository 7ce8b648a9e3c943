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
 * window / 8), `gap=N` (the step that counts as descheduled, default 20000);
 * `halt` prints a line and executes `cli; hlt` instead: nothing can wake it,
 * so the hypervisor must stop the VM (and only that VM); `sleep` spends the
 * window in `sti; hlt`, woken every SLEEP_EVERY ticks by its LAPIC timer
 * (TSC-deadline mode, else one-shot), and prints `INFO sleeper wakeups=<n>`.
 */
#include "guest.h"
#include "apic.h"

#define GAP_TICKS   20000 /* default: well above an exit, well below a time slice */
#define SLEEP_VEC   0x40
#define SLEEP_EVERY 3000000 /* TSC ticks between the sleeper's timer interrupts */

static uint64_t gap_ticks = GAP_TICKS;

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
		if (now - prev < gap_ticks)
			ran += now - prev;
		else
			(*gaps)++;
		prev = now;
	} while (now - t0 < ticks);
	return ran;
}

static void on_timer(uint8_t vector)
{
	(void)vector;
	apic_eoi();
}

/* `sleep`: blocked but for a timer interrupt now and then. */
static void sleep_window(uint64_t window)
{
	uint64_t t0 = rdtsc(), next = t0;
	bool dl = apic_tsc_deadline_offered();

	apic_enable();
	irq_set_handler(SLEEP_VEC, on_timer);
	while (rdtsc() - t0 < window) {
		uint32_t seen = irq_count[SLEEP_VEC];

		next += SLEEP_EVERY;
		if (dl)
			apic_timer_tsc_deadline(SLEEP_VEC, next);
		else
			apic_timer_oneshot(SLEEP_VEC, SLEEP_EVERY, 0xb);
		while (irq_count[SLEEP_VEC] == seen)
			sti_hlt();
	}
	info("sleeper wakeups=%u (%s)", irq_count[SLEEP_VEC], dl ? "TSC deadline" : "one-shot");
	if (irq_count[SLEEP_VEC] >= window / SLEEP_EVERY - 1)
		test_pass("fairness-sleeper");
	else
		test_fail("fairness-sleeper", "%u wakeups, want %llu", irq_count[SLEEP_VEC],
		          window / SLEEP_EVERY - 1);
	tests_finish();
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cmd = (mbi->flags & MBI_FLAG_CMDLINE) ? (const char *)mbi->cmdline : "";
	uint64_t window = arg(cmd, "window=", 30000000), tail = arg(cmd, "tail=", window / 8);
	bool exits = has_word(cmd, "exits");
	uint32_t gaps, tail_gaps;
	uint64_t ran;

	(void)magic;
	gap_ticks = arg(cmd, "gap=", GAP_TICKS);
	if (has_word(cmd, "sleep"))
		sleep_window(window);
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
