/* Emulated MSRs (SDM Vol. 4 for the MSR definitions). MSRs the CPU switches
 * itself pass through (vmx/vmx_backend.c); everything else ends here and an
 * MSR not listed raises #GP in the guest. */
#include "vmx/msr.h"
#include "err.h"
#include "hv/log.h"
#include "hv/vm.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"
#include "x86.h"

#define MSR_IA32_TSC          0x10
#define MSR_IA32_TSC_ADJUST   0x3b
#define MSR_IA32_SPEC_CTRL    0x48
#define MSR_IA32_PRED_CMD     0x49
#define MSR_IA32_BIOS_SIGN_ID 0x8b
#define MSR_MTRRCAP           0xfe
#define MSR_IA32_MISC_ENABLE  0x1a0
#define MSR_IA32_DEBUGCTL     0x1d9
#define MSR_MTRR_DEF_TYPE     0x2ff
#define MSR_IA32_XSS          0xda0
#define MSR_X2APIC_FIRST      0x800
#define MSR_X2APIC_LAST       0x8ff

#define APIC_BASE_DEFAULT        0xfee00000ull
#define APIC_BASE_BSP            BIT(8)
#define APIC_BASE_ENABLE         BIT(11)
#define MISC_ENABLE_FAST_STRING  BIT(0)
#define MISC_ENABLE_BTS_UNAVAIL  BIT(11)
#define MISC_ENABLE_PEBS_UNAVAIL BIT(12)
#define FEATURE_CONTROL_LOCKED   BIT(0)
#define EFER_WRITABLE            (EFER_SCE | EFER_LME | EFER_NXE)
#define MTRR_DEF_TYPE_VALID      0xcffull /* type, FE, E */
#define SPEC_CTRL_VALID          0x7ull   /* IBRS, STIBP, SSBD */

/* Per-vCPU values of emulated MSRs, kept in the backend data. */
struct vmx_msr_state {
	uint64_t apic_base, tsc_adjust, mtrr_def_type, spec_ctrl;
};

static struct vmx_msr_state *msr_state(struct vcpu *v)
{
	_Static_assert(sizeof(struct vmx_msr_state) <= sizeof(((struct vcpu_vmx *)0)->msr_state),
	               "room for the emulated MSRs");
	return (struct vmx_msr_state *)to_vmx(v)->msr_state;
}

int vmx_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct vmx_msr_state *m = msr_state(v);

	switch (msr) {
	case MSR_IA32_EFER:
		*val = vmcs_read64(GUEST_IA32_EFER);
		return 0;
	case MSR_IA32_APIC_BASE:
		*val = m->apic_base
		               ? m->apic_base
		               : APIC_BASE_DEFAULT | APIC_BASE_ENABLE | (v->id ? 0 : APIC_BASE_BSP);
		return 0;
	case MSR_IA32_TSC_ADJUST:
		*val = m->tsc_adjust;
		return 0;
	case MSR_IA32_FEATURE_CONTROL:
		*val = FEATURE_CONTROL_LOCKED; /* locked with VMX off: VMX is not offered */
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = MISC_ENABLE_FAST_STRING | MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL;
		return 0;
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_MTRRCAP: /* no variable or fixed MTRRs: everything is write-back */
	case MSR_IA32_XSS:
		*val = 0;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		*val = m->mtrr_def_type;
		return 0;
	case MSR_IA32_SPEC_CTRL:
		*val = m->spec_ctrl;
		return 0;
	case MSR_IA32_DEBUGCTL:
		*val = vmcs_read64(GUEST_IA32_DEBUGCTL);
		return 0;
	}
	log_debug("vm %s: RDMSR 0x%x: not emulated, #GP", v->vm->name, msr);
	return -EINVAL;
}

static int write_efer(struct vcpu *v, uint64_t val)
{
	uint64_t old = vmcs_read64(GUEST_IA32_EFER);

	if (val & ~(EFER_WRITABLE | EFER_LMA))
		return -EINVAL;
	/* LME may not change while paging is on (SDM Vol. 3A sec. 10.8.5). */
	if (((val ^ old) & EFER_LME) && (vcpu_read_cr0(v) & CR0_PG))
		return -EINVAL;
	vmcs_write64(GUEST_IA32_EFER, (val & EFER_WRITABLE) | (old & EFER_LMA));
	return 0;
}

static void write_tsc_offset(struct vcpu *v, int64_t delta)
{
	struct vcpu_vmx *x = to_vmx(v);

	x->tsc_offset += (uint64_t)delta;
	vmcs_write64(TSC_OFFSET, x->tsc_offset);
}

int vmx_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vmx_msr_state *m = msr_state(v);

	switch (msr) {
	case MSR_IA32_EFER:
		return write_efer(v, val);
	case MSR_IA32_TSC:
		write_tsc_offset(v, (int64_t)(val - (rdtsc() + to_vmx(v)->tsc_offset)));
		return 0;
	case MSR_IA32_TSC_ADJUST:
		write_tsc_offset(v, (int64_t)(val - m->tsc_adjust));
		m->tsc_adjust = val;
		return 0;
	case MSR_IA32_APIC_BASE:
		/* kept for the guest's reads; never reaches the real local APIC */
		m->apic_base = val;
		return 0;
	case MSR_IA32_MISC_ENABLE:
	case MSR_IA32_BIOS_SIGN_ID:
		return 0;
	case MSR_IA32_PRED_CMD:
		return val > 1 ? -EINVAL : 0;
	case MSR_IA32_SPEC_CTRL:
		if (val & ~SPEC_CTRL_VALID)
			return -EINVAL;
		m->spec_ctrl = val;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		if (val & ~MTRR_DEF_TYPE_VALID)
			return -EINVAL;
		m->mtrr_def_type = val;
		return 0;
	case MSR_IA32_XSS:
	case MSR_IA32_DEBUGCTL:
		return val ? -EINVAL : 0;
	}
	log_debug("vm %s: WRMSR 0x%x = 0x%lx: not emulated, #GP", v->vm->name, msr, val);
	return -EINVAL;
}
