/* VMX capability arithmetic and VMX number-to-name tables. */
#include "err.h"
#include "types.h"
#include "vmx/vmx_caps.h"

#define BASIC_REVISION_MASK 0x7fffffffull
#define BASIC_SIZE_SHIFT    32
#define BASIC_SIZE_MASK     0x1fffull
#define BASIC_PHYS32        BIT(48)
#define BASIC_MEMTYPE_SHIFT 50
#define BASIC_MEMTYPE_MASK  0xfull
#define BASIC_INS_OUTS      BIT(54)
#define BASIC_TRUE_CTLS     BIT(55)

int vmx_adjust_ctls(uint32_t required, uint32_t optional, uint64_t cap_msr, uint32_t *out,
                    uint32_t *missing)
{
	uint32_t must1 = (uint32_t)cap_msr;
	uint32_t allowed1 = (uint32_t)(cap_msr >> 32);
	uint32_t lacking = required & ~allowed1;

	if (missing)
		*missing = lacking;
	if (lacking)
		return -EOPNOTSUPP;
	*out = ((required | optional) & allowed1) | must1;
	return 0;
}

int vmx_adjust_ctls64(uint64_t required, uint64_t optional, uint64_t cap_allowed1, uint64_t *out,
                      uint64_t *missing)
{
	uint64_t lacking = required & ~cap_allowed1;

	if (missing)
		*missing = lacking;
	if (lacking)
		return -EOPNOTSUPP;
	*out = (required | optional) & cap_allowed1;
	return 0;
}

uint64_t vmx_apply_fixed(uint64_t value, uint64_t fixed0, uint64_t fixed1)
{
	return (value | fixed0) & fixed1;
}

bool vmx_fixed_ok(uint64_t value, uint64_t fixed0, uint64_t fixed1)
{
	return (value & fixed0) == fixed0 && (value & ~fixed1) == 0;
}

void vmx_decode_basic(uint64_t msr, struct vmx_basic *out)
{
	out->revision = (uint32_t)(msr & BASIC_REVISION_MASK);
	out->vmcs_size = (uint32_t)((msr >> BASIC_SIZE_SHIFT) & BASIC_SIZE_MASK);
	out->true_ctls = msr & BASIC_TRUE_CTLS;
	out->ins_outs_info = msr & BASIC_INS_OUTS;
	out->mem_type = (uint8_t)((msr >> BASIC_MEMTYPE_SHIFT) & BASIC_MEMTYPE_MASK);
	out->phys_addr_32 = msr & BASIC_PHYS32;
}

void vmx_decode_ept_caps(uint64_t msr, struct vmx_ept_caps *out)
{
	out->walk4 = msr & BIT(6);
	out->uc = msr & BIT(8);
	out->wb = msr & BIT(14);
	out->pages_2m = msr & BIT(16);
	out->pages_1g = msr & BIT(17);
	out->invept = msr & BIT(20);
	out->ad = msr & BIT(21);
	out->invept_single = msr & BIT(25);
	out->invept_all = msr & BIT(26);
	out->invvpid = msr & BIT(32);
	out->invvpid_addr = msr & BIT(40);
	out->invvpid_single = msr & BIT(41);
	out->invvpid_all = msr & BIT(42);
	out->invvpid_single_ctx_global = msr & BIT(43);
}

/* VM-instruction error numbers, SDM Vol. 3C sec. 31.4, Table 31-1. */
static const char *const insn_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

/* Basic exit reasons, SDM Vol. 3D Appendix C, Table C-1. */
static const char *const exit_reasons[EXIT_REASON_MAX] = {
	[EXIT_REASON_EXCEPTION_NMI] = "exception or NMI",
	[EXIT_REASON_EXTERNAL_INTERRUPT] = "external interrupt",
	[EXIT_REASON_TRIPLE_FAULT] = "triple fault",
	[EXIT_REASON_INIT_SIGNAL] = "INIT signal",
	[EXIT_REASON_SIPI] = "start-up IPI",
	[EXIT_REASON_IO_SMI] = "I/O SMI",
	[EXIT_REASON_OTHER_SMI] = "other SMI",
	[EXIT_REASON_INTERRUPT_WINDOW] = "interrupt window",
	[EXIT_REASON_NMI_WINDOW] = "NMI window",
	[EXIT_REASON_TASK_SWITCH] = "task switch",
	[EXIT_REASON_CPUID] = "CPUID",
	[EXIT_REASON_GETSEC] = "GETSEC",
	[EXIT_REASON_HLT] = "HLT",
	[EXIT_REASON_INVD] = "INVD",
	[EXIT_REASON_INVLPG] = "INVLPG",
	[EXIT_REASON_RDPMC] = "RDPMC",
	[EXIT_REASON_RDTSC] = "RDTSC",
	[EXIT_REASON_RSM] = "RSM",
	[EXIT_REASON_VMCALL] = "VMCALL",
	[EXIT_REASON_VMCLEAR] = "VMCLEAR",
	[EXIT_REASON_VMLAUNCH] = "VMLAUNCH",
	[EXIT_REASON_VMPTRLD] = "VMPTRLD",
	[EXIT_REASON_VMPTRST] = "VMPTRST",
	[EXIT_REASON_VMREAD] = "VMREAD",
	[EXIT_REASON_VMRESUME] = "VMRESUME",
	[EXIT_REASON_VMWRITE] = "VMWRITE",
	[EXIT_REASON_VMXOFF] = "VMXOFF",
	[EXIT_REASON_VMXON] = "VMXON",
	[EXIT_REASON_CR_ACCESS] = "control-register access",
	[EXIT_REASON_DR_ACCESS] = "MOV DR",
	[EXIT_REASON_IO_INSTRUCTION] = "I/O instruction",
	[EXIT_REASON_MSR_READ] = "RDMSR",
	[EXIT_REASON_MSR_WRITE] = "WRMSR",
	[EXIT_REASON_INVALID_STATE] = "VM-entry failure: invalid guest state",
	[EXIT_REASON_MSR_LOAD_FAIL] = "VM-entry failure: MSR loading",
	[EXIT_REASON_MWAIT] = "MWAIT",
	[EXIT_REASON_MONITOR_TRAP_FLAG] = "monitor trap flag",
	[EXIT_REASON_MONITOR] = "MONITOR",
	[EXIT_REASON_PAUSE] = "PAUSE",
	[EXIT_REASON_MCE_DURING_VMENTRY] = "VM-entry failure: machine-check event",
	[EXIT_REASON_TPR_BELOW_THRESHOLD] = "TPR below threshold",
	[EXIT_REASON_APIC_ACCESS] = "APIC access",
	[EXIT_REASON_EOI_INDUCED] = "virtualized EOI",
	[EXIT_REASON_GDTR_IDTR] = "GDTR/IDTR access",
	[EXIT_REASON_LDTR_TR] = "LDTR/TR access",
	[EXIT_REASON_EPT_VIOLATION] = "EPT violation",
	[EXIT_REASON_EPT_MISCONFIG] = "EPT misconfiguration",
	[EXIT_REASON_INVEPT] = "INVEPT",
	[EXIT_REASON_RDTSCP] = "RDTSCP",
	[EXIT_REASON_PREEMPTION_TIMER] = "VMX-preemption timer expired",
	[EXIT_REASON_INVVPID] = "INVVPID",
	[EXIT_REASON_WBINVD] = "WBINVD/WBNOINVD",
	[EXIT_REASON_XSETBV] = "XSETBV",
	[EXIT_REASON_APIC_WRITE] = "APIC write",
	[EXIT_REASON_RDRAND] = "RDRAND",
	[EXIT_REASON_INVPCID] = "INVPCID",
	[EXIT_REASON_VMFUNC] = "VMFUNC",
	[EXIT_REASON_ENCLS] = "ENCLS",
	[EXIT_REASON_RDSEED] = "RDSEED",
	[EXIT_REASON_PML_FULL] = "page-modification log full",
	[EXIT_REASON_XSAVES] = "XSAVES",
	[EXIT_REASON_XRSTORS] = "XRSTORS",
	[EXIT_REASON_PCONFIG] = "PCONFIG",
	[EXIT_REASON_SPP] = "SPP-related event",
	[EXIT_REASON_UMWAIT] = "UMWAIT",
	[EXIT_REASON_TPAUSE] = "TPAUSE",
	[EXIT_REASON_LOADIWKEY] = "LOADIWKEY",
	[EXIT_REASON_ENCLV] = "ENCLV",
	[EXIT_REASON_ENQCMD_PASID_FAIL] = "ENQCMD PASID translation failure",
	[EXIT_REASON_ENQCMDS_PASID_FAIL] = "ENQCMDS PASID translation failure",
	[EXIT_REASON_BUS_LOCK] = "bus lock",
	[EXIT_REASON_NOTIFY] = "instruction timeout",
	[EXIT_REASON_SEAMCALL] = "SEAMCALL",
	[EXIT_REASON_TDCALL] = "TDCALL",
};

/* table[i] if i is in range and named, else "unknown". */
static const char *lookup(const char *const *table, size_t n, uint32_t i)
{
	if (i >= n || !table[i])
		return "unknown";
	return table[i];
}

const char *vmx_insn_error_name(uint32_t err)
{
	return lookup(insn_errors, ARRAY_SIZE(insn_errors), err);
}

const char *vmx_exit_reason_name(uint32_t reason)
{
	return lookup(exit_reasons, ARRAY_SIZE(exit_reasons), reason & VMX_EXIT_REASON_BASIC_MASK);
}
