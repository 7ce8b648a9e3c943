/*
 * Which values a guest's WRMSR may write to the MSRs Sable emulates (pure).
 * Bit layouts: SDM Vol. 4 ch. 2 (architectural MSRs); the CPUID bits that
 * enumerate them: SDM Vol. 2A, CPUID. Every rule takes the guest's view of
 * CPUID, so an MSR bit is writable exactly when the guest is told it exists.
 */
#ifndef SABLE_VMX_MSR_RULES_H
#define SABLE_VMX_MSR_RULES_H

#include "cpuid_regs.h"
#include "types.h"

/* IA32_MTRR_DEF_TYPE (SDM Vol. 3A 11.11.2.1). */
#define MTRR_DEF_TYPE_TYPE 0xffull
#define MTRR_DEF_TYPE_FE   BIT(10)
#define MTRR_DEF_TYPE_E    BIT(11)
#define MTRR_TYPE_WB       6u

/* IA32_SPEC_CTRL, IA32_PRED_CMD, IA32_FLUSH_CMD (SDM Vol. 4 table 2-2). */
#define SPEC_CTRL_IBRS        BIT(0)
#define SPEC_CTRL_STIBP       BIT(1)
#define SPEC_CTRL_SSBD        BIT(2)
#define SPEC_CTRL_IPRED_DIS_U BIT(3)
#define SPEC_CTRL_IPRED_DIS_S BIT(4)
#define SPEC_CTRL_RRSBA_DIS_U BIT(5)
#define SPEC_CTRL_RRSBA_DIS_S BIT(6)
#define SPEC_CTRL_PSFD        BIT(7)
#define SPEC_CTRL_DDPD_U      BIT(8)
#define SPEC_CTRL_BHI_DIS_S   BIT(10)
#define PRED_CMD_IBPB         BIT(0)
#define FLUSH_CMD_L1D_FLUSH   BIT(0)

/* IA32_MCG_CAP, IA32_MCG_STATUS (SDM Vol. 3B 15.3.1). */
#define MCG_STATUS_RIPV BIT(0)
#define MCG_STATUS_EIPV BIT(1)
#define MCG_STATUS_MCIP BIT(2)

/* IA32_EFER (SDM Vol. 4 table 2-2). */
#define MSR_EFER_SCE BIT(0)
#define MSR_EFER_LME BIT(8)
#define MSR_EFER_LMA BIT(10)
#define MSR_EFER_NXE BIT(11)

/* IA32_MISC_ENABLE as guests read it: fast strings on, no BTS, no PEBS. */
#define MISC_ENABLE_FAST_STRING  BIT(0)
#define MISC_ENABLE_BTS_UNAVAIL  BIT(11)
#define MISC_ENABLE_PEBS_UNAVAIL BIT(12)
#define MSR_MISC_ENABLE_VALUE                                                                      \
	(MISC_ENABLE_FAST_STRING | MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL)

/* The guest CPUID facts the MSR rules depend on. */
struct msr_guest_caps {
	uint32_t maxphyaddr;   /* CPUID.80000008H:EAX[7:0], 36 without that leaf */
	uint32_t vaddr_bits;   /* CPUID.80000008H:EAX[15:8], 48 without that leaf */
	bool x2apic;           /* CPUID.1:ECX[21] */
	bool tsc_deadline;     /* CPUID.1:ECX[24]: IA32_TSC_DEADLINE exists */
	bool mca;              /* CPUID.1:EDX[14]: IA32_MCG_CAP/STATUS exist */
	bool tsc_adjust;       /* CPUID.(7,0):EBX[1] */
	bool xsaves;           /* CPUID.(0xD,1):EAX[3]: IA32_XSS exists */
	bool lm, nx, syscall;  /* CPUID.80000001H:EDX[29], [20], [11] */
	uint32_t cpuid7_edx;   /* CPUID.(7,0):EDX: speculation controls */
	uint32_t cpuid7_2_edx; /* CPUID.(7,2):EDX: further SPEC_CTRL bits */
};

typedef void (*msr_cpuid_fn)(void *ctx, uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out);

/* Fills *caps from the CPUID a guest sees (cpuid answers as the guest's CPUID does). */
void msr_guest_caps_init(struct msr_guest_caps *caps, msr_cpuid_fn cpuid, void *ctx);

/* IA32_LSTAR, IA32_CSTAR: 0, or -EINVAL (#GP) for an address that is not
 * canonical in the guest's linear-address width (SDM Vol. 4 table 2-2,
 * WRMSR in Vol. 2B). */
int msr_syscall_target_check(const struct msr_guest_caps *caps, uint64_t val);

/* IA32_MTRR_DEF_TYPE: type UC, WC, WT, WP or WB, FE, E; nothing else. */
int msr_mtrr_def_type_check(uint64_t val);
/* IA32_DEBUGCTL bits a guest may set: none (no LBR, BTF, BTS or PMU freeze). */
uint64_t msr_debugctl_valid(const struct msr_guest_caps *caps);
/* IA32_SPEC_CTRL bits the guest's CPUID enumerates; 0 = the MSR does not exist. */
uint64_t msr_spec_ctrl_valid(const struct msr_guest_caps *caps);
/* True if the guest has IA32_SPEC_CTRL at all (any enumerating bit). */
bool msr_spec_ctrl_exists(const struct msr_guest_caps *caps);
/* IA32_PRED_CMD / IA32_FLUSH_CMD command bits; 0 = the MSR does not exist. */
uint64_t msr_pred_cmd_valid(const struct msr_guest_caps *caps);
uint64_t msr_flush_cmd_valid(const struct msr_guest_caps *caps);
/* IA32_MCG_STATUS bits a guest may write (with zero banks and no LMCE). */
uint64_t msr_mcg_status_valid(const struct msr_guest_caps *caps);
/* IA32_MCG_CAP as the guest reads it: zero banks, no MCG_CTL, no extensions. */
uint64_t msr_mcg_cap(const struct msr_guest_caps *caps);

/* IA32_EFER: 0, or -EINVAL for a reserved or unoffered bit, or a change of LME
 * while paging is on (SDM Vol. 3A 10.8.5). *out = the new value (LMA kept). */
int msr_efer_write(const struct msr_guest_caps *caps, uint64_t old, uint64_t val, bool paging,
                   uint64_t *out);

/* The guest's TSC is host TSC + offset; IA32_TSC_ADJUST is tracked alongside. */
struct msr_tsc {
	uint64_t offset; /* added to the host TSC (VMCS TSC offset) */
	uint64_t adjust; /* the guest's IA32_TSC_ADJUST */
};

/* WRMSR IA32_TSC = val at host TSC host_now: the offset and TSC_ADJUST move by
 * the same delta (SDM Vol. 3B 17.17.3). */
void msr_tsc_write(struct msr_tsc *t, uint64_t host_now, uint64_t val);
/* WRMSR IA32_TSC_ADJUST = val: the TSC moves by the change. */
void msr_tsc_adjust_write(struct msr_tsc *t, uint64_t val);

#endif
