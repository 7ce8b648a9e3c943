/* Per-vCPU MSR state and the speculation-control MSRs: shared by vmx/msr.c
 * (the policy table) and vmx/msr_spec.c. */
#ifndef SABLE_VMX_MSR_STATE_H
#define SABLE_VMX_MSR_STATE_H

#include "types.h"
#include "vmx/msr_rules.h"
#include "vmx/vmx.h"

#define MSR_IA32_SPEC_CTRL 0x48
#define MSR_IA32_PRED_CMD  0x49
#define MSR_IA32_FLUSH_CMD 0x10b

/* One entry of a VM-entry/VM-exit MSR-load area (SDM Vol. 3C 25.7.2, 25.8.2). */
struct vmx_msr_entry {
	uint32_t index, reserved;
	uint64_t value;
};

#define NR_SWITCHED 6

/* Per-vCPU MSR state, kept in the backend data (16-byte aligned). */
struct vmx_msr_state {
	struct vmx_msr_entry entry_load; /* guest IA32_SPEC_CTRL, loaded on VM entry */
	struct vmx_msr_entry exit_load;  /* host IA32_SPEC_CTRL, loaded on VM exit */
	uint64_t switched[NR_SWITCHED];  /* MSR_SWITCHED values, in table order */
	uint64_t tsc_adjust, mtrr_def_type, spec_ctrl, mcg_status;
	uint32_t spec_load_count; /* the MSR-load counts in the VMCS (0 or 1) */
};

static inline struct vmx_msr_state *vmx_msr_state(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);

	_Static_assert(sizeof(struct vmx_msr_state) <= sizeof(x->msr_state),
	               "room for the MSR state");
	_Static_assert(offsetof(struct vcpu_vmx, msr_state) % 16 == 0,
	               "MSR-load areas are 16-byte aligned");
	return (struct vmx_msr_state *)x->msr_state;
}

/* What every guest's CPUID says (the same for all VMs), set by vmx_msr_setup_bitmap(). */
extern struct msr_guest_caps vmx_msr_caps;

/* Reads which speculation controls the CPU itself has. */
void vmx_spec_init(void);
/* True if the guest's IA32_SPEC_CTRL lives in the CPU (host and guest have it). */
bool vmx_spec_ctrl_in_hardware(void);
int vmx_spec_ctrl_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int vmx_spec_ctrl_write(struct vcpu *v, uint32_t msr, uint64_t val);
int vmx_pred_cmd_write(struct vcpu *v, uint32_t msr, uint64_t val);
int vmx_flush_cmd_write(struct vcpu *v, uint32_t msr, uint64_t val);
/* At vcpu load: the host's IA32_SPEC_CTRL into the VM-exit area, the
 * MSR-load counts, and an IBPB if this core last ran another VM. */
void vmx_spec_load_guest(struct vcpu *v);

#endif
