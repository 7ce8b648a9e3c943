// SPDX-License-Identifier: MIT
/*
 * Sable guest library: hypervisor detection (CPUID) and VMCALL hypercalls.
 */
#include "guest.h"

uint32_t hv_signature(char sig[13])
{
	struct cpuid_regs r;

	sig[0] = '\0';
	cpuid(1, 0, &r);
	if (!(r.ecx & CPUID_1_ECX_HV))
		return 0;
	cpuid(CPUID_HV_LEAF, 0, &r);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	return r.eax;
}

static bool hv_is(const char *want)
{
	char sig[13];

	hv_signature(sig);
	return strcmp(sig, want) == 0;
}

bool under_sable(void)
{
	return hv_is(SABLE_SIGNATURE);
}

bool under_tcg(void)
{
	return hv_is(TCG_SIGNATURE);
}

bool under_kvm(void)
{
	return hv_is(KVM_SIGNATURE);
}

uint32_t vmcall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
	asm volatile("vmcall" : "+a"(nr), "+b"(a1), "+c"(a2), "+d"(a3) : : "memory");
	return nr;
}

int vmcall_safe(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t *ret)
{
	fault_arm();
	asm volatile("1: vmcall\n2:\n\t" EXTABLE(1b, 2b)
	             : "+a"(nr), "+b"(a1), "+c"(a2), "+d"(a3)
	             :
	             : "memory");
	if (fault_vector >= 0)
		return fault_vector;
	*ret = nr;
	return 0;
}
