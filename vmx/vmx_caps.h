/* VMX capability arithmetic and VMX number-to-name tables (pure). */
#ifndef SABLE_VMX_VMX_CAPS_H
#define SABLE_VMX_VMX_CAPS_H

#include "types.h"

/* Basic exit reasons, bits 15:0 of the exit-reason field (SDM Vol. 3D Appendix C). */
enum vmx_exit_reason {
	EXIT_REASON_EXCEPTION_NMI = 0,
	EXIT_REASON_EXTERNAL_INTERRUPT = 1,
	EXIT_REASON_TRIPLE_FAULT = 2,
	EXIT_REASON_INIT_SIGNAL = 3,
	EXIT_REASON_SIPI = 4,
	EXIT_REASON_IO_SMI = 5,
	EXIT_REASON_OTHER_SMI = 6,
	EXIT_REASON_INTERRUPT_WINDOW = 7,
	EXIT_REASON_NMI_WINDOW = 8,
	EXIT_REASON_TASK_SWITCH = 9,
	EXIT_REASON_CPUID = 10,
	EXIT_REASON_GETSEC = 11,
	EXIT_REASON_HLT = 12,
	EXIT_REASON_INVD = 13,
	EXIT_REASON_INVLPG = 14,
	EXIT_REASON_RDPMC = 15,
	EXIT_REASON_RDTSC = 16,
	EXIT_REASON_RSM = 17,
	EXIT_REASON_VMCALL = 18,
	EXIT_REASON_VMCLEAR = 19,
	EXIT_REASON_VMLAUNCH = 20,
	EXIT_REASON_VMPTRLD = 21,
	EXIT_REASON_VMPTRST = 22,
	EXIT_REASON_VMREAD = 23,
	EXIT_REASON_VMRESUME = 24,
	EXIT_REASON_VMWRITE = 25,
	EXIT_REASON_VMXOFF = 26,
	EXIT_REASON_VMXON = 27,
	EXIT_REASON_CR_ACCESS = 28,
	EXIT_REASON_DR_ACCESS = 29,
	EXIT_REASON_IO_INSTRUCTION = 30,
	EXIT_REASON_MSR_READ = 31,
	EXIT_REASON_MSR_WRITE = 32,
	EXIT_REASON_INVALID_STATE = 33,
	EXIT_REASON_MSR_LOAD_FAIL = 34,
	EXIT_REASON_MWAIT = 36,
	EXIT_REASON_MONITOR_TRAP_FLAG = 37,
	EXIT_REASON_MONITOR = 39,
	EXIT_REASON_PAUSE = 40,
	EXIT_REASON_MCE_DURING_VMENTRY = 41,
	EXIT_REASON_TPR_BELOW_THRESHOLD = 43,
	EXIT_REASON_APIC_ACCESS = 44,
	EXIT_REASON_EOI_INDUCED = 45,
	EXIT_REASON_GDTR_IDTR = 46,
	EXIT_REASON_LDTR_TR = 47,
	EXIT_REASON_EPT_VIOLATION = 48,
	EXIT_REASON_EPT_MISCONFIG = 49,
	EXIT_REASON_INVEPT = 50,
	EXIT_REASON_RDTSCP = 51,
	EXIT_REASON_PREEMPTION_TIMER = 52,
	EXIT_REASON_INVVPID = 53,
	EXIT_REASON_WBINVD = 54,
	EXIT_REASON_XSETBV = 55,
	EXIT_REASON_APIC_WRITE = 56,
	EXIT_REASON_RDRAND = 57,
	EXIT_REASON_INVPCID = 58,
	EXIT_REASON_VMFUNC = 59,
	EXIT_REASON_ENCLS = 60,
	EXIT_REASON_RDSEED = 61,
	EXIT_REASON_PML_FULL = 62,
	EXIT_REASON_XSAVES = 63,
	EXIT_REASON_XRSTORS = 64,
	EXIT_REASON_PCONFIG = 65,
	EXIT_REASON_SPP = 66,
	EXIT_REASON_UMWAIT = 67,
	EXIT_REASON_TPAUSE = 68,
	EXIT_REASON_LOADIWKEY = 69,
	EXIT_REASON_ENCLV = 70,
	EXIT_REASON_ENQCMD_PASID_FAIL = 72,
	EXIT_REASON_ENQCMDS_PASID_FAIL = 73,
	EXIT_REASON_BUS_LOCK = 74,
	EXIT_REASON_NOTIFY = 75,
	EXIT_REASON_SEAMCALL = 76,
	EXIT_REASON_TDCALL = 77,
	EXIT_REASON_MAX /* one past the last basic exit reason named here */
};

#define VMX_EXIT_REASON_BASIC_MASK     0xffffu    /* basic exit reason, bits 15:0 */
#define VMX_EXIT_REASON_FAILED_VMENTRY (1u << 31) /* VM-entry failure (SDM Vol. 3C sec. 25.9.1) */

/*
 * Computes a control value from a capability MSR (SDM Vol. 3D A.3-A.5; VM
 * entry checks it, Vol. 3C sec. 26.2.1): the low 32 bits are the allowed-0
 * settings (bits that must be 1), the high 32 the allowed-1 settings. The result has every must-be-1 bit, every required
 * bit and each optional bit the CPU allows. Returns 0 and writes *out, or
 * -EOPNOTSUPP if a required bit is not allowed-1, leaving *out unwritten.
 * *missing (may be NULL) gets the required bits the CPU cannot set, 0 on success.
 */
int vmx_adjust_ctls(uint32_t required, uint32_t optional, uint64_t cap_msr, uint32_t *out,
                    uint32_t *missing);

/*
 * Same for a 64-bit allowed-1-only capability MSR such as
 * IA32_VMX_PROCBASED_CTLS3 (SDM Vol. 3D A.3.4): out = (required | optional) & cap.
 */
int vmx_adjust_ctls64(uint64_t required, uint64_t optional, uint64_t cap_allowed1, uint64_t *out,
                      uint64_t *missing);

/*
 * Applies CR0/CR4 fixed bits (IA32_VMX_CR0_FIXED0/1, CR4_FIXED0/1, SDM Vol. 3D
 * A.7-A.8): sets the bits that are 1 in fixed0, clears the bits that are 0 in fixed1.
 */
uint64_t vmx_apply_fixed(uint64_t value, uint64_t fixed0, uint64_t fixed1);

/* True if value has every fixed0 bit set and no bit outside fixed1 set. */
bool vmx_fixed_ok(uint64_t value, uint64_t fixed0, uint64_t fixed1);

/* IA32_VMX_BASIC (SDM Vol. 3D A.1). */
struct vmx_basic {
	uint32_t revision;  /* VMCS revision identifier, bits 30:0 */
	uint32_t vmcs_size; /* bytes of VMXON region / VMCS, bits 44:32 */
	bool true_ctls;     /* bit 55: IA32_VMX_TRUE_*_CTLS exist */
	bool ins_outs_info; /* bit 54: VM-exit instruction info for INS/OUTS */
	uint8_t mem_type;   /* bits 53:50: memory type for VMCS accesses (6 = WB) */
	bool phys_addr_32;  /* bit 48: VMX structures limited to 32-bit addresses */
};

/* Decodes IA32_VMX_BASIC into *out. */
void vmx_decode_basic(uint64_t msr, struct vmx_basic *out);

/* IA32_VMX_EPT_VPID_CAP (SDM Vol. 3D A.10). */
struct vmx_ept_caps {
	bool walk4;                     /* bit 6: 4-level page walk */
	bool wb;                        /* bit 14: write-back EPT paging structures */
	bool uc;                        /* bit 8: uncacheable EPT paging structures */
	bool pages_2m;                  /* bit 16: 2-MByte EPT pages */
	bool pages_1g;                  /* bit 17: 1-GByte EPT pages */
	bool ad;                        /* bit 21: accessed and dirty flags */
	bool invept;                    /* bit 20: INVEPT */
	bool invept_single;             /* bit 25: single-context INVEPT */
	bool invept_all;                /* bit 26: all-context INVEPT */
	bool invvpid;                   /* bit 32: INVVPID */
	bool invvpid_addr;              /* bit 40: individual-address INVVPID */
	bool invvpid_single;            /* bit 41: single-context INVVPID */
	bool invvpid_all;               /* bit 42: all-context INVVPID */
	bool invvpid_single_ctx_global; /* bit 43: single-context-retaining-globals INVVPID */
};

/* Decodes IA32_VMX_EPT_VPID_CAP into *out. */
void vmx_decode_ept_caps(uint64_t msr, struct vmx_ept_caps *out);

/* Name of a VM-instruction error number (SDM Vol. 3C sec. 31.4), "unknown" otherwise. */
const char *vmx_insn_error_name(uint32_t err);

/*
 * Name of a basic exit reason (SDM Vol. 3D Appendix C), "unknown" otherwise.
 * Only bits 15:0 are looked at, so a full exit-reason field may be passed.
 */
const char *vmx_exit_reason_name(uint32_t reason);

#endif
