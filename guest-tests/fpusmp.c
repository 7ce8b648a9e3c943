// SPDX-License-Identifier: MIT
/*
 * fpusmp: the FPU state of several vCPUs of one VM that share one physical
 * CPU (vm=...,cpus=N,pin=0+0...). The BSP starts the APs with INIT-SIPI-SIPI;
 * every vCPU picks its own XCR0 (vCPU 0 AVX-512 where offered, vCPU 1
 * x87+SSE+AVX, vCPU 2 x87+SSE) and fills XMM0-7, the YMM and ZMM upper halves
 * and k0-7 its XCR0 enables, MXCSR and the x87 control word and stack top with
 * a pattern of its own APIC ID; where CPUID.7.0:ECX offers PKU each sets its
 * CR4.PKE and PKRU (vCPUs 0 and 1 a value of their own, vCPU 2 keeps 0, so
 * its buffer stays x87+SSE sized). For FS_RUN_TICKS of TSC time it computes and
 * every FS_HLT_EVERY turns blocks in sti; hlt until its LAPIC timer fires, so
 * that the core switches to a sibling both by preemption and by HLT. It
 * checks everything after each HLT and whenever the TSC jumped (another vCPU
 * ran). One TEST line per vCPU for the state, the switches and the HLT wakes.
 */
#include "guest.h"
#include "apic.h"
#include "smp.h"
#include "vecregs.h"

#define FS_RUN_TICKS    150000000ull /* TSC time each vCPU runs */
#define FS_GAP_TICKS    20000ull     /* a longer gap between two turns: another vCPU ran */
#define FS_HLT_EVERY    4096u        /* loop turns between two HLTs */
#define FS_HLT_TICKS    30000ull     /* LAPIC timer deadline after the HLT starts */
#define FS_MIN_SWITCHES 100u
#define FS_MIN_HLTS     50u
#define FS_TIMEOUT      2000000000ull
#define VEC_TIMER       0x40
#define CR0_MP          (1u << 1)
#define CR0_EM          (1u << 2)
#define CR4_OSFXSR      (1u << 9)
#define CR4_OSXMMEXCPT  (1u << 10)
#define CPUID_7_ECX_PKU (1u << 3)
#define MAX_CPUS        4

struct fs_state {
	uint8_t xmm[8][16], ymm_hi[8][16], zmm_hi[8][32];
	uint16_t k[8];
	uint64_t xcr0, st0;
	uint32_t mxcsr, pkru;
	uint16_t fcw;
	bool ymm, zmm, pku;
};

static struct fs_state want[MAX_CPUS];
static struct {
	char failed[112];
	unsigned checks, switches, hlts, blocked;
} res[MAX_CPUS];
static volatile uint32_t done;
static uint32_t ncpus;

static uint64_t pattern(uint32_t id, unsigned k)
{
	uint64_t z = 0x5ab1e0000ull * (id + 1) + 0x9e3779b97f4a7c15ull * (k + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void on_timer(uint8_t vector)
{
	(void)vector;
	apic_eoi();
}

/* XCR0 by APIC ID among the values the CPU offers (SDM Vol. 1 sec. 13.3). */
static uint64_t pick_xcr0(uint32_t id)
{
	static const uint64_t by_id[] = {0xe7, 0x7, 0x3, 0x7};
	struct cpuid_regs r;
	uint64_t offered, v = by_id[id % MAX_CPUS];

	cpuid(0xd, 0, &r);
	offered = ((uint64_t)r.edx << 32) | r.eax;
	cpuid(7, 0, &r);
	if (!(r.ebx & (1u << 16)))
		offered &= ~0xe0ull; /* no AVX512F */
	while ((v & offered) != v)
		v = v == 0xe7 ? 0x7 : 0x3;
	return v;
}

static void fill(uint32_t id)
{
	struct fs_state *w = &want[id];
	struct cpuid_regs r;

	write_cr0((read_cr0() & ~CR0_EM) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	cpuid(1, 0, &r);
	if (r.ecx & CPUID_1_ECX_XSAVE) {
		write_cr4(read_cr4() | CR4_OSXSAVE);
		xsetbv_safe(pick_xcr0(id));
		w->xcr0 = xgetbv(0);
	}
	w->ymm = w->xcr0 & 0x4;
	w->zmm = (w->xcr0 & 0xe0) == 0xe0;
	for (unsigned i = 0; i < 8; i++) {
		for (unsigned j = 0; j < 16; j += 8) {
			uint64_t lo = pattern(id, 10 + 2 * i + j / 8),
				 hi = pattern(id, 30 + 2 * i + j / 8);
			memcpy(&w->xmm[i][j], &lo, 8);
			memcpy(&w->ymm_hi[i][j], &hi, 8);
		}
		for (unsigned j = 0; j < 32; j += 8) {
			uint64_t z = pattern(id, 50 + 4 * i + j / 8);
			memcpy(&w->zmm_hi[i][j], &z, 8);
		}
		w->k[i] = (uint16_t)pattern(id, 90 + i);
	}
	load_vector_regs(w->xmm, w->ymm_hi, w->ymm);
	if (w->zmm)
		load_avx512(w->zmm_hi, w->k);
	w->mxcsr = 0x1f80u ^ ((uint32_t)pattern(id, 1) & 0x7e00u); /* masks, RC, FZ */
	asm volatile("ldmxcsr %0" : : "m"(w->mxcsr));
	w->fcw = (uint16_t)((pattern(id, 2) & 0x0f3f) | 0x40);
	w->st0 = pattern(id, 3) & 0x7fffffffffffffffull;
	asm volatile("fninit\n\tfldcw %0\n\tfildq %1" : : "m"(w->fcw), "m"(w->st0));
	w->fcw = read_fcw();
	cpuid(7, 0, &r);
	if ((r.ecx & CPUID_7_ECX_PKU) && !write_cr4_safe(read_cr4() | CR4_PKE)) {
		w->pku = true;
		if (id != 2)
			wrpkru((uint32_t)pattern(id, 4) | 1u); /* never 0 */
		w->pkru = rdpkru();
	}
}

static void mismatch(uint32_t id, const char *reg, uint64_t w, uint64_t got)
{
	if (!res[id].failed[0])
		snprintf(res[id].failed, sizeof(res[id].failed),
		         "%s is 0x%llx, wrote 0x%llx (check %u, after %u HLTs)", reg, got, w,
		         res[id].checks, res[id].hlts);
}

static void check(uint32_t id)
{
	const struct fs_state *w = &want[id];
	static uint8_t x[MAX_CPUS][8][16], hi[MAX_CPUS][8][16], z[MAX_CPUS][8][32];
	static uint16_t k[MAX_CPUS][8];
	uint64_t st0;
	uint32_t mxcsr;

	res[id].checks++;
	store_vector_regs(x[id], hi[id], w->ymm);
	if (w->zmm)
		store_avx512(z[id], k[id]);
	asm volatile("stmxcsr %0" : "=m"(mxcsr));
	/* FISTP pops the value FILD pushed; push it again for the next check */
	asm volatile("fistpq %0\n\tfildq %0" : "=m"(st0) : : "memory");
	for (unsigned i = 0; i < 8; i++) {
		if (memcmp(x[id][i], w->xmm[i], 16))
			mismatch(id, "an XMM register", *(const uint64_t *)w->xmm[i],
			         *(uint64_t *)x[id][i]);
		if (w->ymm && memcmp(hi[id][i], w->ymm_hi[i], 16))
			mismatch(id, "a YMM upper half", *(const uint64_t *)w->ymm_hi[i],
			         *(uint64_t *)hi[id][i]);
		if (w->zmm && memcmp(z[id][i], w->zmm_hi[i], 32))
			mismatch(id, "a ZMM upper half", *(const uint64_t *)w->zmm_hi[i],
			         *(uint64_t *)z[id][i]);
		if (w->zmm && k[id][i] != w->k[i])
			mismatch(id, "an opmask register", w->k[i], k[id][i]);
	}
	if (mxcsr != w->mxcsr)
		mismatch(id, "MXCSR", w->mxcsr, mxcsr);
	if (read_fcw() != w->fcw)
		mismatch(id, "the x87 control word", w->fcw, read_fcw());
	if (st0 != w->st0)
		mismatch(id, "x87 ST0", w->st0, st0);
	if (w->xcr0 && xgetbv(0) != w->xcr0)
		mismatch(id, "XCR0", w->xcr0, xgetbv(0));
	if (w->pku && rdpkru() != w->pkru)
		mismatch(id, "PKRU", w->pkru, rdpkru());
}

/* HLT until the LAPIC timer wakes this vCPU; true if it was away long enough
 * for a sibling to run. */
static bool hlt_wake(void)
{
	uint64_t t0 = rdtsc();

	apic_timer_tsc_deadline(VEC_TIMER, t0 + FS_HLT_TICKS);
	sti_hlt();
	return rdtsc() - t0 >= FS_HLT_TICKS;
}

static void report(uint32_t id)
{
	char name[40];

	smp_lock();
	info("vCPU %u: xcr0=0x%llx mxcsr=0x%x fcw=0x%x pkru=%s0x%x: %u checks, %u switches, %u "
	     "HLTs (%u blocked)",
	     id, want[id].xcr0, want[id].mxcsr, want[id].fcw, want[id].pku ? "" : "(no PKU) ",
	     want[id].pkru, res[id].checks, res[id].switches, res[id].hlts, res[id].blocked);
	snprintf(name, sizeof(name), "fpusmp-cpu%u-state", id);
	if (res[id].failed[0])
		test_fail(name, "%s", res[id].failed);
	else
		test_pass(name);
	snprintf(name, sizeof(name), "fpusmp-cpu%u-switches", id);
	if (res[id].switches >= FS_MIN_SWITCHES && res[id].blocked >= FS_MIN_HLTS)
		test_pass(name);
	else
		test_fail(name, "%u switches (want >= %u), %u blocking HLTs (want >= %u)",
		          res[id].switches, FS_MIN_SWITCHES, res[id].blocked, FS_MIN_HLTS);
	smp_unlock();
}

static void run(uint32_t id)
{
	uint64_t start, last, now, work = id + 1;
	unsigned turn = 0;

	apic_enable();
	fill(id);
	check(id);
	start = last = rdtsc();
	do {
		for (unsigned i = 0; i < 16; i++)
			work = work * 6364136223846793005ull + 1442695040888963407ull;
		if (++turn % FS_HLT_EVERY == 0) {
			res[id].hlts++;
			res[id].blocked += hlt_wake();
			check(id);
		}
		now = rdtsc();
		if (now - last > FS_GAP_TICKS) {
			res[id].switches++;
			check(id);
		}
		last = rdtsc();
	} while (now - start < FS_RUN_TICKS);
	check(id);
	apic_timer_stop();
	report(id);
}

static void ap(uint32_t id)
{
	if (id < MAX_CPUS)
		run(id);
	atomic_inc(&done);
	halt_forever();
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	(void)mbi;
	ncpus = fw_cfg_read_u16(FW_CFG_NB_CPUS);
	if (!CHECK(ncpus >= 2 && ncpus <= MAX_CPUS && apic_tsc_deadline_offered(),
	           "%u CPUs (want 2-%u), TSC-deadline timer offered %d", ncpus, MAX_CPUS,
	           apic_tsc_deadline_offered()))
		tests_finish();
	irq_set_handler(VEC_TIMER, on_timer);
	apic_enable();
	smp_prepare(ap);
	for (uint32_t i = 1; i < ncpus; i++)
		smp_start_ap(i);
	run(0);
	CHECK(smp_barrier(&done, ncpus, FS_TIMEOUT), "%u of %u vCPUs finished", done, ncpus);
	smp_lock();
	tests_finish();
}
