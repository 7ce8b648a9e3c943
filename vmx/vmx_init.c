/* INIT and SIPI of a vCPU: the state hv/lib/init_state.c describes, written into
 * its VMCS, current on its own CPU (SDM Vol. 3A sec. 10.1.1, 11.4.4.1). */
#include "fpu/fpu.h"
#include "fpu/xcr0.h"
#include "hv/lib/init_state.h"
#include "hv/vdev/vlapic.h"
#include "hv/vm.h"
#include "kstring.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"
#include "x86.h"

#define ACTIVITY_ACTIVE 0

/* Selector, base, limit and access rights: the fields of each segment follow
 * the same encoding pattern from ES to TR (SDM Vol. 3D App. B). */
static void write_seg(uint32_t sel_f, const struct init_seg *s)
{
	uint32_t idx = sel_f - GUEST_ES_SELECTOR;

	__vmcs_write(sel_f, s->sel);
	__vmcs_write(GUEST_ES_BASE + idx, s->base);
	__vmcs_write(GUEST_ES_LIMIT + idx, s->limit);
	__vmcs_write(GUEST_ES_AR_BYTES + idx, s->ar);
}

/* EDX after RESET/INIT: the family/model/stepping signature of CPUID.1:EAX,
 * which the guest's CPUID passes through (hv/vdev/guest_cpuid.c). */
static uint32_t cpu_signature(void)
{
	struct cpuid_regs r;

	cpuid_count(1, 0, &r);
	return r.eax;
}

static void write_debug_state(struct vcpu *v, const struct init_state *s)
{
	struct vcpu_vmx *x = to_vmx(v);

	memset(x->dr, 0, sizeof(x->dr));
	x->dr6 = s->dr6;
	write_dr0(0);
	write_dr1(0);
	write_dr2(0);
	write_dr3(0);
	write_dr6(s->dr6);
	vmcs_writel(GUEST_DR7, s->dr7);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
}

void vmx_reset_guest(struct vcpu *v, bool power_on)
{
	static const uint32_t data_segs[] = {GUEST_SS_SELECTOR, GUEST_DS_SELECTOR,
	                                     GUEST_ES_SELECTOR, GUEST_FS_SELECTOR,
	                                     GUEST_GS_SELECTOR};
	struct vcpu_vmx *x = to_vmx(v);
	struct init_state s;

	init_state_after_init(&s, vcpu_read_cr0(v), power_on, cpu_signature());
	memset(v->regs, 0, sizeof(v->regs[0]) * (VCPU_REGS_R15 + 1));
	v->regs[VCPU_REGS_RDX] = s.rdx;
	vcpu_write_rsp(v, 0);
	vcpu_write_rip(v, s.rip);
	vcpu_write_rflags(v, s.rflags);
	vcpu_write_cr0(v, s.cr0);
	vcpu_write_cr3(v, s.cr3);
	vcpu_write_cr4(v, s.cr4);
	v->cr2 = s.cr2;
	/* EFER.LMA = 0 and the IA-32e mode guest control agree (sec. 27.3.1.1) */
	vmcs_write64(GUEST_IA32_EFER, s.efer);
	x->entry_ctls &= ~VM_ENTRY_IA32E_MODE;
	vmcs_write32(VM_ENTRY_CONTROLS, x->entry_ctls);
	write_seg(GUEST_CS_SELECTOR, &s.cs);
	for (unsigned i = 0; i < ARRAY_SIZE(data_segs); i++)
		write_seg(data_segs[i], &s.data);
	write_seg(GUEST_LDTR_SELECTOR, &s.ldtr);
	write_seg(GUEST_TR_SELECTOR, &s.tr);
	vmcs_writel(GUEST_GDTR_BASE, s.gdtr_base);
	vmcs_write32(GUEST_GDTR_LIMIT, s.gdtr_limit);
	vmcs_writel(GUEST_IDTR_BASE, s.idtr_base);
	vmcs_write32(GUEST_IDTR_LIMIT, s.idtr_limit);
	write_debug_state(v, &s);
	/* no event half delivered, no blocking, nothing pending survives INIT */
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	v->events_idle = false; /* RVI/SVI and the windows follow the reset APIC (vmx/vmx_irq.c) */
	/* x87 and SSE registers keep their values (table 10-1); XCR0 = x87 only */
	fpu_set_xcr0(v, XFEATURE_MASK_FP);
	/* VM entry flushes nothing under VPID (Vol. 3C sec. 29.4.3): the old
	 * paging mode's translations go now */
	if (x->vpid)
		invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, x->vpid, 0);
}

void vmx_vcpu_reset(struct vcpu *v)
{
	vmx_reset_guest(v, false);
	if (v->lapic)
		vlapic_init_signal(v->lapic);
}

void vmx_vcpu_start_at(struct vcpu *v, uint8_t vector)
{
	struct init_seg cs;
	uint64_t rip;

	init_state_sipi(vector, &cs, &rip);
	write_seg(GUEST_CS_SELECTOR, &cs);
	vcpu_write_rip(v, rip);
	vmcs_write32(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
}
