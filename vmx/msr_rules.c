/* Validity rules for guest writes to emulated MSRs (pure; see msr_rules.h). */
#include "vmx/msr_rules.h"
#include "err.h"
#include "cpuid_bits.h"

#define MAXPHYADDR_DEFAULT 36u /* without leaf 0x80000008 (SDM Vol. 3A 4.1.4) */
#define VADDR_BITS_DEFAULT 48u /* without it: 4-level paging's width */

#define MTRR_DEF_TYPE_RESERVED (~(MTRR_DEF_TYPE_TYPE | MTRR_DEF_TYPE_FE | MTRR_DEF_TYPE_E))

void msr_guest_caps_init(struct msr_guest_caps *caps, msr_cpuid_fn cpuid, void *ctx)
{
	struct cpuid_regs r;
	uint32_t max_basic, max_ext;

	*caps = (struct msr_guest_caps){.maxphyaddr = MAXPHYADDR_DEFAULT,
	                                .vaddr_bits = VADDR_BITS_DEFAULT};
	cpuid(ctx, 0, 0, &r);
	max_basic = r.eax;
	cpuid(ctx, 1, 0, &r);
	caps->x2apic = r.ecx & CPUID_1_ECX_X2APIC;
	caps->tsc_deadline = r.ecx & CPUID_1_ECX_TSC_DEADLINE;
	caps->mca = r.edx & CPUID_1_EDX_MCA;
	if (max_basic >= 7) {
		cpuid(ctx, 7, 0, &r);
		caps->tsc_adjust = r.ebx & CPUID_7_EBX_TSC_ADJUST;
		caps->cpuid7_edx = r.edx;
		if (r.eax >= 2) { /* EAX of subleaf 0: highest subleaf */
			cpuid(ctx, 7, 2, &r);
			caps->cpuid7_2_edx = r.edx;
		}
	}
	if (max_basic >= 0xd) {
		cpuid(ctx, 0xd, 1, &r);
		caps->xsaves = r.eax & CPUID_D_1_EAX_XSAVES;
	}
	cpuid(ctx, 0x80000000, 0, &r);
	max_ext = r.eax;
	if (max_ext >= 0x80000001 && max_ext <= 0x8fffffff) {
		cpuid(ctx, 0x80000001, 0, &r);
		caps->lm = r.edx & CPUID_80000001_EDX_LM;
		caps->nx = r.edx & CPUID_80000001_EDX_NX;
		caps->syscall = (r.edx & CPUID_80000001_EDX_SYSCALL) || caps->lm;
	}
	if (max_ext >= 0x80000008 && max_ext <= 0x8fffffff) {
		cpuid(ctx, 0x80000008, 0, &r);
		if (r.eax & 0xff)
			caps->maxphyaddr = r.eax & 0xff;
		if ((r.eax >> 8) & 0xff)
			caps->vaddr_bits = (r.eax >> 8) & 0xff;
	}
}

int msr_syscall_target_check(const struct msr_guest_caps *caps, uint64_t val)
{
	unsigned bits = caps->vaddr_bits < 64 ? caps->vaddr_bits : 64;
	/* canonical: bits 63 down to bits-1 all equal */
	int64_t top = (int64_t)val >> (bits - 1);

	return bits == 64 || top == 0 || top == -1 ? 0 : -EINVAL;
}

int msr_mtrr_def_type_check(uint64_t val)
{
	switch (val & MTRR_DEF_TYPE_TYPE) {
	case 0: /* UC */
	case 1: /* WC */
	case 4: /* WT */
	case 5: /* WP */
	case MTRR_TYPE_WB:
		break;
	default:
		return -EINVAL;
	}
	return val & MTRR_DEF_TYPE_RESERVED ? -EINVAL : 0;
}

/*
 * DEBUGCTL: LBR (bit 0) would need the LBR stack MSRs, and BTF (bit 1) the
 * CPU's branch single-stepping under VMX, neither of which Sable virtualizes;
 * the other bits are enumerated off: BTS/BTINT/BTS_OFF_* need DS
 * (CPUID.1:EDX[21], hidden), the freeze and PMI bits a PMU (leaf 0xA, zero),
 * FREEZE_WHILE_SMM IA32_PERF_CAPABILITIES (PDCM, hidden).
 */
uint64_t msr_debugctl_valid(const struct msr_guest_caps *caps)
{
	(void)caps;
	return 0;
}

bool msr_spec_ctrl_exists(const struct msr_guest_caps *caps)
{
	return caps->cpuid7_edx & (CPUID_7_EDX_IBRS_IBPB | CPUID_7_EDX_STIBP | CPUID_7_EDX_SSBD);
}

uint64_t msr_spec_ctrl_valid(const struct msr_guest_caps *caps)
{
	uint32_t e = caps->cpuid7_edx, e2 = caps->cpuid7_2_edx;
	uint64_t v = 0;

	if (!msr_spec_ctrl_exists(caps))
		return 0;
	if (e & CPUID_7_EDX_IBRS_IBPB)
		v |= SPEC_CTRL_IBRS;
	if (e & CPUID_7_EDX_STIBP)
		v |= SPEC_CTRL_STIBP;
	if (e & CPUID_7_EDX_SSBD)
		v |= SPEC_CTRL_SSBD;
	if (e2 & CPUID_7_2_EDX_IPRED_CTRL)
		v |= SPEC_CTRL_IPRED_DIS_U | SPEC_CTRL_IPRED_DIS_S;
	if (e2 & CPUID_7_2_EDX_RRSBA_CTRL)
		v |= SPEC_CTRL_RRSBA_DIS_U | SPEC_CTRL_RRSBA_DIS_S;
	if (e2 & CPUID_7_2_EDX_PSFD)
		v |= SPEC_CTRL_PSFD;
	if (e2 & CPUID_7_2_EDX_DDPD_U)
		v |= SPEC_CTRL_DDPD_U;
	if (e2 & CPUID_7_2_EDX_BHI_CTRL)
		v |= SPEC_CTRL_BHI_DIS_S;
	return v;
}

uint64_t msr_pred_cmd_valid(const struct msr_guest_caps *caps)
{
	return caps->cpuid7_edx & CPUID_7_EDX_IBRS_IBPB ? PRED_CMD_IBPB : 0;
}

uint64_t msr_flush_cmd_valid(const struct msr_guest_caps *caps)
{
	return caps->cpuid7_edx & CPUID_7_EDX_L1D_FLUSH ? FLUSH_CMD_L1D_FLUSH : 0;
}

/* LMCE_S (bit 3) exists only with MCG_CAP[27], which reads 0. */
uint64_t msr_mcg_status_valid(const struct msr_guest_caps *caps)
{
	(void)caps;
	return MCG_STATUS_RIPV | MCG_STATUS_EIPV | MCG_STATUS_MCIP;
}

uint64_t msr_mcg_cap(const struct msr_guest_caps *caps)
{
	(void)caps;
	return 0;
}

int msr_efer_write(const struct msr_guest_caps *caps, uint64_t old, uint64_t val, bool paging,
                   uint64_t *out)
{
	uint64_t writable = 0;

	if (caps->syscall)
		writable |= MSR_EFER_SCE;
	if (caps->lm)
		writable |= MSR_EFER_LME;
	if (caps->nx)
		writable |= MSR_EFER_NXE;
	/* LMA is read-only: a written LMA bit is ignored (the CPU sets it) */
	if (val & ~(writable | MSR_EFER_LMA))
		return -EINVAL;
	if (((val ^ old) & MSR_EFER_LME) && paging)
		return -EINVAL;
	*out = (val & writable) | (old & MSR_EFER_LMA);
	return 0;
}

void msr_tsc_write(struct msr_tsc *t, uint64_t host_now, uint64_t val)
{
	uint64_t delta = val - (host_now + t->offset);

	t->offset += delta;
	t->adjust += delta;
}

void msr_tsc_adjust_write(struct msr_tsc *t, uint64_t val)
{
	t->offset += val - t->adjust;
	t->adjust = val;
}
