// SPDX-License-Identifier: MIT
/*
 * Instructions a guest must not use to reach the host, and what it sees
 * instead (as on a CPU without the feature):
 *   cpuid-monitor-pmu-hidden  CPUID.1:ECX[3] (MONITOR) = 0, leaf 0xA (PMU) = 0
 *   monitor-ud, mwait-ud      MONITOR and MWAIT raise #UD
 *   rdpmc-gp                  RDPMC raises #GP at CPL 0 ...
 *   cr4-pce-shadow            ... and CR4.PCE reads back as written ...
 *   rdpmc-user-gp             ... and RDPMC at CPL 3 with CR4.PCE set raises #GP
 *   vmcall-user-ud            VMCALL at CPL 3 raises #UD and does nothing
 *                             (EXIT with status 7 would stop the VM)
 *   vmcall-kernel             VMCALL at CPL 0 still answers
 */
#include "guest.h"

#define CR4_PCE             (1u << 8)
#define CPUID_1_ECX_MONITOR (1u << 3)
#define VEC_UD              6
#define VEC_GP              13

static uint32_t user_stack[1024] __attribute__((aligned(16)));
static volatile int user_vector;
static volatile uint32_t user_eax;

static int monitor_safe(void)
{
	fault_arm();
	asm volatile("1: monitor\n2:\n\t" EXTABLE(1b, 2b)
	             :
	             : "a"(user_stack), "c"(0), "d"(0)
	             : "memory");
	return fault_vector;
}

static int mwait_safe(void)
{
	fault_arm();
	asm volatile("1: mwait\n2:\n\t" EXTABLE(1b, 2b) : : "a"(0), "c"(0) : "memory");
	return fault_vector;
}

static int rdpmc_safe(void)
{
	uint32_t lo, hi;

	fault_arm();
	asm volatile("1: rdpmc\n2:\n\t" EXTABLE(1b, 2b)
	             : "=a"(lo), "=d"(hi)
	             : "c"(0), "a"(0), "d"(0)
	             : "memory");
	return fault_vector;
}

/* CPL 3 bodies: no I/O here, results go to globals. */
static void user_rdpmc(void)
{
	user_vector = rdpmc_safe();
}

static void user_vmcall_exit(void)
{
	uint32_t ret = 0;

	user_vector = vmcall_safe(HC_EXIT, 7, 0, 0, &ret);
	user_eax = ret;
}

static void test_cpuid(void)
{
	struct cpuid_regs r;
	uint32_t max;

	cpuid(0, 0, &r);
	max = r.eax;
	cpuid(1, 0, &r);
	test_begin("cpuid-monitor-pmu-hidden");
	CHECK(!(r.ecx & CPUID_1_ECX_MONITOR), "CPUID.1:ECX = 0x%x has MONITOR", r.ecx);
	if (max >= 0xa) {
		cpuid(0xa, 0, &r);
		CHECK(r.eax == 0, "CPUID.0xA:EAX = 0x%x, want no PMU", r.eax);
	}
	test_end();
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	uint32_t cr4, ret = 0;
	int vec;

	(void)magic;
	(void)mbi;
	if (!under_sable()) {
		test_skip("priv", "not running under Sable");
		tests_finish();
	}
	test_cpuid();
	vec = monitor_safe();
	if (vec == VEC_UD)
		test_pass("monitor-ud");
	else
		test_fail("monitor-ud", "MONITOR gave vector %d, want 6", vec);
	vec = mwait_safe();
	if (vec == VEC_UD)
		test_pass("mwait-ud");
	else
		test_fail("mwait-ud", "MWAIT gave vector %d, want 6", vec);
	vec = rdpmc_safe();
	if (vec == VEC_GP)
		test_pass("rdpmc-gp");
	else
		test_fail("rdpmc-gp", "RDPMC at CPL 0 gave vector %d, want 13", vec);

	write_cr4(read_cr4() | CR4_PCE);
	cr4 = read_cr4();
	if (cr4 & CR4_PCE)
		test_pass("cr4-pce-shadow");
	else
		test_fail("cr4-pce-shadow", "CR4 = 0x%x after setting PCE", cr4);

	user_init();
	user_vector = -2;
	user_run(user_rdpmc, (uint32_t)&user_stack[ARRAY_SIZE(user_stack)]);
	if (user_vector == VEC_GP)
		test_pass("rdpmc-user-gp");
	else
		test_fail("rdpmc-user-gp", "RDPMC at CPL 3 with CR4.PCE gave vector %d, want 13",
		          user_vector);

	user_vector = -2;
	user_run(user_vmcall_exit, (uint32_t)&user_stack[ARRAY_SIZE(user_stack)]);
	if (user_vector == VEC_UD)
		test_pass("vmcall-user-ud");
	else
		test_fail("vmcall-user-ud",
		          "VMCALL EXIT at CPL 3 gave vector %d (EAX 0x%x), want 6", user_vector,
		          user_eax);

	if (vmcall_safe(HC_VERSION, 0, 0, 0, &ret) == 0 && ret > 0 && ret != HC_ENOSYS)
		test_pass("vmcall-kernel");
	else
		test_fail("vmcall-kernel", "VERSION at CPL 0 returned 0x%x", ret);
	tests_finish();
}
