/* Whether this CPU can run the hypervisor at all (SDM Vol. 3C sec. 24.6-24.7). */
#include "hv/log.h"
#include "hv/panic.h"
#include "x86.h"

#define CPUID_1_ECX_VMX                   BIT(5)
#define FEATURE_CONTROL_LOCKED            BIT(0)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX BIT(2)

void vmx_check_support(void);

/* Refuses cleanly (one line naming the reason, then stop) when VMX is unusable. */
void vmx_check_support(void)
{
	uint64_t fc;

	if (!(cpuid(1).ecx & CPUID_1_ECX_VMX)) {
		log_err("VMX not supported by this CPU: Sable cannot run here");
		hv_stop(STOP_REFUSED);
	}
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCKED) && !(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)) {
		log_err("VMX disabled by firmware (IA32_FEATURE_CONTROL locked without VMXON): "
		        "enable VT-x in the firmware setup");
		hv_stop(STOP_REFUSED);
	}
	log_info("VMX present (IA32_FEATURE_CONTROL 0x%lx)", fc);
}
