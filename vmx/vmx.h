/* VMX backend: capabilities, per-CPU VMX operation, per-vCPU state. */
#ifndef SABLE_VMX_VMX_H
#define SABLE_VMX_VMX_H

#include "hv/vdev/cpuid_cache.h"
#include "hv/vcpu.h"
#include "types.h"
#include "vmx/exc_reflect.h"
#include "vmx/vmx_caps.h"

#define MSR_IA32_VMX_BASIC               0x480
#define MSR_IA32_VMX_PINBASED_CTLS       0x481
#define MSR_IA32_VMX_PROCBASED_CTLS      0x482
#define MSR_IA32_VMX_EXIT_CTLS           0x483
#define MSR_IA32_VMX_ENTRY_CTLS          0x484
#define MSR_IA32_VMX_MISC                0x485
#define MSR_IA32_VMX_CR0_FIXED0          0x486
#define MSR_IA32_VMX_CR0_FIXED1          0x487
#define MSR_IA32_VMX_CR4_FIXED0          0x488
#define MSR_IA32_VMX_CR4_FIXED1          0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2     0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP        0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS  0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS      0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS     0x490

/* What this machine's VMX offers, computed once on the BSP. */
#define VMX_PLE_GAP    128  /* TSC ticks between two PAUSEs of one spin loop */
#define VMX_PLE_WINDOW 4096 /* TSC ticks of spinning before the PAUSE exits */

struct vmx_config {
	struct vmx_basic basic;
	struct vmx_ept_caps ept;
	uint32_t pin, proc, proc2, exit, entry;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint32_t preemption_timer_shift; /* timer counts TSC >> shift */
	uint32_t host_max_basic;         /* CPUID.0:EAX, for the guest's CPUID (vmx/exit.c) */
	bool vpid, rdtscp, xsaves, invpcid;
	bool nmi_window; /* NMI-window exiting (needs virtual NMIs) */
	bool apicv;      /* APIC-register virtualization and virtual-interrupt delivery in use */
};

extern struct vmx_config vmx_cfg;

/* Backend state of one vCPU. */
struct vcpu_vmx {
	hpa_t vmcs;
	bool launched;
	uint16_t vpid;
	uint32_t exit_reason;
	bool fast_handled;            /* the last exit was the fast path's (vmx_exit_fast) */
	enum exit_action fast_action; /* and what it returned */
	uint64_t exit_qual;
	struct cpuid_cache cpuid; /* answers that depend on no vCPU state (vmx/exit.c) */
	uint32_t entry_ctls; /* current VM-entry controls (IA-32e mode guest follows EFER.LMA) */
	uint64_t cr0_shadow_mask, cr4_shadow_mask;
	/* Debug registers the VMCS does not hold (DR7 and DEBUGCTL are guest state):
	 * loaded while this vCPU is current. */
	uint64_t dr[4], dr6;
	/* While the GDB stub holds DR0-DR3 and DR7 (vmx/vmx_gdb.c): the guest's own. */
	bool gdb_owns_drs;
	bool gdb_step, gdb_step_tf; /* a step is armed; the guest's own RFLAGS.TF */
	uint64_t guest_dr[4], guest_dr7;
	uint64_t tsc_offset;
	bool preemption_timer;   /* pin control set: the vCPU's slice has a deadline */
	uint64_t timer_deadline; /* slice_end at the last timer update (vmx_backend.c) */
	uint64_t msr_state[16] __aligned(16); /* MSR state and MSR-load areas (vmx/msr_state.h) */
	uint8_t *msr_bitmap; /* its own MSR bitmap (vmx_msr_pass_write), or NULL: the shared one */
	struct exc_loop exc_loop; /* recent guest exceptions (vmx/exit_event.c) */
	/* interrupts (vmx/vmx_irq.c, vmx/apicv.c) */
	bool apicv;             /* register virtualization and interrupt delivery on */
	uint32_t proc;          /* current primary processor-based controls */
	uint32_t tpr_threshold; /* current TPR threshold */
	uint32_t eoi_exit[8];   /* current EOI-exit bitmap (vectors whose EOI exits) */
};

static inline struct vcpu_vmx *to_vmx(struct vcpu *v)
{
	return v->arch;
}

/* Stops the machine with one clear line if this CPU cannot run VMX at all. */
void vmx_check_support(void);
/* Computes vmx_cfg; a missing required feature is a clear error. 0 or -EOPNOTSUPP. */
int vmx_probe(void);
/* Whether guests get XSAVES/XRSTORS (vmx_cfg.xsaves, the secondary control);
 * once, on the BSP after fpu_init_cpu(). */
void vmx_setup_xsaves(void);
/* Allocates the VMXON regions of CPUs 0..ncpus-1 now, on the BSP before any VM
 * exists, so that the free memory counted then stays put when the APs enter
 * VMX operation later. */
void vmx_prepare_cpus(uint32_t ncpus);
/* Enters VMX operation on this CPU. 0 or -errno (reason logged). */
int vmx_cpu_enable(void);
/* Leaves VMX operation on this CPU (before a reset); nothing if not in it. */
void vmx_cpu_disable(void);
/* Sets up the VMCS of v (host state, controls, initial guest state). */
int vmx_vmcs_setup(struct vcpu *v);
/* Prints the guest-state area and controls of the current VMCS. */
void vmx_dump_vmcs(struct vcpu *v);
/* EFER, DR7, segments and descriptor tables of v (its VMCS current). */
void vmx_dump_guest_regs(struct vcpu *v);
/* The exit handler table. */
enum exit_action vmx_handle_exit(struct vcpu *v);
/* Exception/NMI and external-interrupt exits (vmx/exit_event.c). */
enum exit_action vmx_handle_exception_nmi(struct vcpu *v);
enum exit_action vmx_handle_external_interrupt(struct vcpu *v);
/* The exit stub's call after every exit (vmx/entry.asm, vmx/exit.c): decodes
 * the exit and handles the hot ones; 0 resumes the guest from the stub. */
int vmx_exit_fast(struct vcpu *v);
/* Exits need more than the fast path's decode (vmx/exit.c): set when a vCPU
 * is created, from the CPU's XFD support and the selftest option. */
extern bool vmx_exit_unusual;
/* The cached registers every exit reads (vmm_ops->regs_at_exit). */
#define VMX_REGS_AT_EXIT (1u << VCPU_REGS_RIP)
/* Event injection before an entry and the window exits (vmx/vmx_irq.c). */
void vmx_inject_events(struct vcpu *v, uint32_t req);
enum exit_action vmx_handle_event_window(struct vcpu *v);
/* An instruction the hypervisor completed for the guest ends an STI or MOV SS
 * shadow (SDM Vol. 3C sec. 25.4.2): a pending interrupt is taken right after it. */
void vmx_end_interrupt_shadow(void);
void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
/* The same for any event, given in the VM-entry interruption-information format. */
void vmx_inject_event(struct vcpu *v, uint32_t info, uint32_t error);
void vmx_skip_instruction(struct vcpu *v);
/* The state after RESET (power_on) or INIT in the current VMCS of v, and the
 * start at a SIPI (vmx/vmx_init.c). */
void vmx_reset_guest(struct vcpu *v, bool power_on);
void vmx_vcpu_reset(struct vcpu *v);
void vmx_vcpu_start_at(struct vcpu *v, uint8_t vector);

int vmx_vcpu_enter(struct vcpu *v, int launched);

/* The GDB stub (vmx/vmx_gdb.c): its backend, and the exits that concern it. An
 * exception exit of vector/type that is gdb's sets *out and returns true. */
struct gdb_backend;
extern const struct gdb_backend vmx_gdb_backend;
bool vmx_gdb_exception(struct vcpu *v, uint8_t vector, uint32_t type, enum exit_action *out);
enum exit_action vmx_handle_mtf(struct vcpu *v);
enum exit_action vmx_handle_dr_access(struct vcpu *v);

/* Natural-width fields have no high half (access type 1, SDM Vol. 3D App. B.4):
 * this encoding is GUEST_CR0's with access type 1, a field no CPU has. */
#define VMCS_FIELD_NONEXISTENT 0x6801u
/* selftest=vmread: reads VMCS_FIELD_NONEXISTENT from the current VMCS, which
 * must be reported and stop that VM alone. */
void vmx_selftest_vmread(void);
void vmx_exit_stub(void);

#endif
