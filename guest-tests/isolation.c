// SPDX-License-Identifier: MIT
/*
 * isolation: several copies of this guest share one physical CPU. Each one
 * writes patterns derived from its command line into every per-vCPU register
 * its CPUID offers (FPU/SSE/AVX registers, XCR0, PKRU, DR0-DR3, DR6, DR7, CR2,
 * the SYSCALL and SYSENTER MSRs, KERNEL_GS_BASE, TSC_AUX, SPEC_CTRL), then
 * runs for ISO_RUN_TICKS of TSC time. Every time it comes back after another
 * vCPU ran (a TSC jump of more than ISO_GAP_TICKS between two turns of its
 * loop) it checks every register. A command line containing "spin" makes the
 * guest exit all the time (CPUID in the loop); the others compute.
 *
 * One TEST line per register class, plus iso-slices: the guest must have been
 * descheduled and resumed at least ISO_MIN_RESUMES times, which fails if a
 * guest that exits often is never preempted.
 *
 * iso-zmm64: a guest with AVX-512 in its XCR0 (a command line containing
 * "avx512" picks it where offered) and long mode offered spends
 * ISO_ZMM64_TICKS of the run in 64-bit mode (lib/long64.h) with all 32 ZMM
 * registers full (ZMM16-31 and the upper halves of ZMM8-15 exist only
 * there), checking all of them after each reschedule (a "spin" guest keeps
 * exiting on CPUID meanwhile); it must see at least ISO_ZMM64_MIN_RESUMES
 * and no difference. Two such guests on one core overwrite each other's
 * ZMM16-31 unless the hypervisor switches them.
 */
#include "guest.h"
#include "long64.h"
#include "vecregs.h"

#define ISO_RUN_TICKS         300000000ull /* TSC time each guest runs (30 s at Bochs' 10 MHz TSC) */
#define ISO_GAP_TICKS         20000ull /* a longer gap between two loop turns: another vCPU ran */
#define ISO_MIN_RESUMES       300u
#define ISO_ZMM64_TICKS       (ISO_RUN_TICKS / 4)
#define ISO_ZMM64_MIN_RESUMES 30u

#define CR0_MP               (1u << 1)
#define CR0_EM               (1u << 2)
#define CR4_OSFXSR           (1u << 9)
#define CR4_OSXMMEXCPT       (1u << 10)
#define CPUID_1_EDX_SEP      (1u << 11)
#define CPUID_1_EDX_SSE2     (1u << 26)
#define CPUID_1_ECX_AVX      (1u << 28)
#define CPUID_7_EBX_AVX512F  (1u << 16)
#define XCR0_AVX512          0xe0u
#define CPUID_7_ECX_PKU      (1u << 3)
#define CPUID_7_EDX_IBRS     (1u << 26)
#define CPUID_7_EDX_STIBP    (1u << 27)
#define CPUID_7_EDX_SSBD     (1u << 31)
#define CPUID_X1_EDX_SYSCALL (1u << 11)
#define CPUID_X1_EDX_RDTSCP  (1u << 27)
#define CPUID_X1_EDX_LM      (1u << 29)
#define MSR_IA32_SPEC_CTRL   0x48
#define MSR_IA32_DEBUGCTL    0x1d9
#define MSR_STAR             0xc0000081
#define MSR_LSTAR            0xc0000082
#define MSR_CSTAR            0xc0000083
#define MSR_SYSCALL_MASK     0xc0000084
#define CANONICAL_MASK       0x00007ffffffffff0ull
#define DR6_FIXED            0xffff0ff0u
#define DR7_FIXED            0x400u

/* Register classes, each reported by one TEST line. */
enum iso_class {
	C_FPU,
	C_AVX512,
	C_XCR0,
	C_PKRU,
	C_DR0_3,
	C_DR6,
	C_DR7,
	C_DEBUGCTL,
	C_CR2,
	C_SYSCALL,
	C_KGSBASE,
	C_TSC_AUX,
	C_SYSENTER,
	C_SPEC_CTRL,
	NR_CLASSES,
};

static const char *const class_test[NR_CLASSES] = {
	[C_FPU] = "iso-fpu",
	[C_AVX512] = "iso-avx512",
	[C_XCR0] = "iso-xcr0",
	[C_PKRU] = "iso-pkru",
	[C_DR0_3] = "iso-dr0-3",
	[C_DR6] = "iso-dr6",
	[C_DR7] = "iso-dr7",
	[C_DEBUGCTL] = "iso-debugctl",
	[C_CR2] = "iso-cr2",
	[C_SYSCALL] = "iso-syscall-msrs",
	[C_KGSBASE] = "iso-kernel-gs-base",
	[C_TSC_AUX] = "iso-tsc-aux",
	[C_SYSENTER] = "iso-sysenter",
	[C_SPEC_CTRL] = "iso-spec-ctrl",
};

static struct {
	const char *skip[NR_CLASSES]; /* reason the class is not offered, or NULL */
	char failed[NR_CLASSES][112]; /* first mismatch, empty if none */
	unsigned checks;
} res;

/* What this guest wrote, read back once right after writing. */
static struct {
	uint8_t xmm[8][16], ymm_hi[8][16], zmm_hi[8][32];
	uint16_t k[8];
	bool ymm;
	uint16_t fcw;
	uint64_t xcr0;
	uint32_t pkru, dr[4], dr6, dr7, cr2;
	uint64_t star, lstar, cstar, fmask, kgsbase, tsc_aux, spec_ctrl;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
} want;

static uint64_t seed;

static uint64_t pattern(unsigned k)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ull * (k + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void mismatch(enum iso_class c, const char *reg, uint64_t w, uint64_t got)
{
	if (res.failed[c][0])
		return;
	snprintf(res.failed[c], sizeof(res.failed[c]),
	         "%s is 0x%llx, wrote 0x%llx (check %u, after a reschedule)", reg, got, w,
	         res.checks);
}

static void expect(enum iso_class c, const char *reg, uint64_t w, uint64_t got)
{
	if (got != w)
		mismatch(c, reg, w, got);
}

static bool has(uint32_t leaf, uint32_t reg, uint32_t bit)
{
	struct cpuid_regs r;
	uint32_t v[4];

	cpuid(leaf & 0x80000000u, 0, &r);
	if (r.eax < leaf)
		return false;
	cpuid(leaf, 0, &r);
	v[0] = r.eax, v[1] = r.ebx, v[2] = r.ecx, v[3] = r.edx;
	return v[reg] & bit;
}
#define EBX 1
#define ECX 2
#define EDX 3

static uint32_t read_dr(unsigned n)
{
	return n == 0 ? read_dr0() : n == 1 ? read_dr1() : n == 2 ? read_dr2() : read_dr3();
}

/* XCR0: one of the legal values the CPU offers, picked by the pattern. */
static void setup_xcr0(bool grow, bool avx512)
{
	static const uint64_t candidates[] = {0x3, 0x7, 0xe7};
	uint64_t offered, pick[3];
	unsigned n = 0;
	struct cpuid_regs r;
	int vec;

	if (!has(1, ECX, CPUID_1_ECX_XSAVE)) {
		res.skip[C_XCR0] = "CPUID.1:ECX[26] (XSAVE) not offered";
		return;
	}
	write_cr4(read_cr4() | CR4_OSXSAVE);
	cpuid(0xd, 0, &r);
	offered = ((uint64_t)r.edx << 32) | r.eax;
	for (unsigned i = 0; i < ARRAY_SIZE(candidates); i++)
		if ((candidates[i] & offered) == candidates[i])
			pick[n++] = candidates[i];
	if (!has(1, ECX, CPUID_1_ECX_AVX))
		n = 1;
	if (grow)
		n = 1;                              /* x87+SSE now, AVX half-way through the run */
	n = avx512 && n == 3 ? 2 : pattern(40) % n; /* the index now */
	vec = xsetbv_safe(pick[n]);
	want.xcr0 = xgetbv(0);
	if (vec)
		snprintf(res.failed[C_XCR0], sizeof(res.failed[C_XCR0]),
		         "XSETBV 0x%llx raised vector %d", pick[n], vec);
	/* SSE without x87 is never a legal XCR0 (SDM Vol. 1 sec. 13.3). */
	vec = xsetbv_safe(0x2);
	if (vec == X86_GP)
		test_pass("iso-xsetbv-invalid-gp");
	else
		test_fail("iso-xsetbv-invalid-gp", "XSETBV 0x2 raised vector %d, want 13", vec);
	want.ymm = want.xcr0 & 0x4;
}

static void setup_avx512(void)
{
	if ((want.xcr0 & XCR0_AVX512) != XCR0_AVX512 || !has(7, EBX, CPUID_7_EBX_AVX512F)) {
		res.skip[C_AVX512] = "AVX-512 not enabled in this guest's XCR0 or not offered";
		return;
	}
	for (unsigned i = 0; i < 8; i++) {
		for (unsigned j = 0; j < 32; j += 8) {
			uint64_t v = pattern(300 + 4 * i + j / 8);
			memcpy(&want.zmm_hi[i][j], &v, 8);
		}
		want.k[i] = (uint16_t)pattern(400 + i);
	}
	load_avx512(want.zmm_hi, want.k);
}

static void setup_fpu(void)
{
	if (!has(1, EDX, CPUID_1_EDX_SSE2)) {
		res.skip[C_FPU] = "CPUID.1:EDX[26] (SSE2) not offered";
		res.skip[C_AVX512] = res.skip[C_FPU];
		return;
	}
	write_cr0((read_cr0() & ~CR0_EM) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	for (unsigned i = 0; i < 8; i++)
		for (unsigned j = 0; j < 16; j += 8) {
			uint64_t lo = pattern(100 + 2 * i + j / 8),
				 hi = pattern(200 + 2 * i + j / 8);
			memcpy(&want.xmm[i][j], &lo, 8);
			memcpy(&want.ymm_hi[i][j], &hi, 8);
		}
	load_vector_regs(want.xmm, want.ymm_hi, want.ymm);
	setup_avx512();
	/* x87 control word: exception masks, precision and rounding control */
	want.fcw = (uint16_t)((pattern(99) & 0x0f3f) | 0x40);
	asm volatile("fninit\n\tfldcw %0" : : "m"(want.fcw));
	want.fcw = read_fcw();
}

static void setup_pkru(void)
{
	if (!has(7, ECX, CPUID_7_ECX_PKU)) {
		res.skip[C_PKRU] = "CPUID.7.0:ECX[3] (PKU) not offered";
		return;
	}
	if (write_cr4_safe(read_cr4() | CR4_PKE)) {
		snprintf(res.failed[C_PKRU], sizeof(res.failed[C_PKRU]),
		         "setting CR4.PKE raised vector %d", fault_vector);
		return;
	}
	wrpkru((uint32_t)pattern(1));
	want.pkru = rdpkru();
}

/* Breakpoint addresses, status and control with no breakpoint enabled: RW/LEN
 * fields of all four set (RW = 10b, I/O, avoided), L0-3/G0-3 and GD clear. */
static void setup_debug_regs(void)
{
	uint32_t dr7 = DR7_FIXED, p = (uint32_t)pattern(2);

	write_dr0((uint32_t)pattern(3));
	write_dr1((uint32_t)pattern(4));
	write_dr2((uint32_t)pattern(5));
	write_dr3((uint32_t)pattern(6));
	for (unsigned i = 0; i < 4; i++)
		want.dr[i] = read_dr(i);
	write_dr6(DR6_FIXED | (p & 0xe00f));
	want.dr6 = read_dr6();
	for (unsigned i = 0; i < 4; i++) {
		uint32_t f = (p >> (16 + 4 * i)) & 0xf;
		if ((f & 3) == 2)
			f ^= 1;
		dr7 |= f << (16 + 4 * i);
	}
	dr7 |= p & 0x300; /* LE, GE */
	write_dr7(dr7);
	want.dr7 = read_dr7();
}

static void setup_cr2(void)
{
	write_cr2((uint32_t)pattern(7));
	want.cr2 = read_cr2();
}

static uint64_t canonical(unsigned k)
{
	return pattern(k) & CANONICAL_MASK;
}

static void setup_msrs(void)
{
	if (has(0x80000001, EDX, CPUID_X1_EDX_LM)) {
		wrmsr(MSR_IA32_KERNEL_GS_BASE, canonical(10));
		want.kgsbase = rdmsr(MSR_IA32_KERNEL_GS_BASE);
		wrmsr(MSR_STAR, pattern(11));
		wrmsr(MSR_LSTAR, canonical(12));
		wrmsr(MSR_CSTAR, canonical(13));
		wrmsr(MSR_SYSCALL_MASK, (uint32_t)pattern(14));
		want.star = rdmsr(MSR_STAR);
		want.lstar = rdmsr(MSR_LSTAR);
		want.cstar = rdmsr(MSR_CSTAR);
		want.fmask = rdmsr(MSR_SYSCALL_MASK);
	} else {
		res.skip[C_KGSBASE] = "CPUID.80000001h:EDX[29] (long mode) not offered";
		res.skip[C_SYSCALL] = res.skip[C_KGSBASE];
	}
	if (has(0x80000001, EDX, CPUID_X1_EDX_RDTSCP)) {
		wrmsr(MSR_IA32_TSC_AUX, (uint32_t)pattern(15));
		want.tsc_aux = rdmsr(MSR_IA32_TSC_AUX);
	} else {
		res.skip[C_TSC_AUX] = "CPUID.80000001h:EDX[27] (RDTSCP) not offered";
	}
	if (has(1, EDX, CPUID_1_EDX_SEP)) {
		wrmsr(MSR_IA32_SYSENTER_CS, pattern(16) & 0xfff8);
		wrmsr(MSR_IA32_SYSENTER_ESP, canonical(17));
		wrmsr(MSR_IA32_SYSENTER_EIP, canonical(18));
		want.sysenter_cs = rdmsr(MSR_IA32_SYSENTER_CS);
		want.sysenter_esp = rdmsr(MSR_IA32_SYSENTER_ESP);
		want.sysenter_eip = rdmsr(MSR_IA32_SYSENTER_EIP);
	} else {
		res.skip[C_SYSENTER] = "CPUID.1:EDX[11] (SYSENTER) not offered";
	}
	if (has(7, EDX, CPUID_7_EDX_IBRS)) {
		uint64_t bits = 1 | (has(7, EDX, CPUID_7_EDX_STIBP) ? 2 : 0) |
		                (has(7, EDX, CPUID_7_EDX_SSBD) ? 4 : 0);
		int vec = wrmsr_safe(MSR_IA32_SPEC_CTRL, pattern(19) & bits);

		if (vec || rdmsr_safe(MSR_IA32_SPEC_CTRL, &want.spec_ctrl))
			snprintf(res.failed[C_SPEC_CTRL], sizeof(res.failed[C_SPEC_CTRL]),
			         "SPEC_CTRL access raised vector %d", vec ? vec : fault_vector);
	} else {
		res.skip[C_SPEC_CTRL] = "CPUID.7.0:EDX[26] (IBRS/IBPB, SPEC_CTRL) not offered";
	}
}

static void check_all(void)
{
	static uint8_t x[8][16], hi[8][16];
	uint64_t v;

	res.checks++;
	if (!res.skip[C_FPU]) {
		store_vector_regs(x, hi, want.ymm);
		for (unsigned i = 0; i < 8; i++) {
			if (memcmp(x[i], want.xmm[i], 16))
				mismatch(C_FPU, "an XMM register", *(uint64_t *)want.xmm[i],
				         *(uint64_t *)x[i]);
			if (want.ymm && memcmp(hi[i], want.ymm_hi[i], 16))
				mismatch(C_FPU, "a YMM upper half", *(uint64_t *)want.ymm_hi[i],
				         *(uint64_t *)hi[i]);
		}
	}
	if (!res.skip[C_FPU])
		expect(C_FPU, "the x87 control word", want.fcw, read_fcw());
	if (!res.skip[C_AVX512]) {
		static uint8_t z[8][32];
		static uint16_t k[8];

		store_avx512(z, k);
		for (unsigned i = 0; i < 8; i++) {
			if (memcmp(z[i], want.zmm_hi[i], 32))
				mismatch(C_AVX512, "a ZMM upper half", *(uint64_t *)want.zmm_hi[i],
				         *(uint64_t *)z[i]);
			expect(C_AVX512, "an opmask register", want.k[i], k[i]);
		}
	}
	if (!res.skip[C_XCR0])
		expect(C_XCR0, "XCR0", want.xcr0, xgetbv(0));
	if (!res.skip[C_PKRU] && !res.failed[C_PKRU][0])
		expect(C_PKRU, "PKRU", want.pkru, rdpkru());
	for (unsigned i = 0; i < 4; i++)
		expect(C_DR0_3, "DR0-3", want.dr[i], read_dr(i));
	expect(C_DR6, "DR6", want.dr6, read_dr6());
	expect(C_DR7, "DR7", want.dr7, read_dr7());
	if (rdmsr_safe(MSR_IA32_DEBUGCTL, &v))
		mismatch(C_DEBUGCTL, "RDMSR DEBUGCTL vector", 0, (uint64_t)fault_vector);
	else
		expect(C_DEBUGCTL, "DEBUGCTL", 0, v);
	expect(C_CR2, "CR2", want.cr2, read_cr2());
	if (!res.skip[C_SYSCALL]) {
		expect(C_SYSCALL, "STAR", want.star, rdmsr(MSR_STAR));
		expect(C_SYSCALL, "LSTAR", want.lstar, rdmsr(MSR_LSTAR));
		expect(C_SYSCALL, "CSTAR", want.cstar, rdmsr(MSR_CSTAR));
		expect(C_SYSCALL, "FMASK", want.fmask, rdmsr(MSR_SYSCALL_MASK));
		expect(C_KGSBASE, "KERNEL_GS_BASE", want.kgsbase, rdmsr(MSR_IA32_KERNEL_GS_BASE));
	}
	if (!res.skip[C_TSC_AUX]) {
		uint32_t aux;

		expect(C_TSC_AUX, "TSC_AUX", want.tsc_aux, rdmsr(MSR_IA32_TSC_AUX));
		rdtscp(&aux);
		expect(C_TSC_AUX, "RDTSCP ECX", want.tsc_aux, aux);
	}
	if (!res.skip[C_SYSENTER]) {
		expect(C_SYSENTER, "SYSENTER_CS", want.sysenter_cs, rdmsr(MSR_IA32_SYSENTER_CS));
		expect(C_SYSENTER, "SYSENTER_ESP", want.sysenter_esp, rdmsr(MSR_IA32_SYSENTER_ESP));
		expect(C_SYSENTER, "SYSENTER_EIP", want.sysenter_eip, rdmsr(MSR_IA32_SYSENTER_EIP));
	}
	if (!res.skip[C_SPEC_CTRL] && !res.failed[C_SPEC_CTRL][0] &&
	    !rdmsr_safe(MSR_IA32_SPEC_CTRL, &v))
		expect(C_SPEC_CTRL, "SPEC_CTRL", want.spec_ctrl, v);
}

/* XSETBV enabling AVX mid-run: the x87/SSE state set so far must survive it
 * (and the larger save buffer it takes), then the YMM upper halves join the
 * checked state. */
static void grow_xcr0(void)
{
	int vec;

	if (want.xcr0 != 0x3 || !has(1, ECX, CPUID_1_ECX_AVX)) {
		test_skip("iso-xsetbv-grow", "XCR0 is not x87+SSE or AVX not offered");
		return;
	}
	check_all();
	vec = xsetbv_safe(0x7);
	if (vec) {
		test_fail("iso-xsetbv-grow", "XSETBV 0x7 raised vector %d", vec);
		return;
	}
	want.xcr0 = 0x7;
	check_all(); /* the XMM registers and FCW as before */
	if (res.failed[C_FPU][0] || res.failed[C_XCR0][0]) {
		test_fail("iso-xsetbv-grow", "state lost by the XSETBV: %s %s", res.failed[C_FPU],
		          res.failed[C_XCR0]);
		return;
	}
	want.ymm = true;
	load_vector_regs(want.xmm, want.ymm_hi, want.ymm);
	check_all();
	test_pass("iso-xsetbv-grow");
}

/* The 64-bit phase: zmm64_body() loads ZMM0-31 from pat and runs until
 * ticks of TSC time have passed, checking every register against pat after
 * each TSC gap over gap ticks. The layout is the body's. */
struct zmm64_run {
	uint8_t pat[32][64]; /* offset 0 */
	uint64_t ticks;      /* 2048 */
	uint64_t gap;        /* 2056 */
	uint32_t resumes;    /* 2064 */
	uint32_t bad;        /* 2068: bit i: ZMMi differed at some check */
	uint32_t checks;     /* 2072 */
	uint32_t spin;       /* 2076: CPUID (an exit) in every turn */
};
_Static_assert(__builtin_offsetof(struct zmm64_run, checks) == 2072, "zmm64_body's layout");

void zmm64_body(void);
asm(".pushsection .text\n"
    ".code64\n"
    ".globl zmm64_body\n"
    "zmm64_body:\n\t"
    ".irp "
    "i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n\t"
    "vmovdqu64 \\i*64(%rdi), %zmm\\i\n\t"
    ".endr\n\t"
    "rdtsc\n\tshl $32, %rdx\n\tor %rdx, %rax\n\t"
    "mov %rax, %r8\n\t" /* start */
    "mov %rax, %r9\n"   /* last */
    "3: cmpl $0, 2076(%rdi)\n\t"
    "je 6f\n\t"
    "push %rbx\n\txor %eax, %eax\n\txor %ecx, %ecx\n\tcpuid\n\tpop %rbx\n"
    "6: rdtsc\n\tshl $32, %rdx\n\tor %rdx, %rax\n\t"
    "mov %rax, %r10\n\t"
    "sub %r9, %rax\n\t"
    "cmp 2056(%rdi), %rax\n\t"
    "jbe 4f\n\t"
    "incl 2064(%rdi)\n\t"
    "incl 2072(%rdi)\n\t"
    ".irp "
    "i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n\t"
    "vpcmpq $4, \\i*64(%rdi), %zmm\\i, %k1\n\t"
    "kortestw %k1, %k1\n\t"
    "jz 5f\n\t"
    "orl $(1 << \\i), 2068(%rdi)\n"
    "5:\n\t"
    ".endr\n"
    "4: mov %r10, %r9\n\t"
    "mov %r10, %rax\n\t"
    "sub %r8, %rax\n\t"
    "cmp 2048(%rdi), %rax\n\t"
    "jb 3b\n\t"
    "ret\n"
    ".code32\n"
    ".popsection");

static void run_zmm64(bool spin)
{
	static struct zmm64_run z;

	if (res.skip[C_AVX512] || !long64_offered()) {
		test_skip("iso-zmm64",
		          "AVX-512 not in this guest's XCR0, or long mode not offered");
		return;
	}
	for (unsigned i = 0; i < 32; i++)
		for (unsigned j = 0; j < 64; j += 8) {
			uint64_t v = pattern(500 + 8 * i + j / 8);
			memcpy(&z.pat[i][j], &v, 8);
		}
	z.ticks = ISO_ZMM64_TICKS;
	z.gap = ISO_GAP_TICKS;
	z.spin = spin;
	long64_call(zmm64_body, &z);
	/* the 32-bit state the main loop checks, as it was */
	load_vector_regs(want.xmm, want.ymm_hi, want.ymm);
	load_avx512(want.zmm_hi, want.k);
	info("64-bit phase: %u resumes, %u checks of ZMM0-31, differing mask 0x%x", z.resumes,
	     z.checks, z.bad);
	if (z.bad)
		test_fail("iso-zmm64", "ZMM registers (mask 0x%x) changed across reschedules",
		          z.bad);
	else if (z.resumes < ISO_ZMM64_MIN_RESUMES)
		test_fail("iso-zmm64", "only %u reschedules in 64-bit mode, want >= %u", z.resumes,
		          ISO_ZMM64_MIN_RESUMES);
	else
		test_pass("iso-zmm64");
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ull;
	return h;
}

static bool contains(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++)
		if (strncmp(s, word, n) == 0)
			return true;
	return false;
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cmdline = "isolation";
	uint64_t start, last, now, max_gap = 0, work = 1;
	unsigned resumes = 0;
	struct cpuid_regs r;
	bool spin, grow, zmm64 = true;

	if (magic == MULTIBOOT_BOOTLOADER_MAGIC && (mbi->flags & MBI_FLAG_CMDLINE))
		cmdline = (const char *)(uintptr_t)mbi->cmdline;
	seed = fnv1a(cmdline);
	spin = contains(cmdline, "spin");
	grow = contains(cmdline, "grow");
	setup_xcr0(grow, contains(cmdline, "avx512"));
	setup_fpu();
	if (!grow)
		setup_pkru();
	else
		res.skip[C_PKRU] =
			"the grow guest leaves PKRU alone, so its buffer shows the growth";
	setup_debug_regs();
	setup_cr2();
	setup_msrs();
	info("%s: xcr0=0x%llx pkru=0x%x dr7=0x%x cr2=0x%x",
	     spin ? "spinning on CPUID" : "computing", want.xcr0, want.pkru, want.dr7, want.cr2);
	check_all();

	start = last = rdtsc();
	do {
		if (spin)
			cpuid(0, 0, &r);
		else
			for (unsigned i = 0; i < 16; i++)
				work = work * 6364136223846793005ull + 1442695040888963407ull;
		now = rdtsc();
		if (now - last > ISO_GAP_TICKS) {
			resumes++;
			if (now - last > max_gap)
				max_gap = now - last;
			check_all();
		}
		last = now;
		if (zmm64 && now - start > ISO_RUN_TICKS / 2) {
			run_zmm64(spin); /* its reschedules are counted by iso-zmm64 */
			check_all();
			zmm64 = false;
			last = rdtsc();
		}
		if (grow && now - start > ISO_RUN_TICKS / 2) {
			grow_xcr0();
			grow = false;
		}
	} while (now - start < ISO_RUN_TICKS);
	check_all();

	info("resumed %u times in %llu TSC ticks, longest gap %llu, %u checks (work %llx)", resumes,
	     now - start, max_gap, res.checks, work & 0xff);
	if (resumes >= ISO_MIN_RESUMES)
		test_pass("iso-slices");
	else
		test_fail("iso-slices", "resumed only %u times in %llu TSC ticks, want >= %u",
		          resumes, now - start, ISO_MIN_RESUMES);
	for (unsigned c = 0; c < NR_CLASSES; c++) {
		if (res.skip[c])
			test_skip(class_test[c], res.skip[c]);
		else if (res.failed[c][0])
			test_fail(class_test[c], "%s", res.failed[c]);
		else
			test_pass(class_test[c]);
	}
	tests_finish();
}
