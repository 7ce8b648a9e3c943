/* Exits for events: guest exceptions, host NMIs and host external interrupts
 * (SDM Vol. 3C sec. 26.2, 27.2.2-27.2.4, 28.1). */
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/trap.h"
#include "hv/vm.h"
#include "param.h"
#include "vmx/exc_reflect.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmx_xfd.h"
#include "x86.h"

#define INTR_TYPE_SOFT_INTR       (4u << 8)
#define INTR_TYPE_PRIV_SOFT_EXC   (5u << 8)
#define INTR_INFO_INJECTABLE_MASK (INTR_INFO_VALID | INTR_INFO_DELIVER_CODE | 0x7ffu)
#define DB_QUAL_BD                BIT(13) /* #DB exit qualification: general detect */
#define DR7_GD                    BIT(13)
#define DEBUGCTL_BTF              BIT(1)
#define RFLAGS_TF                 BIT(8)
#define PENDING_DBG_BS            BIT(14)

static bool needs_instruction_length(uint32_t info)
{
	uint32_t type = info & INTR_INFO_TYPE_MASK;

	return type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_PRIV_SOFT_EXC ||
	       type == INTR_TYPE_SOFT_EXCEPTION;
}

/* Queues ev for the next VM entry (sec. 26.6.1); software events resume
 * after their instruction, whose length the exit reported. */
static void inject(struct vcpu *v, const struct exc_event *ev)
{
	uint32_t info = ev->info & INTR_INFO_INJECTABLE_MASK;

	if (needs_instruction_length(info))
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
	vmx_inject_event(v, info, ev->error);
}

/* An exit during the guest's own event delivery must not lose that event:
 * it is delivered again on the next entry (sec. 27.2.4, 28.1 "reinjection"). */
static void reinject_vectored_event(struct vcpu *v)
{
	struct exc_event ev = {vmcs_read32(IDT_VECTORING_INFO_FIELD), 0};

	if (!(ev.info & INTR_INFO_VALID))
		return;
	if (ev.info & INTR_INFO_DELIVER_CODE)
		ev.error = vmcs_read32(IDT_VECTORING_ERROR_CODE);
	inject(v, &ev);
}

/*
 * What delivering an intercepted #DB does to the debug state besides DR6: a
 * general-detect #DB clears DR7.GD so the handler can use the debug registers
 * (SDM Vol. 3B sec. 18.2.4). And VM entry requires the BS bit of the pending
 * debug exceptions when RFLAGS.TF = 1 (DEBUGCTL.BTF = 0) inside an STI or MOV SS
 * shadow (Vol. 3C sec. 26.3.1.5), as after single-stepping STI; the vectoring
 * entry then delivers the #DB and drops the pending one (sec. 26.6.3).
 */
static void reflect_db_state(struct vcpu *v)
{
	uint64_t qual = to_vmx(v)->exit_qual;

	write_dr6(exc_dr6_after_db(read_dr6(), qual));
	if (qual & DB_QUAL_BD)
		vmcs_writel(GUEST_DR7, vmcs_readl(GUEST_DR7) & ~DR7_GD);
	if ((vcpu_read_rflags(v) & RFLAGS_TF) &&
	    !(vmcs_read64(GUEST_IA32_DEBUGCTL) & DEBUGCTL_BTF) &&
	    (vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
	     (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)))
		vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS,
		            vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) | PENDING_DBG_BS);
}

/*
 * External-interrupt exit. With "acknowledge interrupt on exit" the exit
 * information holds the vector, already acknowledged at the local APIC: run
 * its handler and EOI it. Without, the interrupt is still pending: open a
 * one-instruction window so it is taken through the IDT (sec. 28.2, 33.4).
 */
enum exit_action vmx_handle_external_interrupt(struct vcpu *v)
{
	uint32_t info = vmcs_read32(VM_EXIT_INTR_INFO);

	static bool window_noted[MAX_CPUS];

	reinject_vectored_event(v);
	if (info & INTR_INFO_VALID) {
		irq_dispatch((uint8_t)(info & INTR_INFO_VECTOR_MASK), IRQ_ACKED_ON_EXIT);
		return EXIT_RESUME;
	}
	if (!window_noted[cpu_id()]) {
		window_noted[cpu_id()] = true;
		log_info("external-interrupt exit without acknowledgement: the interrupt is taken "
		         "through the IDT in root mode");
	}
	irq_window();
	return EXIT_RESUME;
}

/*
 * A host NMI while the guest ran ("NMI exiting"). It blocks further NMIs until
 * the next IRET (sec. 27.1), so it is handed to the host NMI handler through
 * the IDT, whose IRET unblocks them; a stop request parks the core there.
 */
static enum exit_action host_nmi(struct vcpu *v)
{
	reinject_vectored_event(v);
	trap_note_guest_nmi();
	nmi_handler_call();
	return EXIT_RESUME;
}

enum exit_action vmx_handle_exception_nmi(struct vcpu *v)
{
	struct exc_event ex = {vmcs_read32(VM_EXIT_INTR_INFO), 0};
	struct exc_event vectoring = {vmcs_read32(IDT_VECTORING_INFO_FIELD), 0};
	uint8_t vector = (uint8_t)(ex.info & INTR_INFO_VECTOR_MASK);
	uint64_t rip = vcpu_read_rip(v);
	struct exc_decision d;

	if ((ex.info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		return host_nmi(v);
	/* #NM is intercepted only for XFD (fpu/xfd.h): the first use of a
	 * component whose buffer does not exist yet never reaches the guest */
	if (vector == EXC_NM && v->fpu.xfd.nm_on) {
		int r = vmx_xfd_handle_nm(v);

		if (r)
			return r > 0 ? EXIT_RESUME : EXIT_STOP_VM;
	}
	if (unlikely(v->debugged)) {
		enum exit_action a;

		if (vmx_gdb_exception(v, vector, ex.info & INTR_INFO_TYPE_MASK, &a))
			return a;
	}
	if (ex.info & INTR_INFO_DELIVER_CODE)
		ex.error = vmcs_read32(VM_EXIT_INTR_ERROR_CODE);
	if (vectoring.info & INTR_INFO_DELIVER_CODE)
		vectoring.error = vmcs_read32(IDT_VECTORING_ERROR_CODE);
	exc_decide(&ex, &vectoring, rip, &to_vmx(v)->exc_loop, GUEST_EXC_LOOP_LIMIT, &d);
	switch (d.action) {
	case EXC_STOP_MCE:
		vm_stop(v->vm, "machine check (#MC) while the guest ran (vCPU %u, RIP 0x%lx)",
		        v->id, rip);
		return EXIT_STOP_VM;
	case EXC_STOP_LOOP:
		vm_stop(v->vm,
		        "%s recurs at RIP 0x%lx with no guest instruction completing (%u times in "
		        "a row, vCPU %u): caught in its own exception delivery",
		        exc_name(vector), rip, d.count, v->id);
		return EXIT_STOP_VM;
	case EXC_TRIPLE_FAULT:
		vm_stop(v->vm, "triple fault (vCPU %u, RIP 0x%lx): %s while delivering #DF", v->id,
		        rip, exc_name(vector));
		return EXIT_STOP_VM;
	case EXC_REFLECT:
		break;
	}
	/* An intercepted #DB left DR6 alone (sec. 27.1): the guest gets the causes
	 * from the qualification. DR6 is not switched by VM entry/exit, so the
	 * value written here is the guest's. The pending-debug-exceptions field
	 * needs nothing: a vectoring entry does not deliver it (sec. 26.6.3). */
	if (vector == EXC_DB && (ex.info & INTR_INFO_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION)
		reflect_db_state(v);
	inject(v, &d.event);
	return EXIT_RESUME;
}
