// SPDX-License-Identifier: MIT
/*
 * msr: architectural MSR behaviour seen by a 32-bit guest: round trips,
 * read-only facts, and the #GP cases a hypervisor must reproduce.
 */
#include "guest.h"

#define MSR_UNKNOWN               0x00000abc /* implemented by no CPU */
#define MSR_STAR                  0xc0000081
#define MSR_LSTAR                 0xc0000082
#define MSR_CSTAR                 0xc0000083
#define MSR_FMASK                 0xc0000084
#define NONCANONICAL              0x8000000000000000ull
#define PAT_TEST                  0x0007010600070406ull /* entry 5 = WC, others the reset types */
#define TSC_AUX_TEST              0x00012345u
#define CPUID_80000001_EDX_RDTSCP (1u << 27)
#define CPUID_80000001_EDX_LM     (1u << 29)

/* True if extended leaf 0x80000001 exists and its EDX has bit. */
static bool ext_feature(uint32_t bit)
{
	struct cpuid_regs r;

	cpuid(0x80000000, 0, &r);
	if (r.eax < 0x80000001)
		return false;
	cpuid(0x80000001, 0, &r);
	return r.edx & bit;
}

/*
 * Reports a fault that must be #GP: PASS on vector 13. Outside Sable a missing
 * fault is a SKIP (QEMU TCG does not model these #GPs), under Sable a FAIL.
 */
static void expect_gp(const char *name, int vec, const char *what)
{
	char reason[128];

	if (vec == X86_GP) {
		test_pass(name);
	} else if (vec) {
		test_fail(name, "%s raised vector %d, want 13 (#GP)", what, vec);
	} else if (under_tcg()) {
		snprintf(reason, sizeof(reason), "QEMU TCG does not raise #GP for %s", what);
		test_skip(name, reason);
	} else if (!under_sable()) {
		snprintf(reason, sizeof(reason), "%s did not #GP and not running under Sable",
		         what);
		test_skip(name, reason);
	} else {
		test_fail(name, "%s did not raise #GP", what);
	}
}

/* Writes val to msr, reads it back, and restores the old value. Returns true if all went well. */
static bool round_trip(uint32_t msr, uint64_t val)
{
	uint64_t old, got = 0;
	int vec;

	if (!CHECK(rdmsr_safe(msr, &old) == 0, "rdmsr 0x%x faulted (vector %d)", msr, fault_vector))
		return false;
	vec = wrmsr_safe(msr, val);
	if (!CHECK(vec == 0, "wrmsr 0x%x <- 0x%llx raised vector %d", msr, val, vec))
		return false;
	vec = rdmsr_safe(msr, &got);
	wrmsr(msr, old);
	if (!CHECK(vec == 0, "rdmsr 0x%x after write raised vector %d", msr, vec))
		return false;
	return CHECK(got == val, "msr 0x%x: wrote 0x%llx, read 0x%llx", msr, val, got);
}

static void test_sysenter(void)
{
	test_begin("msr-sysenter");
	round_trip(MSR_IA32_SYSENTER_CS, 0x1234);
	round_trip(MSR_IA32_SYSENTER_ESP, 0x12345670);
	round_trip(MSR_IA32_SYSENTER_EIP, 0x0badc0de);
	test_end();
}

static void test_pat(void)
{
	uint64_t old, now;
	int vec;

	test_begin("msr-pat");
	round_trip(MSR_IA32_PAT, PAT_TEST);
	test_end();

	/* Type 0x02 is reserved: the write must #GP and change nothing. */
	old = rdmsr(MSR_IA32_PAT);
	vec = wrmsr_safe(MSR_IA32_PAT, (old & ~0xffull) | 0x02);
	now = rdmsr(MSR_IA32_PAT);
	wrmsr(MSR_IA32_PAT, old);
	if (vec == X86_GP && now != old)
		test_fail("msr-pat-invalid-gp", "PAT changed to 0x%llx despite #GP", now);
	else
		expect_gp("msr-pat-invalid-gp", vec, "a reserved PAT memory type");
}

/* IA32_TSC must advance and agree with RDTSC (same offset under a hypervisor). */
static void test_tsc(void)
{
	uint64_t t1, a, b, t2;

	t1 = rdtsc();
	a = rdmsr(MSR_IA32_TSC);
	b = rdmsr(MSR_IA32_TSC);
	t2 = rdtsc();
	if (a == 0 && b == 0 && under_tcg()) {
		test_skip("msr-tsc", "QEMU TCG reads IA32_TSC as 0");
		return;
	}
	test_begin("msr-tsc");
	CHECK(b > a, "IA32_TSC did not increase: 0x%llx then 0x%llx", a, b);
	CHECK(t1 <= a && b <= t2, "IA32_TSC 0x%llx..0x%llx outside RDTSC 0x%llx..0x%llx", a, b, t1,
	      t2);
	test_end();
}

static void test_efer(void)
{
	uint64_t efer;
	int vec;

	if (!ext_feature(CPUID_80000001_EDX_LM)) {
		test_skip("msr-efer", "no long mode (CPUID.80000001h:EDX[29])");
		return;
	}
	test_begin("msr-efer");
	vec = rdmsr_safe(MSR_IA32_EFER, &efer);
	if (CHECK(vec == 0, "rdmsr EFER raised vector %d", vec)) {
		info("efer=0x%llx", efer);
		CHECK(!(efer & (EFER_LME | EFER_LMA)), "EFER=0x%llx has LME/LMA in 32-bit mode",
		      efer);
	}
	test_end();
}

/* Canonical round trips on one segment-base MSR, then the non-canonical #GP. */
static void test_base(const char *name, const char *gp_name, uint32_t msr)
{
	uint64_t old, now;
	char what[64];
	int vec;

	test_begin(name);
	round_trip(msr, 0x00007fffabcd1000ull);
	round_trip(msr, 0xffff800012345000ull);
	round_trip(msr, 0x0000000012345678ull);
	test_end();

	old = rdmsr(msr);
	vec = wrmsr_safe(msr, NONCANONICAL);
	now = rdmsr(msr);
	wrmsr(msr, old);
	snprintf(what, sizeof(what), "a non-canonical write to MSR 0x%x", msr);
	if (vec == X86_GP && now != old)
		test_fail(gp_name, "MSR 0x%x changed 0x%llx -> 0x%llx despite #GP", msr, old, now);
	else
		expect_gp(gp_name, vec, what);
}

static void test_bases(void)
{
	if (!ext_feature(CPUID_80000001_EDX_LM)) {
		test_skip("msr-segment-bases", "no long mode (CPUID.80000001h:EDX[29])");
		return;
	}
	test_base("msr-kernel-gs-base", "msr-kernel-gs-base-gp", MSR_IA32_KERNEL_GS_BASE);
	test_base("msr-fs-base", "msr-fs-base-gp", MSR_IA32_FS_BASE);
	test_base("msr-gs-base", "msr-gs-base-gp", MSR_IA32_GS_BASE);
}

/* The SYSCALL MSRs: their writes are checked by the hypervisor (they exit, so
 * that a vCPU switch need not read them back): STAR takes any value, LSTAR and
 * CSTAR canonical addresses, FMASK bits 31:0 only. */
static void test_syscall_msrs(void)
{
	uint64_t old;
	int vec;

	if (!ext_feature(CPUID_80000001_EDX_LM)) {
		test_skip("msr-syscall", "no long mode (CPUID.80000001h:EDX[29])");
		return;
	}
	test_begin("msr-star");
	old = rdmsr(MSR_STAR);
	round_trip(MSR_STAR, 0x0023001000000000ull);
	round_trip(MSR_STAR, 0xffffffffffffffffull);
	wrmsr(MSR_STAR, old);
	test_end();
	test_base("msr-lstar", "msr-lstar-gp", MSR_LSTAR);
	test_base("msr-cstar", "msr-cstar-gp", MSR_CSTAR);
	old = rdmsr(MSR_FMASK);
	vec = wrmsr_safe(MSR_FMASK, 1ull << 32);
	if (vec == X86_GP && rdmsr(MSR_FMASK) != old)
		test_fail("msr-fmask-gp", "FMASK changed despite #GP");
	else
		expect_gp("msr-fmask-gp", vec, "a write of FMASK bit 32");
	wrmsr(MSR_FMASK, old);
}

static void test_tsc_aux(void)
{
	uint64_t old;
	uint32_t aux = 0;

	if (!ext_feature(CPUID_80000001_EDX_RDTSCP)) {
		test_skip("msr-tsc-aux", "no RDTSCP (CPUID.80000001h:EDX[27])");
		return;
	}
	test_begin("msr-tsc-aux");
	old = rdmsr(MSR_IA32_TSC_AUX);
	if (round_trip(MSR_IA32_TSC_AUX, TSC_AUX_TEST)) {
		wrmsr(MSR_IA32_TSC_AUX, TSC_AUX_TEST);
		rdtscp(&aux);
		wrmsr(MSR_IA32_TSC_AUX, old);
		CHECK(aux == TSC_AUX_TEST, "RDTSCP ECX=0x%x, want 0x%x", aux, TSC_AUX_TEST);
	}
	test_end();
}

static void test_unknown(void)
{
	const char *name = "msr-unknown-gp";
	uint64_t v = 0;
	int rvec, wvec;

	if (under_tcg()) {
		test_skip(name, "QEMU TCG does not raise #GP for unknown MSRs");
		return;
	}
	rvec = rdmsr_safe(MSR_UNKNOWN, &v);
	wvec = wrmsr_safe(MSR_UNKNOWN, 0);
	if (rvec == X86_GP && wvec == X86_GP)
		test_pass(name);
	else if (!under_sable() && (rvec == 0 || wvec == 0))
		test_skip(name, "QEMU TCG does not raise #GP for unknown MSRs");
	else
		test_fail(name,
		          "MSR 0x%x: rdmsr vector %d (value 0x%llx), wrmsr vector %d, want 13",
		          MSR_UNKNOWN, rvec, v, wvec);
}

/* IA32_APIC_BASE reads as an enabled xAPIC at 0xFEE00000 on the boot CPU; the
 * x2APIC MSRs #GP while the APIC is not in x2APIC mode (SDM Vol. 3A 11.12.1). */
static void test_apic(void)
{
	uint64_t base = 0, v = 0;
	int vec;

	test_begin("msr-apic-base");
	vec = rdmsr_safe(0x1b, &base);
	if (CHECK(vec == 0, "rdmsr IA32_APIC_BASE faulted (vector %d)", vec))
		CHECK((base & 0xfffff900ull) == 0xfee00900ull,
		      "IA32_APIC_BASE 0x%llx, want 0xfee00000 | enable | BSP", base);
	test_end();
	if (!under_sable()) {
		test_skip("msr-x2apic-gp", "not under Sable (emulators differ)");
		return;
	}
	vec = rdmsr_safe(0x802, &v);
	if (vec == X86_GP)
		test_pass("msr-x2apic-gp");
	else
		test_fail("msr-x2apic-gp", "rdmsr 0x802 (x2APIC ID) gave vector %d value 0x%llx",
		          vec, v);
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	(void)mbi;

	test_sysenter();
	test_pat();
	test_tsc();
	test_efer();
	test_bases();
	test_syscall_msrs();
	test_tsc_aux();
	test_unknown();
	test_apic();
	tests_finish();
}
