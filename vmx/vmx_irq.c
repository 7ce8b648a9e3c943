/* Interrupts and NMIs of the vLAPIC into the guest: event injection at VM entry,
 * interrupt-window and NMI-window exiting (SDM Vol. 3C sec. 26.6, 26.7.5-26.7.6,
 * 25.4.2); with virtual-interrupt delivery the CPU delivers the interrupts itself
 * (vmx/apicv.c) and only NMIs come through here. */
#include "hv/vdev/irq_line.h"
#include "hv/vdev/vlapic.h"
#include "hv/virq.h"
#include "hv/vm.h"
#include "vmx/apicv.h"
#include "vmx/event_decide.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"
#include "x86.h"

#define NMI_VECTOR     2
#define EXTINT_PENDING 256 /* event_state.vector: the PIC's interrupt, vector unknown until INTA */
#define INTR_WINDOW    CPU_BASED_INTR_WINDOW_EXITING
#define NMI_WINDOW     CPU_BASED_NMI_WINDOW_EXITING

static void set_windows(struct vcpu_vmx *x, uint32_t want)
{
	uint32_t proc = (x->proc & ~(INTR_WINDOW | NMI_WINDOW)) | want;

	if (proc != x->proc) {
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
		x->proc = proc;
	}
}

/*
 * The decision is event_decide's (vmx/event_decide.c); here the VMCS and the
 * vLAPIC supply its inputs. An event the entry already carries (a re-injected one
 * whose delivery an exit interrupted, vmx/exit_event.c, or an exception from an
 * exit handler) keeps its place: the window brings the guest back after it.
 */
static __attribute__((noinline)) void inject_events(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);
	struct vlapic *l = v->lapic;
	struct event_state s = {
		.nmi = l->nmi_pending, .vector = -1, .nmi_window = vmx_cfg.nmi_window};
	struct event_decision d;
	bool extint;

	vmx_apicv_sync(v);
	if (!x->apicv) {
		vlapic_update_ppr(l); /* the guest may have written the TPR shadow */
		s.vector = vlapic_pending_vector(l);
	}
	extint = virq_extint(v);
	if (extint)
		s.vector = EXTINT_PENDING; /* the PIC's, ahead of the APIC's own */
	if (!s.nmi && s.vector < 0) {
		set_windows(x, 0);
		if (!x->apicv)
			vmx_apicv_tpr_threshold(v);
		v->events_idle = !x->apicv || !(vmcs_read16(GUEST_INTR_STATUS) & 0xff);
		return;
	}
	s.entry_busy = vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID;
	s.block = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	s.rflags_if = vcpu_read_rflags(v) & RFLAGS_IF;
	event_decide(&s, &d);
	if (d.inject == EVENT_NMI && vlapic_take_nmi(l)) {
		vmx_inject_event(v, INTR_INFO_VALID | INTR_TYPE_NMI_INTR | NMI_VECTOR, 0);
		v->stats.nmis_injected++;
		v->stats.irqs_injected++;
	} else if (d.inject == EVENT_INTR && extint) {
		/* ExtINT: the PIC's acknowledge gives the vector; the APIC's IRR/ISR
		 * are not involved (SDM Vol. 3A 11.5.1, delivery mode ExtINT) */
		vmx_inject_event(v, INTR_INFO_VALID | INTR_TYPE_EXT_INTR | vm_irq_extint_ack(v->vm),
		                 0);
		v->stats.irqs_injected++;
	} else if (d.inject == EVENT_INTR) {
		vmx_inject_event(v, INTR_INFO_VALID | INTR_TYPE_EXT_INTR | (uint32_t)s.vector, 0);
		vlapic_ack(l, (uint8_t)s.vector);
		v->stats.irqs_injected++;
	}
	set_windows(x, d.windows);
	if (!x->apicv)
		vmx_apicv_tpr_threshold(v);
}

/*
 * The run loop calls it before an entry unless v->events_idle holds and no
 * request came: after an exit handled on the fast path (vmx_exit_fast) or by a
 * quiet handler (vmx/exit.c) with nothing pending before it, nothing can have
 * changed. Any other exit clears events_idle, and so does loading the vCPU;
 * whatever makes an event pending from elsewhere (hv/virq.c: an IPI, a timer
 * fired by the scheduler) sets VCPU_REQ_EVENT, and any request (INIT, SIPI, ...)
 * re-evaluates too.
 */
void vmx_inject_events(struct vcpu *v, uint32_t req)
{
	if (v->lapic)
		inject_events(v);
	else
		v->events_idle = true; /* no interrupt source at all */
}

void vmx_end_interrupt_shadow(void)
{
	uint32_t block = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	if (block & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
		             block & ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

/* The guest can take the event now: the next entry injects it. */
enum exit_action vmx_handle_event_window(struct vcpu *v)
{
	return EXIT_RESUME;
}
