// SPDX-License-Identifier: MIT
/*
 * bench: RDTSC cost of the basic exits: CPUID, a port read (COM1 LSR), and
 * the VMCALL VERSION hypercall. Each figure is the best of a few runs of
 * N iterations, divided by N, minus the empty loop's per-iteration cost.
 * Command line `switch`: instead, the cost of a vCPU-to-vCPU switch on one
 * core, with a `partner` VM beside it that yields in a loop: each YIELD
 * hypercall of this guest runs the partner up to its next YIELD and comes
 * back, two switches (each with its YIELD exit), so the figure is half a
 * round trip. `partner` yields PARTNER_YIELDS times, then exits.
 * With `sse` or `avx512` also in the command line (the module's file name,
 * for both VMs), each vCPU enables XCR0 0x3 or 0xe7 and dirties that state
 * before every YIELD (XMM0; or ZMM0 and opmask k1: in 32-bit mode ZMM16-31
 * are out of reach, so Hi16_ZMM stays in its init state), so every switch
 * saves and restores it: vcpu-switch-sse / vcpu-switch-avx512. With `sse`
 * the `switch` VM then times an XSETBV exit writing its current XCR0 (xsetbv).
 * It also times a read of the PIC's mask register (io-pic: KVM answers it in its
 * kernel while COM1 LSR goes to user space; Sable answers both itself). Not under
 * Sable (the KVM runner of make bench), `sse` alone in the command line adds the
 * XSETBV exit to the basic ones.
 */
#include "guest.h"

#define N              1000
#define RUNS           3
#define PARTNER_YIELDS (20 * N)

#define CR0_EM      (1u << 2)
#define CR0_TS      (1u << 3)
#define CR4_OSFXSR  (1u << 9)
#define XCR0_SSE    0x3u
#define XCR0_AVX512 0xe7u

#define PIC_MASTER_IMR 0x21 /* 8259A interrupt mask register: a port KVM answers in-kernel */

enum bench_op { OP_EMPTY, OP_CPUID, OP_IO, OP_IO_PIC, OP_VMCALL, OP_YIELD, OP_DIRTY, OP_XSETBV };
enum fpu_mode { FPU_NONE, FPU_SSE, FPU_AVX512 };

static enum fpu_mode fpu_mode;
static uint64_t bench_xcr0;

/* Puts non-init values in the state of fpu_mode (nothing for FPU_NONE). */
static void __attribute__((noinline)) fpu_dirty(void)
{
	if (fpu_mode == FPU_SSE)
		asm volatile("pcmpeqd %%xmm0, %%xmm0" ::: "memory");
	else if (fpu_mode == FPU_AVX512)
		asm volatile("vpternlogd $0xff, %%zmm0, %%zmm0, %%zmm0\n\t"
		             "kxnorw %%k1, %%k1, %%k1" ::
		                     : "memory");
}

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
	case OP_IO_PIC:
		for (i = 0; i < N; i++)
			(void)inb(PIC_MASTER_IMR);
		break;
	case OP_VMCALL:
		for (i = 0; i < N; i++)
			(void)vmcall(HC_VERSION, 0, 0, 0);
		break;
	case OP_YIELD:
		for (i = 0; i < N; i++) {
			fpu_dirty();
			(void)vmcall(HC_YIELD, 0, 0, 0);
		}
		break;
	case OP_DIRTY:
		for (i = 0; i < N; i++)
			fpu_dirty();
		break;
	case OP_XSETBV:
		for (i = 0; i < N; i++)
			xsetbv(0, bench_xcr0);
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

static bool has_word(const struct multiboot_info *mbi, const char *w)
{
	const char *p = (mbi->flags & MBI_FLAG_CMDLINE) ? (const char *)mbi->cmdline : "";

	for (; *p; p++)
		if (!strncmp(p, w, strlen(w)))
			return true;
	return false;
}

/* True if CPUID offers XSAVE with x87 and SSE state in XCR0 (SDM Vol. 1, 13.2). */
static bool sse_xcr0_offered(void)
{
	struct cpuid_regs r;

	cpuid(1, 0, &r);
	if (!(r.ecx & (1u << 26)))
		return false;
	cpuid(0xd, 0, &r);
	return (r.eax & XCR0_SSE) == XCR0_SSE;
}

/* Enables fpu_mode's XCR0 (CR4.OSXSAVE, XSETBV); a guest without it skips. */
static void fpu_setup(const char *name)
{
	uint32_t offered;

	if (fpu_mode == FPU_NONE)
		return;
	bench_xcr0 = fpu_mode == FPU_SSE ? XCR0_SSE : XCR0_AVX512;
	offered = xsave_offered_or_finish(name);
	if ((offered & bench_xcr0) != bench_xcr0) {
		test_skip(name, "XCR0 bits not offered");
		tests_finish();
	}
	write_cr0(read_cr0() & ~(CR0_EM | CR0_TS));
	write_cr4(read_cr4() | CR4_OSXSAVE | CR4_OSFXSR);
	xsetbv(0, bench_xcr0);
}

/* `switch` and `partner` (see the top of the file). */
static int bench_switch(bool partner)
{
	static const char *const figure[] = {"vcpu-switch", "vcpu-switch-sse",
	                                     "vcpu-switch-avx512"};
	int64_t net;

	if (!under_sable()) {
		printf("BENCH %s SKIP (not under Sable)\n", figure[fpu_mode]);
		tests_finish();
	}
	fpu_setup(partner ? "bench-partner" : "bench-switch");
	if (partner) {
		for (int i = 0; i < PARTNER_YIELDS; i++) {
			fpu_dirty();
			(void)vmcall(HC_YIELD, 0, 0, 0);
		}
		test_pass("bench-partner");
		tests_finish();
	}
	net = (per_op(OP_YIELD) - per_op(OP_DIRTY)) / 2;
	printf("BENCH %s ticks_per_op=%lld\n", figure[fpu_mode], net);
	if (net <= 0) {
		test_fail("bench-switch", "ticks_per_op %lld not > 0", net);
		tests_finish();
	}
	if (fpu_mode == FPU_SSE && !report("xsetbv", OP_XSETBV, per_op(OP_EMPTY))) {
		test_fail("bench-switch", "xsetbv ticks_per_op not > 0");
		tests_finish();
	}
	test_pass("bench-switch");
	tests_finish();
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	int64_t overhead;
	uint32_t ver = 0;
	bool ok = true, sable = under_sable();
	int vec;

	(void)magic;
	if (has_word(mbi, "avx512"))
		fpu_mode = FPU_AVX512;
	else if (has_word(mbi, "sse"))
		fpu_mode = FPU_SSE;
	if (has_word(mbi, "switch") || has_word(mbi, "partner"))
		return bench_switch(has_word(mbi, "partner"));

	overhead = per_op(OP_EMPTY);
	printf("BENCH loop-overhead ticks_per_op=%lld\n", overhead);
	ok &= report("cpuid", OP_CPUID, overhead);
	ok &= report("io", OP_IO, overhead);

	ok &= report("io-pic", OP_IO_PIC, overhead);

	/* KVM answers an unknown hypercall itself with -ENOSYS in EAX: still one exit. */
	vec = vmcall_safe(HC_VERSION, 0, 0, 0, &ver);
	if (vec == 0) {
		if (!sable)
			info("VMCALL VERSION returned 0x%x (not under Sable)", ver);
		ok &= report("vmcall", OP_VMCALL, overhead);
	} else if (sable) {
		test_fail("bench", "VMCALL VERSION raised vector %d under Sable", vec);
		tests_finish();
	} else {
		info("VMCALL raised vector %d", vec);
		puts("BENCH vmcall SKIP (VMCALL faults here)");
	}
	/* `sse` without `switch` (the KVM runner): an XSETBV exit writing the current XCR0. */
	if (fpu_mode == FPU_SSE && sse_xcr0_offered()) {
		fpu_setup("bench");
		ok &= report("xsetbv", OP_XSETBV, overhead);
	} else if (fpu_mode == FPU_SSE) {
		puts("BENCH xsetbv SKIP (no XSAVE with XCR0 0x3 offered)");
	}

	if (ok)
		test_pass("bench");
	else
		test_fail("bench", "a measured ticks_per_op was not > 0");
	tests_finish();
}
