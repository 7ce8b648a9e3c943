// SPDX-License-Identifier: MIT
/*
 * cpuid: what the hypervisor shows through CPUID: VMX hidden, its own
 * signature leaf, and OSXSAVE tracking the guest's CR4.
 */
#include "guest.h"

/* Copies a 12-byte CPUID signature with unprintable bytes shown as '.'. */
static void printable(char out[13], const char sig[13])
{
	int i;

	for (i = 0; i < 12 && sig[i]; i++)
		out[i] = (sig[i] >= 0x20 && sig[i] < 0x7f) ? sig[i] : '.';
	out[i] = '\0';
}

static void test_vmx_hidden(void)
{
	struct cpuid_regs r;

	cpuid(1, 0, &r);
	if (!(r.ecx & CPUID_1_ECX_HV))
		test_skip("cpuid-vmx-hidden", "CPUID.1:ECX[31] clear, not under a hypervisor");
	else if (r.ecx & CPUID_1_ECX_VMX)
		test_fail("cpuid-vmx-hidden", "CPUID.1:ECX[5] (VMX) set, ecx=0x%08x", r.ecx);
	else
		test_pass("cpuid-vmx-hidden");
}

static void test_hv_leaf(void)
{
	char sig[13], shown[13], reason[96];
	struct cpuid_regs r;
	uint32_t max;

	cpuid(1, 0, &r);
	max = hv_signature(sig);
	printable(shown, sig);
	info("cpuid.1 ecx=0x%08x hypervisor leaf max=0x%08x signature=\"%s\"", r.ecx, max, shown);
	if (strcmp(sig, SABLE_SIGNATURE) != 0) {
		snprintf(reason, sizeof(reason), "not running under Sable, signature \"%s\"",
		         shown);
		test_skip("cpuid-hypervisor-leaf", reason);
		return;
	}
	test_begin("cpuid-hypervisor-leaf");
	CHECK(r.ecx & CPUID_1_ECX_HV, "CPUID.1:ECX[31] clear, ecx=0x%08x", r.ecx);
	CHECK(max >= CPUID_HV_LEAF, "leaf 0x40000000 EAX=0x%08x, want >= 0x40000000", max);
	test_end();
}

static void test_osxsave(void)
{
	const char *name = "cpuid-osxsave";
	uint32_t cr4 = read_cr4();
	struct cpuid_regs r;
	int vec;

	if (cr4 & CR4_OSXSAVE)
		write_cr4(cr4 & ~CR4_OSXSAVE);
	cpuid(1, 0, &r);
	if (r.ecx & CPUID_1_ECX_OSXSAVE) {
		test_fail(name, "OSXSAVE set with CR4.OSXSAVE=0, ecx=0x%08x", r.ecx);
		return;
	}
	if (!(r.ecx & CPUID_1_ECX_XSAVE)) {
		test_skip(name, "CPUID.1:ECX[26] XSAVE clear");
		return;
	}
	vec = write_cr4_safe(cr4 | CR4_OSXSAVE);
	if (vec) {
		test_fail(name, "setting CR4.OSXSAVE raised vector %d", vec);
		return;
	}
	cpuid(1, 0, &r);
	write_cr4(cr4);
	if (r.ecx & CPUID_1_ECX_OSXSAVE)
		test_pass(name);
	else
		test_fail(name, "OSXSAVE clear with CR4.OSXSAVE=1, ecx=0x%08x", r.ecx);
}

#define CR0_NE   (1u << 5)
#define CR4_VMXE (1u << 13)

/* The guest sees its own CR0.NE and CR4.VMXE, whatever the hardware holds. */
static void test_cr_view(void)
{
	uint32_t cr0 = read_cr0(), seen;
	int vec;

	test_begin("cr0-ne-own-value");
	write_cr0(cr0 & ~CR0_NE);
	seen = read_cr0();
	write_cr0(cr0 | CR0_NE);
	CHECK(!(seen & CR0_NE), "CR0 read 0x%x after clearing NE", seen);
	CHECK(read_cr0() & CR0_NE, "CR0.NE not set again (0x%x)", read_cr0());
	test_end();

	test_begin("cr4-vmxe-hidden");
	CHECK(!(read_cr4() & CR4_VMXE), "CR4 0x%x shows VMXE", read_cr4());
	if (under_sable()) {
		vec = write_cr4_safe(read_cr4() | CR4_VMXE);
		CHECK(vec == X86_GP, "setting CR4.VMXE gave vector %d, want #GP", vec);
	}
	test_end();
}

int guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	(void)mbi;

	test_vmx_hidden();
	test_hv_leaf();
	test_osxsave();
	test_cr_view();
	tests_finish();
}
