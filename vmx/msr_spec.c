/*
 * Speculation controls, virtualized for real: the guest's IA32_SPEC_CTRL is in
 * the CPU while the guest runs, IBPB and L1D_FLUSH commands reach the CPU, and
 * a core that switches from one VM to another issues an IBPB. The bits a guest
 * may use follow its CPUID (vmx/msr_rules.c).
 */
#include "err.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/vm.h"
#include "kstring.h"
#include "vmx/msr_state.h"
#include "vmx/vmx_ops.h"
#include "x86.h"
#include "cpuid_bits.h"

static bool host_spec_ctrl, host_ibpb, host_l1d_flush;
/* The VM whose vCPU this core ran last, by serial (a freed VM's memory and
 * slot are reused) and name (for the report). */
static uint64_t last_vm[MAX_CPUS];
static char last_vm_name[MAX_CPUS][VMCONFIG_NAME_MAX + 1];
static bool ibpb_reported[MAX_CPUS];

void vmx_spec_init(void)
{
	struct cpuid_regs r;

	cpuid_count(0, 0, &r);
	if (r.eax < 7)
		return;
	cpuid_count(7, 0, &r);
	host_spec_ctrl = r.edx & (CPUID_7_EDX_IBRS_IBPB | CPUID_7_EDX_STIBP | CPUID_7_EDX_SSBD);
	host_ibpb = r.edx & CPUID_7_EDX_IBRS_IBPB;
	host_l1d_flush = r.edx & CPUID_7_EDX_L1D_FLUSH;
}

bool vmx_spec_ctrl_in_hardware(void)
{
	return host_spec_ctrl && msr_spec_ctrl_exists(&vmx_msr_caps);
}

/* The guest value goes into hardware through the VM-entry MSR-load area and
 * the host's comes back through the VM-exit one, only while they differ. */
static void spec_ctrl_sync(struct vcpu *v)
{
	struct vmx_msr_state *m = vmx_msr_state(v);
	uint32_t n = m->spec_ctrl != m->exit_load.value;

	m->entry_load.value = m->spec_ctrl;
	if (n == m->spec_load_count)
		return;
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, n);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, n);
	m->spec_load_count = n;
}

int vmx_spec_ctrl_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (!msr_spec_ctrl_exists(&vmx_msr_caps))
		return -EINVAL;
	*val = vmx_msr_state(v)->spec_ctrl;
	return 0;
}

int vmx_spec_ctrl_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (!msr_spec_ctrl_exists(&vmx_msr_caps) || (val & ~msr_spec_ctrl_valid(&vmx_msr_caps)))
		return -EINVAL;
	vmx_msr_state(v)->spec_ctrl = val;
	if (host_spec_ctrl)
		spec_ctrl_sync(v);
	return 0;
}

int vmx_pred_cmd_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	uint64_t valid = msr_pred_cmd_valid(&vmx_msr_caps);

	if (!valid || (val & ~valid))
		return -EINVAL;
	if ((val & PRED_CMD_IBPB) && host_ibpb)
		wrmsr(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
	return 0;
}

int vmx_flush_cmd_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	uint64_t valid = msr_flush_cmd_valid(&vmx_msr_caps);

	if (!valid || (val & ~valid))
		return -EINVAL;
	if ((val & FLUSH_CMD_L1D_FLUSH) && host_l1d_flush)
		wrmsr(MSR_IA32_FLUSH_CMD, FLUSH_CMD_L1D_FLUSH);
	return 0;
}

/* An IBPB when this core goes from one VM's vCPU to another VM's, so that no
 * VM's branch predictions steer another's. */
static void ibpb_on_vm_switch(struct vcpu *v)
{
	uint32_t cpu = cpu_id();
	uint64_t prev = last_vm[cpu];
	char prev_name[VMCONFIG_NAME_MAX + 1];

	if (prev == v->vm->serial)
		return;
	memcpy(prev_name, last_vm_name[cpu], sizeof(prev_name));
	last_vm[cpu] = v->vm->serial;
	memcpy(last_vm_name[cpu], v->vm->name, sizeof(last_vm_name[cpu]));
	if (!host_ibpb || !prev)
		return;
	wrmsr(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
	if (!ibpb_reported[cpu]) {
		ibpb_reported[cpu] = true;
		log_info("vm %s: IBPB on switching this core from vm %s (reported once per core)",
		         v->vm->name, prev_name);
	}
}

/* The host's IA32_SPEC_CTRL on each CPU, read at its first vCPU load: the
 * hypervisor never changes it (the VM-exit MSR-load area restores it). */
static uint64_t host_spec_value[MAX_CPUS];
static bool host_spec_known[MAX_CPUS];

void vmx_spec_load_guest(struct vcpu *v)
{
	struct vmx_msr_state *m = vmx_msr_state(v);
	uint32_t cpu = cpu_id();

	if (host_spec_ctrl) {
		if (!host_spec_known[cpu]) {
			host_spec_value[cpu] = rdmsr(MSR_IA32_SPEC_CTRL);
			host_spec_known[cpu] = true;
		}
		m->exit_load.value = host_spec_value[cpu];
		spec_ctrl_sync(v);
	}
	ibpb_on_vm_switch(v);
}
