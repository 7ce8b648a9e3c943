/* VMX capabilities and per-CPU VMX operation (SDM Vol. 3C ch. 24, 25.6-25.8, 26.2). */
#include "vmx/vmx.h"
#include "err.h"
#include "fpu/fpu.h"
#include "hv/config/options.h"
#include "hv/log.h"
#include "hv/panic.h"
#include "hv/lib/format.h"
#include "hv/percpu.h"
#include "hv/vm.h"
#include "mm/mm.h"
#include "vmx/vmx_ops.h"
#include "x86.h"
#include "cpuid_bits.h"

#define FEATURE_CONTROL_LOCKED            BIT(0)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX BIT(2)
#define VMX_MISC_PREEMPTION_SHIFT_MASK    0x1f

struct vmx_config vmx_cfg;
static hpa_t vmxon_region[MAX_CPUS];
static bool vmx_on[MAX_CPUS]; /* the CPU is in VMX operation (VMXON succeeded) */

_Static_assert(offsetof(struct vcpu, cr2) == 21 * 8, "vmx/entry.asm CR2_OFF");
_Static_assert(offsetof(struct vcpu, host_rsp) == 22 * 8, "vmx/entry.asm HOST_RSP_OFF");

/* The vCPU of this CPU's run queue whose VMCS is current here, or NULL. */
static struct vcpu *vmcs_owner(hpa_t vmcs)
{
	if (vmcs == INVALID_HPA)
		return NULL;
	for (struct sched_entity *e = this_cpu()->rq.head; e; e = e->next) {
		struct vcpu *v = container_of(e, struct vcpu, se);
		if (to_vmx(v) && to_vmx(v)->vmcs == vmcs)
			return v;
	}
	return NULL;
}

/*
 * A VMREAD or VMWRITE failed: always a hypervisor bug (a field this CPU lacks,
 * a read-only field, no current VMCS). VMfailInvalid leaves no error number;
 * VMfailValid stores it in the VM-instruction error field (SDM Vol. 3C
 * sec. 31.2, 31.4). The VM whose VMCS is current stops; without one, panic.
 */
void vmcs_access_failed(const char *what)
{
	hpa_t vmcs = vmptrst();
	struct vcpu *v = vmcs_owner(vmcs);
	uint64_t err;

	if (vmcs == INVALID_HPA || !vmread_raw(VM_INSTRUCTION_ERROR, &err))
		panic("%s failed: VMfailInvalid (no current VMCS)", what);
	if (!v)
		panic("%s failed: VM-instruction error %lu (%s), VMCS 0x%lx of no vCPU here", what,
		      err, vmx_insn_error_name((uint32_t)err), vmcs);
	log_err("vm %s vcpu %u: %s failed: VM-instruction error %lu (%s)", v->vm->name, v->id, what,
	        err, vmx_insn_error_name((uint32_t)err));
	vm_stop(v->vm, "hypervisor bug: %s failed (VM-instruction error %lu)", what, err);
}

uint64_t vmcs_read_failed(unsigned long field)
{
	char what[48];

	fmt_snprintf(what, sizeof(what), "VMREAD of field 0x%lx", field);
	vmcs_access_failed(what);
	return 0;
}

bool vmcs_write_failed(unsigned long field, uint64_t value)
{
	char what[64];

	fmt_snprintf(what, sizeof(what), "VMWRITE of field 0x%lx = 0x%lx", field, value);
	vmcs_access_failed(what);
	return false;
}

void vmx_selftest_vmread(void)
{
	log_info("selftest: VMREAD of field 0x%x, which does not exist", VMCS_FIELD_NONEXISTENT);
	(void)__vmcs_read(VMCS_FIELD_NONEXISTENT);
}

/* One control field: required bits must be settable, optional ones are taken when offered. */
static int adjust(const char *what, uint32_t required, uint32_t optional, uint32_t msr,
                  uint32_t true_msr, uint32_t *out)
{
	uint32_t missing;
	uint64_t cap = rdmsr(vmx_cfg.basic.true_ctls && true_msr ? true_msr : msr);

	if (vmx_adjust_ctls(required, optional, cap, out, &missing) < 0) {
		log_err("VMX: this CPU lacks required %s controls 0x%x", what, missing);
		return -EOPNOTSUPP;
	}
	return 0;
}

int vmx_probe(void)
{
	uint32_t proc2_required = SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST |
	                          SECONDARY_EXEC_VIRTUALIZE_APIC;
	uint32_t apicv = SECONDARY_EXEC_APIC_REGISTER_VIRT | SECONDARY_EXEC_VIRTUAL_INTR_DELIV;
	int r = 0;

	if (!(cpuid(1).ecx & CPUID_1_ECX_VMX))
		return -EOPNOTSUPP;
	vmx_decode_basic(rdmsr(MSR_IA32_VMX_BASIC), &vmx_cfg.basic);
	/* The VMX-preemption timer is required: it is what ends a slice of a guest
	 * that never exits (SDM Vol. 3C sec. 26.5.1). */
	r |= adjust("pin-based",
	            PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
	                    PIN_BASED_VMX_PREEMPTION_TIMER,
	            PIN_BASED_VIRTUAL_NMIS, MSR_IA32_VMX_PINBASED_CTLS,
	            MSR_IA32_VMX_TRUE_PINBASED_CTLS, &vmx_cfg.pin);
	r |= adjust("processor-based",
	            CPU_BASED_HLT_EXITING | CPU_BASED_USE_IO_BITMAPS | CPU_BASED_USE_MSR_BITMAPS |
	                    CPU_BASED_RDPMC_EXITING | CPU_BASED_MONITOR_EXITING |
	                    CPU_BASED_MWAIT_EXITING | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |
	                    CPU_BASED_TPR_SHADOW,
	            CPU_BASED_USE_TSC_OFFSETTING | CPU_BASED_NMI_WINDOW_EXITING,
	            MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS, &vmx_cfg.proc);
	if (r)
		return -EOPNOTSUPP;
	/* "Enable XSAVES/XRSTORS" is kept only if guests get XSAVES (vmx_setup_xsaves) */
	r |= adjust("secondary", proc2_required,
	            SECONDARY_EXEC_ENABLE_VPID | SECONDARY_EXEC_ENABLE_RDTSCP |
	                    SECONDARY_EXEC_ENABLE_INVPCID | SECONDARY_EXEC_WBINVD_EXITING |
	                    SECONDARY_EXEC_PAUSE_LOOP_EXITING | SECONDARY_EXEC_XSAVES |
	                    (hv_options.apicv ? apicv : 0),
	            MSR_IA32_VMX_PROCBASED_CTLS2, 0, &vmx_cfg.proc2);
	r |= adjust("VM-exit",
	            VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_DEBUG_CONTROLS |
	                    VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_IA32_EFER |
	                    VM_EXIT_LOAD_IA32_EFER,
	            VM_EXIT_SAVE_VMX_PREEMPTION_TIMER |
	                    (hv_options.vmx_ack ? VM_EXIT_ACK_INTR_ON_EXIT : 0),
	            MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS, &vmx_cfg.exit);
	/* DR7 and IA32_DEBUGCTL are VMCS guest state only with the debug controls
	 * (SDM Vol. 3C sec. 25.7.1, 25.8.1); without them the guest's DR7 is lost at
	 * every exit, which sets DR7 to 400H (sec. 28.5.1). */
	r |= adjust("VM-entry",
	            VM_ENTRY_LOAD_DEBUG_CONTROLS | VM_ENTRY_LOAD_IA32_PAT | VM_ENTRY_LOAD_IA32_EFER,
	            0, MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS, &vmx_cfg.entry);
	if (r)
		return -EOPNOTSUPP;
	vmx_decode_ept_caps(rdmsr(MSR_IA32_VMX_EPT_VPID_CAP), &vmx_cfg.ept);
	if (!vmx_cfg.ept.walk4 || !vmx_cfg.ept.wb) {
		log_err("VMX: EPT lacks 4-level walks or write-back paging structures");
		return -EOPNOTSUPP;
	}
	vmx_cfg.vpid = (vmx_cfg.proc2 & SECONDARY_EXEC_ENABLE_VPID) && vmx_cfg.ept.invvpid &&
	               vmx_cfg.ept.invvpid_single;
	if (!vmx_cfg.vpid)
		vmx_cfg.proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;
	/* The windows are opened per vCPU when an event waits (vmx/vmx_irq.c); NMI
	 * windows exist with virtual NMIs (SDM Vol. 3C sec. 26.2.1.1). Register
	 * virtualization and virtual-interrupt delivery are used together or not
	 * at all (vmx/apicv.c). */
	vmx_cfg.nmi_window = (vmx_cfg.proc & CPU_BASED_NMI_WINDOW_EXITING) &&
	                     (vmx_cfg.pin & PIN_BASED_VIRTUAL_NMIS);
	vmx_cfg.proc &= ~CPU_BASED_NMI_WINDOW_EXITING;
	vmx_cfg.apicv = (vmx_cfg.proc2 & apicv) == apicv;
	if (!vmx_cfg.apicv)
		vmx_cfg.proc2 &= ~apicv;
	vmx_cfg.rdtscp = vmx_cfg.proc2 & SECONDARY_EXEC_ENABLE_RDTSCP;
	vmx_cfg.xsaves = vmx_cfg.proc2 & SECONDARY_EXEC_XSAVES;
	vmx_cfg.invpcid = vmx_cfg.proc2 & SECONDARY_EXEC_ENABLE_INVPCID;
	vmx_cfg.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	vmx_cfg.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	vmx_cfg.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	vmx_cfg.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	vmx_cfg.preemption_timer_shift = rdmsr(MSR_IA32_VMX_MISC) & VMX_MISC_PREEMPTION_SHIFT_MASK;
	vmx_cfg.host_max_basic = cpuid(0).eax;
	log_info("VMX: VMCS revision %u, EPT%s%s, VPID %s, unrestricted guest, preemption timer "
	         "%s, XSAVES control %s, acknowledge interrupt on exit %s, APIC virtualization %s",
	         vmx_cfg.basic.revision, vmx_cfg.ept.pages_2m ? " 2M" : "",
	         vmx_cfg.ept.pages_1g ? " 1G" : "", vmx_cfg.vpid ? "yes" : "no",
	         (vmx_cfg.pin & PIN_BASED_VMX_PREEMPTION_TIMER) ? "yes" : "no",
	         vmx_cfg.xsaves ? "yes" : "no",
	         (vmx_cfg.exit & VM_EXIT_ACK_INTR_ON_EXIT) ? "yes" : "no",
	         vmx_cfg.apicv      ? "registers and interrupt delivery"
	         : hv_options.apicv ? "TPR shadow (the CPU lacks the rest)"
	                            : "TPR shadow (apicv=off)");
	return 0;
}

/* After fpu_init_cpu() on CPU 0. With XSAVES for guests, "enable XSAVES/
 * XRSTORS" is set and the XSS-exiting bitmap is 0 (vmx/vmcs.c), so the guest's
 * XSAVES/XRSTORS run without exits on its live XCR0 and IA32_XSS (SDM Vol. 3C
 * sec. 26.1.3, 25.6.20). Without, the control stays clear: they raise #UD as
 * on a CPU without them (sec. 26.3), and its CPUID hides XSAVES. */
void vmx_setup_xsaves(void)
{
	vmx_cfg.xsaves = fpu_offer_xsaves(vmx_cfg.proc2 & SECONDARY_EXEC_XSAVES);
	if (!vmx_cfg.xsaves)
		vmx_cfg.proc2 &= ~SECONDARY_EXEC_XSAVES;
}

/* True when firmware locked IA32_FEATURE_CONTROL without allowing VMXON (SDM sec. 24.7). */
static bool vmx_locked_off(uint64_t fc)
{
	return (fc & FEATURE_CONTROL_LOCKED) && !(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
}

static void report_locked_off(uint64_t fc)
{
	log_err("VMX disabled by firmware (IA32_FEATURE_CONTROL 0x%lx locked without VMXON): "
	        "enable VT-x in the firmware setup",
	        fc);
}

/* Refuses cleanly (one line naming the reason, then stop) when VMX is unusable. */
void vmx_check_support(void)
{
	uint64_t fc;

	if (!(cpuid(1).ecx & CPUID_1_ECX_VMX)) {
		log_err("VMX not supported by this CPU: Sable cannot run here");
		hv_stop(STOP_REFUSED);
	}
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (vmx_locked_off(fc)) {
		report_locked_off(fc);
		hv_stop(STOP_REFUSED);
	}
	log_info("VMX present (IA32_FEATURE_CONTROL 0x%lx)", fc);
}

/* IA32_FEATURE_CONTROL: lock it with VMXON enabled if firmware left it open (SDM sec. 24.7). */
static int feature_control_enable(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (vmx_locked_off(fc)) {
		report_locked_off(fc);
		return -EOPNOTSUPP;
	}
	if (!(fc & FEATURE_CONTROL_LOCKED))
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
	return 0;
}

void vmx_prepare_cpus(uint32_t ncpus)
{
	for (uint32_t i = 0; i < ncpus && i < MAX_CPUS; i++) {
		if (vmxon_region[i])
			continue;
		vmxon_region[i] = mm_alloc_frames(1, PAGE_SIZE);
		if (vmxon_region[i] == INVALID_HPA)
			vmxon_region[i] = 0; /* that CPU tries again, and reports it */
	}
}

/*
 * Leaves VMX operation on this CPU before the machine is reset: INIT is
 * blocked in VMX root operation (SDM Vol. 3C, "Restrictions on VMX
 * Operation"), and a keyboard-controller or soft reset reaches the CPU as
 * INIT. No guest runs on this CPU again.
 */
void vmx_cpu_disable(void)
{
	uint32_t cpu = cpu_id();

	if (cpu >= MAX_CPUS || !vmx_on[cpu])
		return;
	vmx_on[cpu] = false;
	if (vmxoff())
		write_cr4(read_cr4() & ~CR4_VMXE);
}

int vmx_cpu_enable(void)
{
	uint32_t cpu = cpu_id();
	uint64_t cr0 = read_cr0(), cr4 = read_cr4() | CR4_VMXE;
	hpa_t region;

	if (feature_control_enable() < 0)
		return -EOPNOTSUPP;
	cr0 = vmx_apply_fixed(cr0, vmx_cfg.cr0_fixed0, vmx_cfg.cr0_fixed1);
	cr4 = vmx_apply_fixed(cr4, vmx_cfg.cr4_fixed0, vmx_cfg.cr4_fixed1);
	write_cr0(cr0);
	write_cr4(cr4);
	region = vmxon_region[cpu] ? vmxon_region[cpu] : mm_alloc_frames(1, PAGE_SIZE);
	if (region == INVALID_HPA)
		return -ENOMEM;
	*(uint32_t *)phys_to_virt(region) = vmx_cfg.basic.revision;
	if (!vmxon(region)) {
		log_err("VMXON failed on cpu%u", cpu);
		mm_free_frames(region, 1);
		vmxon_region[cpu] = 0;
		return -EIO;
	}
	vmxon_region[cpu] = region;
	vmx_on[cpu] = true;
	if (vmx_cfg.ept.invept_all)
		invept(VMX_EPT_EXTENT_GLOBAL, 0);
	if (vmx_cfg.vpid && vmx_cfg.ept.invvpid_all)
		invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0, 0);
	return 0;
}
