// SPDX-License-Identifier: MIT
/*
 * bench: RDTSC cost of the basic exits: CPUID, a port read (COM1 LSR), and
 * the VMCALL VERSION hypercall. Each figure is the best of a few runs of
 * N iterations, divided by N, minus the empty loop's per-iteration cost.
 */
#include "guest.h"

#define N    1000
#define RUNS 3

enum bench_op { OP_EMPTY, OP_CPUID, OP_IO, OP_VMCALL };

/* Returns the TSC ticks of N iterations of op. */
static uint64_t run_once(enum bench_op op)
{
	struct cpuid_regs r;
	uint64_t t0, t1;
	int i;

	t0 = rdtsc();
	switch (op) {
	case OP_EMPTY:
		for (i = 0; i < N; i++)
			asm volatile("" ::: "memory");
		break;
	case OP_CPUID:
		for (i = 0; i < N; i++)
			cpuid(0, 0, &r);
		break;
	case OP_IO:
		for (i = 0; i < N; i++)
			(void)inb(COM1_LSR);
		break;
	case OP_VMCALL:
		for (i = 0; i < N; i++)
			(void)vmcall(HC_VERSION, 0, 0, 0);
		break;
	}
	t1 = rdtsc();
	return t1 - t0;
}

/* Returns the lowest per-iteration tick count of op over RUNS runs (after one warm-up). */
static int64_t per_op(enum bench_op op)
{
	uint64_t best = ~0ull, t;
	int i;

	run_once(op);
	for (i = 0; i < RUNS; i++) {
		t = run_once(op);
		if (t < best)
			best = t;
	}
	return (int64_t)(best / N);
}

/* Measures op, prints its BENCH line net of the loop overhead; returns false if not > 0. */
static bool report(const char *name, enum bench_op op, int64_t overhead)
{
	int64_t net = per_op(op) - overhead;

	printf("BENCH %s ticks_per_op=%lld\n", name, net);
	return net > 0;
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	int64_t overhead;
	uint32_t ver = 0;
	bool ok = true, sable = under_sable();
	int vec;

	(void)magic;
	(void)mbi;

	overhead = per_op(OP_EMPTY);
	printf("BENCH loop-overhead ticks_per_op=%lld\n", overhead);
	ok &= report("cpuid", OP_CPUID, overhead);
	ok &= report("io", OP_IO, overhead);

	vec = vmcall_safe(HC_VERSION, 0, 0, 0, &ver);
	if (sable && vec == 0) {
		ok &= report("vmcall", OP_VMCALL, overhead);
	} else if (sable) {
		test_fail("bench", "VMCALL VERSION raised vector %d under Sable", vec);
		tests_finish();
	} else {
		info("VMCALL raised vector %d", vec);
		puts("BENCH vmcall SKIP (not under Sable)");
	}

	if (ok)
		test_pass("bench");
	else
		test_fail("bench", "a measured ticks_per_op was not > 0");
	tests_finish();
}
