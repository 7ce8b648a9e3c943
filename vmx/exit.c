/* VM-exit handlers (SDM Vol. 3C ch. 26, exit qualifications in sec. 28.2.1). */
#include "drivers/tsc.h"
#include "drivers/lapic.h"
#include "err.h"
#include "fpu/fpu.h"
#include "fpu/xcr0.h"
#include "hv/config/options.h"
#include "hv/vdev/guest_cpuid.h"
#include "hv/vdev/guest_io.h"
#include "hv/vdev/hypercall.h"
#include "hv/vdev/vlapic.h"
#include "hv/log.h"
#include "hv/panic.h"
#include "hv/vdev/vlapic.h"
#include "hv/virq.h"
#include "hv/vm.h"
#include "vmx/apicv.h"
#include "vmx/mmio.h"
#include "hv/vdev/ioapic.h"
#include "vmx/guest_mem.h"
#include "vmx/msr.h"
#include "vmx/paging.h"
#include "vmx/string_io.h"
#include "vmx/task_switch.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmx_xfd.h"
#include "fpu/xfd_vcpu.h"
#include "x86.h"

#define VEC_UD                   6
#define VEC_GP                   13
#define EXIT_REASON_BASIC(r)     ((r)&0xffff)
#define EXIT_REASON_ENTRY_FAILED BIT(31)

/* Exits whose handlers make no interrupt pending and change nothing that holds one
 * back (vmx/vmx_irq.c). Not MSR reads: reading the timer's current count may fire
 * it. An interrupt raised through hv/virq.c sets VCPU_REQ_EVENT. */
#define QUIET_EXITS                                                                                \
	(BIT(EXIT_REASON_CPUID) | BIT(EXIT_REASON_INVD) | BIT(EXIT_REASON_RDPMC) |                 \
	 BIT(EXIT_REASON_VMCALL) | BIT(EXIT_REASON_CR_ACCESS) | BIT(EXIT_REASON_IO_INSTRUCTION) |  \
	 BIT(EXIT_REASON_WBINVD) | BIT(EXIT_REASON_XSETBV))

typedef enum exit_action (*exit_handler_t)(struct vcpu *v);

/* Inlined into the handlers here, which run it on nearly every exit. RIP is
 * read at every exit (VMX_REGS_AT_EXIT): cached, no check needed. */
static inline __attribute__((always_inline)) void skip_instruction(struct vcpu *v)
{
	v->regs[VCPU_REGS_RIP] += vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	v->regs_dirty |= 1u << VCPU_REGS_RIP;
}

void vmx_skip_instruction(struct vcpu *v)
{
	skip_instruction(v);
}

static enum exit_action inject_ud(struct vcpu *v)
{
	vmx_inject_exception(v, VEC_UD, false, 0);
	return EXIT_RESUME;
}

static enum exit_action inject_gp(struct vcpu *v)
{
	vmx_inject_exception(v, VEC_GP, true, 0);
	return EXIT_RESUME;
}

static void host_cpuid(void *ctx, uint32_t leaf, uint32_t sub, struct cpuid_regs *out)
{
	cpuid_count(leaf, sub, out);
}

/* The vCPU whose CPUID exit is answered; stateful: the answer read its state. */
struct cpuid_query {
	struct vcpu *v;
	bool stateful;
};

/* The vCPU state that CPUID leaves 1, 7 and 0xD show (guest_cpuid asks only for
 * those): an answer that asked cannot be cached. */
static void cpuid_vcpu_state(void *host_ctx, struct guest_cpuid_ctx *c)
{
	struct cpuid_query *q = host_ctx;
	struct vcpu *v = q->v;
	uint64_t cr4 = vcpu_read_cr4(v);

	q->stateful = true;

	c->cr4_osxsave = (cr4 & CR4_OSXSAVE) != 0;
	c->cr4_pke = (cr4 & CR4_PKE) != 0;
	c->apic_off = !vlapic_hw_enabled(v->lapic);
	c->guest_xcr0 = fpu_guest_xcr0(v);
	c->xcr0_allowed = fpu_guest_xcr0_allowed();
	c->guest_xss = fpu_guest_xss(v);
	c->xss_allowed = fpu_guest_xss_allowed();
	c->xsaves = fpu_guest_xsaves();
	c->xsave = fpu_xsave_table();
	c->compacted_broken = fpu_compacted_broken();
}

/* The guest's answer by the policy of hv/vdev/guest_cpuid.c; cached when it
 * depends on nothing the vCPU can change. */
static __attribute__((noinline)) void cpuid_answer(struct vcpu *v, uint32_t leaf, uint32_t sub,
                                                   struct cpuid_regs *r)
{
	struct cpuid_query q = {.v = v};
	struct guest_cpuid_ctx ctx = {
		.host = host_cpuid,
		.host_ctx = &q,
		.vcpu_id = v->id,
		.nvcpus = v->vm->nvcpus,
		.host_max_basic = vmx_cfg.host_max_basic,
		.tsc_hz = tsc_hz,
		.vcpu_state = cpuid_vcpu_state,
	};

	guest_cpuid(&ctx, leaf, sub, r);
	if (!q.stateful)
		cpuid_cache_put(&to_vmx(v)->cpuid, leaf, sub, r);
}

/* Inlined (also below) into the fast path: one frame per hot exit. */
#define HOT static inline __attribute__((always_inline))

/* CPUID's answer into RAX-RDX. */
HOT void set_cpuid_regs(struct vcpu *v, const struct cpuid_regs *p)
{
	v->regs[VCPU_REGS_RAX] = p->eax;
	v->regs[VCPU_REGS_RBX] = p->ebx;
	v->regs[VCPU_REGS_RCX] = p->ecx;
	v->regs[VCPU_REGS_RDX] = p->edx;
}

HOT enum exit_action handle_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs[VCPU_REGS_RAX], sub = (uint32_t)v->regs[VCPU_REGS_RCX];
	const struct cpuid_regs *p = cpuid_cache_get(&to_vmx(v)->cpuid, leaf, sub);
	struct cpuid_regs r;

	if (unlikely(!p)) {
		cpuid_answer(v, leaf, sub, &r);
		p = &r;
	}
	set_cpuid_regs(v, p);
	skip_instruction(v);
	return EXIT_RESUME;
}

/* HLT: the vCPU blocks with the RFLAGS.IF it halted with, unless something it can
 * take is already pending (hv/virq.h). */
static enum exit_action handle_hlt(struct vcpu *v)
{
	v->halt_if = vcpu_read_rflags(v) & RFLAGS_IF;
	if (v->lapic && !to_vmx(v)->apicv)
		vlapic_update_ppr(v->lapic); /* the guest may have written the TPR shadow */
	skip_instruction(v);
	vmx_end_interrupt_shadow(); /* sti; hlt: the interrupt comes before what follows */
	return virq_can_wake(v) ? EXIT_RESUME : EXIT_HALT;
}

static enum exit_action handle_skip(struct vcpu *v)
{
	skip_instruction(v);
	return EXIT_RESUME;
}

static enum exit_action handle_pause(struct vcpu *v)
{
	skip_instruction(v);
	return EXIT_YIELD;
}

/* CPL is SS.DPL (SDM Vol. 3C sec. 25.4.1). */
static unsigned guest_cpl(void)
{
	return (vmcs_read32(GUEST_SS_AR_BYTES) >> 5) & 3;
}

/* Hypercalls are for the guest kernel: at CPL > 0 VMCALL does nothing but
 * raise #UD, as it does without a hypervisor to answer it (README.md). */
HOT enum exit_action handle_vmcall(struct vcpu *v)
{
	if (guest_cpl() != 0)
		return inject_ud(v);
	skip_instruction(v);
	return hypercall(v);
}

static enum exit_action handle_triple_fault(struct vcpu *v)
{
	vm_stop(v->vm, "triple fault (vCPU %u, RIP 0x%lx)", v->id, vmcs_readl(GUEST_RIP));
	return EXIT_STOP_VM;
}

/* No PMU is offered (CPUID leaf 0xA reads 0): RDPMC has no valid counter. */
static enum exit_action handle_rdpmc(struct vcpu *v)
{
	return inject_gp(v);
}

/* MOV to CR0/CR4/CR3, CLTS, LMSW (qualification: sec. 28.2.1, table 28-3). Changes of the
 * paging mode go through vmx/paging.c. */
static enum exit_action handle_cr_access(struct vcpu *v)
{
	uint64_t q = to_vmx(v)->exit_qual;
	unsigned cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	uint64_t val;
	int r = 0;

	if (type == 2) { /* CLTS */
		vcpu_write_cr0(v, vcpu_read_cr0(v) & ~CR0_TS);
	} else if (type == 3) { /* LMSW: only PE, MP, EM, TS; PE cannot be cleared */
		val = (q >> 16) & 0xf;
		r = vmx_set_cr0(v,
		                (vcpu_read_cr0(v) & ~0xeull) | val | (vcpu_read_cr0(v) & CR0_PE));
	} else if (type == 0) { /* MOV to CR */
		val = vcpu_read_gpr(v, reg);
		if (!vmx_guest_64bit(v))
			val = (uint32_t)val; /* 32-bit operand outside 64-bit mode */
		if (cr == 0) {
			r = vmx_set_cr0(v, val);
		} else if (cr == 4) {
			if (val & CR4_VMXE || !vmx_fixed_ok(val | vmx_cfg.cr4_fixed0,
			                                    vmx_cfg.cr4_fixed0, vmx_cfg.cr4_fixed1))
				return inject_gp(v);
			if ((val & CR4_OSXSAVE) && !fpu_host_xcr0())
				return inject_gp(v);
			r = vmx_set_cr4(v, val);
		} else if (cr == 3) {
			r = vmx_set_cr3(v, val);
		} else {
			return inject_ud(v);
		}
	} else if (cr == 3) { /* MOV from CR3 */
		vcpu_write_gpr(v, reg, vcpu_read_cr3(v));
	} else {
		vm_stop(v->vm, "unexpected CR%u read exit", cr);
		return EXIT_STOP_VM;
	}
	if (r < 0)
		return inject_gp(v);
	skip_instruction(v);
	return EXIT_RESUME;
}

/* I/O instruction (qualification: table 28-5). */
HOT enum exit_action handle_io(struct vcpu *v)
{
	uint64_t q = to_vmx(v)->exit_qual;
	unsigned size = (q & 7) + 1;
	bool in = q & BIT(3), string = q & BIT(4);
	uint16_t port = (uint16_t)(q >> 16);
	uint32_t val = (uint32_t)v->regs[VCPU_REGS_RAX];
	enum exit_action a;

	if (string)
		return vmx_string_io(v, q);
	a = guest_io(v, port, size, in, &val);
	if (in)
		v->regs[VCPU_REGS_RAX] = guest_io_in_rax(v->regs[VCPU_REGS_RAX], size, val);
	if (a == EXIT_RESUME || a == EXIT_YIELD)
		skip_instruction(v);
	return a;
}

/* Task switch: emulated (vmx/task_switch.c). */
static enum exit_action handle_task_switch(struct vcpu *v)
{
	return vmx_task_switch(v, to_vmx(v)->exit_qual);
}

static enum exit_action handle_msr_read(struct vcpu *v)
{
	uint64_t val;

	if (vmx_msr_read(v, (uint32_t)v->regs[VCPU_REGS_RCX], &val) < 0)
		return inject_gp(v);
	v->regs[VCPU_REGS_RAX] = (uint32_t)val;
	v->regs[VCPU_REGS_RDX] = val >> 32;
	skip_instruction(v);
	return EXIT_RESUME;
}

static enum exit_action handle_msr_write(struct vcpu *v)
{
	uint64_t val = (v->regs[VCPU_REGS_RDX] << 32) | (uint32_t)v->regs[VCPU_REGS_RAX];

	if (vmx_msr_write(v, (uint32_t)v->regs[VCPU_REGS_RCX], val) < 0)
		return inject_gp(v);
	skip_instruction(v);
	return EXIT_RESUME;
}

/* XSETBV: the checks of fpu/xcr0.c (SDM Vol. 2D "XSETBV"), then mechanism 2.
 * #UD for CR4.OSXSAVE = 0 and privilege-level faults have priority over VM
 * exits (SDM Vol. 3C sec. 26.1.1), so the CPU raises them itself; both are
 * checked again for the guest's view (CR4 as it reads it): Bochs 2.7 exits
 * before its CPL test, and OSXSAVE may be shadowed one day. */
static enum exit_action handle_xsetbv(struct vcpu *v)
{
	struct xsetbv_op op = {
		.xcr = (uint32_t)v->regs[VCPU_REGS_RCX],
		.value = (v->regs[VCPU_REGS_RDX] << 32) | (uint32_t)v->regs[VCPU_REGS_RAX],
		.cpl = vmx_guest_cpl(v),
		.cr4_osxsave = (vcpu_read_cr4(v) & CR4_OSXSAVE) != 0,
		.allowed = fpu_guest_xcr0_allowed(),
	};
	enum xsetbv_fault f = xsetbv_check(&op, NULL);
	int r = f ? -EINVAL : fpu_set_xcr0(v, op.value);

	if (r == -ENOMEM) {
		vm_stop(v->vm, "no memory for the FPU state of XCR0 0x%lx",
		        (unsigned long)op.value);
		return EXIT_STOP_VM;
	}
	if (f == XSETBV_UD)
		return inject_ud(v);
	if (r < 0)
		return inject_gp(v);
	skip_instruction(v);
	return EXIT_RESUME;
}

static enum exit_action handle_ept_violation(struct vcpu *v)
{
	uint64_t q = to_vmx(v)->exit_qual;
	const char *access = q & BIT(1) ? "write" : q & BIT(2) ? "instruction fetch" : "read";

	gpa_t gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);

	if ((gpa & PAGE_MASK) == IOAPIC_GPA && (q & (BIT(0) | BIT(1))))
		return vmx_mmio_ioapic(v, gpa, q & BIT(1));
	if (vmx_apicv_moved_xapic(v, gpa))
		return EXIT_STOP_VM;
	vm_stop(v->vm,
	        "EPT violation: %s at guest-physical 0x%lx (RIP 0x%lx): outside guest memory",
	        access, vmcs_read64(GUEST_PHYSICAL_ADDRESS), vmcs_readl(GUEST_RIP));
	return EXIT_STOP_VM;
}

static enum exit_action handle_ept_misconfig(struct vcpu *v)
{
	vm_stop(v->vm, "EPT misconfiguration at guest-physical 0x%lx",
	        vmcs_read64(GUEST_PHYSICAL_ADDRESS));
	return EXIT_STOP_VM;
}

/* The run loop yields once the slice's TSC deadline has passed; a timer that
 * fired a little early (it counts in steps of 2^shift ticks) re-enters for the rest. */
static enum exit_action handle_preemption_timer(struct vcpu *v)
{
	return EXIT_RESUME;
}

static const exit_handler_t exit_handlers[] = {
	[EXIT_REASON_EXCEPTION_NMI] = vmx_handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = vmx_handle_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT] = handle_triple_fault,
	[EXIT_REASON_CPUID] = handle_cpuid,
	[EXIT_REASON_HLT] = handle_hlt,
	[EXIT_REASON_INVD] = handle_skip,
	[EXIT_REASON_WBINVD] = handle_skip,
	[EXIT_REASON_PAUSE] = handle_pause,
	[EXIT_REASON_RDPMC] = handle_rdpmc,
	/* CPUID hides MONITOR/MWAIT: without the feature both raise #UD. */
	[EXIT_REASON_MONITOR] = inject_ud,
	[EXIT_REASON_MWAIT] = inject_ud,
	[EXIT_REASON_VMCALL] = handle_vmcall,
	[EXIT_REASON_VMCLEAR] = inject_ud,
	[EXIT_REASON_VMLAUNCH] = inject_ud,
	[EXIT_REASON_VMPTRLD] = inject_ud,
	[EXIT_REASON_VMPTRST] = inject_ud,
	[EXIT_REASON_VMREAD] = inject_ud,
	[EXIT_REASON_VMRESUME] = inject_ud,
	[EXIT_REASON_VMWRITE] = inject_ud,
	[EXIT_REASON_VMXOFF] = inject_ud,
	[EXIT_REASON_VMXON] = inject_ud,
	[EXIT_REASON_INVEPT] = inject_ud,
	[EXIT_REASON_INVVPID] = inject_ud,
	[EXIT_REASON_VMFUNC] = inject_ud,
	[EXIT_REASON_GETSEC] = inject_ud,
	[EXIT_REASON_CR_ACCESS] = handle_cr_access,
	[EXIT_REASON_IO_INSTRUCTION] = handle_io,
	[EXIT_REASON_TASK_SWITCH] = handle_task_switch,
	[EXIT_REASON_MSR_READ] = handle_msr_read,
	[EXIT_REASON_MSR_WRITE] = handle_msr_write,
	[EXIT_REASON_XSETBV] = handle_xsetbv,
	[EXIT_REASON_EPT_VIOLATION] = handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG] = handle_ept_misconfig,
	[EXIT_REASON_PREEMPTION_TIMER] = handle_preemption_timer,
	[EXIT_REASON_MONITOR_TRAP_FLAG] = vmx_handle_mtf,
	[EXIT_REASON_DR_ACCESS] = vmx_handle_dr_access,
	[EXIT_REASON_INTERRUPT_WINDOW] = vmx_handle_event_window,
	[EXIT_REASON_NMI_WINDOW] = vmx_handle_event_window,
	[EXIT_REASON_APIC_ACCESS] = vmx_handle_apic_access,
	[EXIT_REASON_APIC_WRITE] = vmx_handle_apic_write,
	[EXIT_REASON_EOI_INDUCED] = vmx_handle_eoi_induced,
	[EXIT_REASON_TPR_BELOW_THRESHOLD] = vmx_handle_tpr_below_threshold,
};

/* VM entry failed after the checks on the guest state (sec. 27.8). */
static __attribute__((noinline)) enum exit_action handle_failed_entry(struct vcpu *v,
                                                                      uint32_t reason)
{
	static const char *const quals[] = {"", "", "PDPTE load failed", "NMI injection",
	                                    "invalid VMCS link pointer"};
	uint64_t q = to_vmx(v)->exit_qual;

	log_err("vm %s vcpu %u: %s (exit reason %u)%s%s", v->vm->name, v->id,
	        vmx_exit_reason_name(reason), EXIT_REASON_BASIC(reason),
	        q < 5 && q >= 2 ? ": " : "", q < 5 ? quals[q] : "");
	vmx_dump_vmcs(v);
	vm_stop(v->vm, "%s", vmx_exit_reason_name(reason));
	return EXIT_STOP_VM;
}

static __attribute__((noinline)) enum exit_action unhandled_exit(struct vcpu *v, uint32_t basic)
{
	log_err("vm %s vcpu %u: unhandled exit reason %u (%s), qualification 0x%lx", v->vm->name,
	        v->id, basic, vmx_exit_reason_name(basic), to_vmx(v)->exit_qual);
	vmx_dump_vmcs(v);
	vm_stop(v->vm, "unhandled exit %s", vmx_exit_reason_name(basic));
	return EXIT_STOP_VM;
}

enum exit_action vmx_handle_exit(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);
	uint32_t reason = x->exit_reason;
	uint32_t basic = EXIT_REASON_BASIC(reason);

	x->exit_qual = vmcs_readl(EXIT_QUALIFICATION); /* the fast path needs none */
	if (unlikely(reason & EXIT_REASON_ENTRY_FAILED))
		return handle_failed_entry(v, reason);
	if (basic != EXIT_REASON_EXCEPTION_NMI && basic != EXIT_REASON_EXTERNAL_INTERRUPT)
		exc_loop_reset(&x->exc_loop); /* the guest made progress */
	if (unlikely(hv_options.selftest == SELFTEST_VMREAD) && v->vm->id == nr_vms - 1)
		vmx_selftest_vmread();
	if (unlikely(basic >= ARRAY_SIZE(exit_handlers) || !exit_handlers[basic]))
		return unhandled_exit(v, basic);
	/* event injection is evaluated again unless nothing can have changed */
	if (!(QUIET_EXITS & BIT(basic)))
		v->events_idle = false;
	return exit_handlers[basic](v);
}

/*
 * The hot exits: the exit stub (vmx/entry.asm) calls vmx_exit_fast after every
 * exit, with the guest's general registers but RBP and R12-R15 saved in v. It
 * decodes the exit (reason and RIP, the only VMREADs every exit pays) and hands
 * CPUID, I/O (IN answered without the device lock, IN from a port that is not
 * fw_cfg data and OUT to COM1 under it), VMCALL at CPL 0 and XSETBV to one
 * function each, reached by tail calls so that none keeps a frame. It returns
 * 0 when the stub may resume the guest at once: the exit resumes, the run loop
 * has nothing to do before the next entry (vcpu_entry_clear) and the
 * preemption timer keeps the value the exit saved (SDM Vol. 3C sec. 28.3.4).
 * Otherwise 1: the stub saves the rest and returns to vmx_run, which finds in
 * x->fast_handled whether the exit was handled here (its action in
 * x->fast_action) or goes to vmx_handle_exit.
 *
 * What the generic path does for these reasons still holds: they are
 * QUIET_EXITS (events_idle stays), the guest made progress (the
 * exception-loop count restarts), requests and the slice are checked before
 * the next entry. Selftests take the generic path for every exit.
 *
 * The stub's resume reloads only RAX, RBX, RCX, RDX and the registers a C call
 * may change (RSI, RDI, R8-R11), and RBP, R12-R15 are in v only on the way to
 * vmx_run: a handler here reads and writes no guest register but RAX-RDX,
 * RSI, RDI and R8-R11 (each says which it uses), and no CR2.
 */
/* The fast path's functions: the stub's call and the tail calls below, each
 * out of line so that every hot exit runs one small function of its own. */
#define FAST_PATH __attribute__((noinline))

/* Set when an exit needs more than the fast path's decode: XFD state to
 * update (before anything that may fault) or a selftest (vmx_vcpu_create). */
bool vmx_exit_unusual;

/* Back to the stub, and from there to vmx_run: x->fast_handled says whether
 * the exit was handled here, with action a. */
HOT int fast_to_run_loop(struct vcpu_vmx *x, bool handled, enum exit_action a)
{
	x->fast_handled = handled;
	x->fast_action = a;
	return 1;
}

/* A VMREAD or VMWRITE failed on the fast path: reported, and the VM stops. */
static FAST_PATH int fast_vmcs_failed(struct vcpu *v)
{
	vmcs_access_failed("a VMREAD or VMWRITE of the exit fast path");
	return fast_to_run_loop(to_vmx(v), true, EXIT_STOP_VM);
}

/* VMREAD and VMWRITE for the fast path: a failure jumps to the function's
 * failed: label, which leaves through fast_vmcs_failed (a tail call), so no
 * value has to live across it. */
#define FAST_VMREAD(v, field, out)  VMREAD_OR_GOTO(field, out, failed)
#define FAST_VMWRITE(v, field, val) VMWRITE_OR_GOTO(field, val, failed)

static FAST_PATH int fast_xfd_enter(struct vcpu *v)
{
	xfd_enter(&v->fpu, v);
	return 0;
}

/* Re-entry from the stub after a hot exit handled (action a), its instruction
 * skipped and RIP written: 0 when the run loop has nothing to do first, else 1
 * (see above). */
HOT int fast_resume(struct vcpu *v, struct vcpu_vmx *x, enum exit_action a)
{
	exc_loop_reset(&x->exc_loop); /* the guest made progress */
	vcpu_count_exit(v, true);
	BENCH_STAMP(STAMP_HANDLED);
	if (a != EXIT_RESUME || !(vmx_cfg.exit & VM_EXIT_SAVE_VMX_PREEMPTION_TIMER) ||
	    !vcpu_entry_clear(v))
		return fast_to_run_loop(x, true, a);
	if (unlikely(xfd_host.caps.present))
		return fast_xfd_enter(v);
	return 0;
}

/* The instruction skipped: RIP written to the VMCS at once (cached too), so
 * that nothing is left dirty for the run loop. Needs a failed: label. */
#define FAST_SKIP(v)                                                                               \
	do {                                                                                       \
		uint64_t len_;                                                                     \
		FAST_VMREAD(v, VM_EXIT_INSTRUCTION_LEN, len_);                                     \
		(v)->regs[VCPU_REGS_RIP] += (uint32_t)len_;                                        \
		FAST_VMWRITE(v, GUEST_RIP, (v)->regs[VCPU_REGS_RIP]);                              \
	} while (0)

/* CPUID's answer p into RAX-RDX, the instruction skipped. */
HOT int fast_cpuid_regs(struct vcpu *v, const struct cpuid_regs *p)
{
	set_cpuid_regs(v, p);
	FAST_SKIP(v);
	return fast_resume(v, to_vmx(v), EXIT_RESUME);
failed:
	return fast_vmcs_failed(v);
}

/* A CPUID leaf not in the cache: the policy's answer (cached if it can be). */
static FAST_PATH int fast_cpuid_miss(struct vcpu *v)
{
	struct cpuid_regs r;

	cpuid_answer(v, (uint32_t)v->regs[VCPU_REGS_RAX], (uint32_t)v->regs[VCPU_REGS_RCX], &r);
	return fast_cpuid_regs(v, &r);
}

/* Each hot exit in its own function, reached by a tail call: the dispatch
 * keeps no frame for them. CPUID reads RAX, RCX and writes RAX-RDX. */
static FAST_PATH int fast_cpuid(struct vcpu *v)
{
	const struct cpuid_regs *p =
		cpuid_cache_get(&to_vmx(v)->cpuid, (uint32_t)v->regs[VCPU_REGS_RAX],
	                        (uint32_t)v->regs[VCPU_REGS_RCX]);

	if (unlikely(!p))
		return fast_cpuid_miss(v);
	return fast_cpuid_regs(v, p);
}

/* The other hypercalls (hv/vdev/hypercall.c), the instruction skipped. */
static FAST_PATH int fast_hypercall(struct vcpu *v)
{
	return fast_resume(v, to_vmx(v), hypercall(v));
}

/* VMCALL at CPL 0 (the generic path raises #UD above): VERSION and YIELD set
 * RAX here; the others read RAX, RBX, RCX (hypercall.c) and write RAX. */
static FAST_PATH int fast_vmcall(struct vcpu *v)
{
	uint64_t ar, ret;
	enum exit_action a;

	FAST_VMREAD(v, GUEST_SS_AR_BYTES, ar);
	if ((ar >> 5) & 3) /* CPL is SS.DPL (SDM Vol. 3C sec. 25.4.1) */
		return fast_to_run_loop(to_vmx(v), false, EXIT_RESUME);
	FAST_SKIP(v);
	if (!hypercall_quick((uint32_t)v->regs[VCPU_REGS_RAX], &ret, &a))
		return fast_hypercall(v);
	v->regs[VCPU_REGS_RAX] = (uint32_t)ret;
	return fast_resume(v, to_vmx(v), a);
failed:
	return fast_vmcs_failed(v);
}

/* After a handler of the generic path ran on the fast path (action a): it
 * skipped the instruction in the register cache (the only register it may
 * have written back), so RIP goes to the VMCS here. */
static FAST_PATH int fast_generic_handled(struct vcpu *v, struct vcpu_vmx *x, enum exit_action a)
{
	if (v->regs_dirty & (1u << VCPU_REGS_RIP))
		FAST_VMWRITE(v, GUEST_RIP, v->regs[VCPU_REGS_RIP]);
	v->regs_dirty = 0;
	return fast_resume(v, x, a);
failed:
	return fast_vmcs_failed(v);
}

/* XSETBV: handle_xsetbv's checks (fpu/xcr0.c) and XCR0 switch (fpu/), or the
 * #UD / #GP it queues. Reads RAX, RCX, RDX. */
static FAST_PATH int fast_xsetbv(struct vcpu *v)
{
	return fast_generic_handled(v, to_vmx(v), handle_xsetbv(v));
}

/* The other I/O the fast path takes: IN from a port that is not fw_cfg data
 * and OUT to COM1, through guest_io (under the device lock). */
static FAST_PATH int fast_io_device(struct vcpu *v, uint64_t q)
{
	struct vcpu_vmx *x = to_vmx(v);
	uint16_t port = (uint16_t)(q >> 16);
	bool in = q & BIT(3);

	if (in ? port == PORT_FW_CFG_DATA : port < PORT_COM1 || port >= PORT_COM1 + 8)
		return fast_to_run_loop(x, false, EXIT_RESUME);
	return fast_generic_handled(v, x, handle_io(v));
}

/* Not string I/O: first an IN the device answers without its lock (the
 * UART's status registers), else fast_io_device. Reads and writes RAX only. */
static FAST_PATH int fast_io(struct vcpu *v)
{
	uint64_t q;

	FAST_VMREAD(v, EXIT_QUALIFICATION, q);
	to_vmx(v)->exit_qual = q;
	if (q & BIT(4))
		return fast_to_run_loop(to_vmx(v), false, EXIT_RESUME);
	if (!(q & BIT(3)) || !guest_io_in_pure(v, (uint16_t)(q >> 16), (q & 7) + 1))
		return fast_io_device(v, q);
	FAST_SKIP(v);
	return fast_resume(v, to_vmx(v), EXIT_RESUME);
failed:
	return fast_vmcs_failed(v);
}

/* After the exit reason: RIP, the count, the dispatch (tail calls only)
 * unless a selftest runs (it takes the generic path for every exit). */
HOT int fast_decode(struct vcpu *v, uint32_t reason, bool dispatch)
{
	uint64_t rip;

	/* nearly every exit handler skips or reports the instruction: RIP is
	 * read once here (VMX_REGS_AT_EXIT), not through the cache on demand */
	FAST_VMREAD(v, GUEST_RIP, rip);
	v->regs[VCPU_REGS_RIP] = rip;
	v->regs_avail = VCPU_REGS_GPR_MASK | VMX_REGS_AT_EXIT;
	v->regs_dirty = 0;
	BENCH_STAMP(STAMP_DISPATCH);
	/* every exit passes here first: the one place that counts them by reason
	 * (basic reasons are below 128; the mask keeps it one instruction) */
	v->stats.exit_reason[reason & (VCPU_EXIT_REASONS - 1)]++;
	if (!dispatch)
		return fast_to_run_loop(to_vmx(v), false, EXIT_RESUME);
	if (reason == EXIT_REASON_CPUID)
		return fast_cpuid(v);
	if (reason == EXIT_REASON_VMCALL)
		return fast_vmcall(v);
	if (reason == EXIT_REASON_IO_INSTRUCTION)
		return fast_io(v);
	if (reason == EXIT_REASON_XSETBV)
		return fast_xsetbv(v);
	return fast_to_run_loop(to_vmx(v), false, EXIT_RESUME);
failed:
	return fast_vmcs_failed(v);
}

/* XFD state first (before anything that may fault), and selftests. */
static FAST_PATH int fast_unusual(struct vcpu *v, uint32_t reason)
{
	if (xfd_host.caps.present)
		vmx_xfd_exit(v, reason);
	return fast_decode(v, reason, !hv_options.selftest);
}

FAST_PATH int vmx_exit_fast(struct vcpu *v)
{
	uint64_t reason;

	bench_exit_begin(v);
	FAST_VMREAD(v, VM_EXIT_REASON, reason);
	to_vmx(v)->exit_reason = (uint32_t)reason;
	bench_exit_reason(reason & 0xffff);
	if (unlikely(vmx_exit_unusual))
		return fast_unusual(v, (uint32_t)reason);
	return fast_decode(v, (uint32_t)reason, true);
failed:
	return fast_vmcs_failed(v);
}
