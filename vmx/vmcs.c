/* VMCS contents for a vCPU: host state, controls, the initial guest state of a
 * multiboot kernel (SDM Vol. 3C ch. 25, 27.2-27.3; Multiboot 0.6.96 sec. 3.2). */
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/trap.h"
#include "hv/vm.h"
#include "mm/mm.h"
#include "vmx/apicv.h"
#include "vmx/ept.h"
#include "vmx/msr.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"
#include "x86.h"

#define AR_UNUSABLE       BIT(16)
#define AR_CODE32         0xc09b /* G, D/B, P, S, execute/read accessed */
#define AR_DATA32         0xc093 /* G, D/B, P, S, read/write accessed */
#define AR_TSS32_BUSY     0x8b
#define GUEST_CS_SEL      0x08
#define GUEST_DS_SEL      0x10
#define GUEST_PAT_DEFAULT 0x0007040600070406ull
#define DR7_DEFAULT       0x400
#define RFLAGS_RESERVED   BIT(1)
/* #DB and #AC can recur during their own delivery with no instruction
 * boundary in between (CVE-2015-8104, CVE-2015-5307), #MC means the machine
 * is in trouble: all three exit (vmx/exit_event.c). */
#define EXCEPTIONS_INTERCEPTED (BIT(1) | BIT(17) | BIT(18))

extern hpa_t vmx_io_bitmap_a, vmx_io_bitmap_b;

static void setup_host_state(void)
{
	struct percpu *c = this_cpu();

	vmcs_writel(HOST_CR0, read_cr0());
	vmcs_writel(HOST_CR3, read_cr3());
	vmcs_writel(HOST_CR4, read_cr4());
	vmcs_write16(HOST_CS_SELECTOR, GDT_CODE64);
	vmcs_write16(HOST_SS_SELECTOR, GDT_DATA);
	vmcs_write16(HOST_DS_SELECTOR, GDT_DATA);
	vmcs_write16(HOST_ES_SELECTOR, GDT_DATA);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_TSS);
	vmcs_writel(HOST_FS_BASE, 0);
	vmcs_writel(HOST_GS_BASE, (uint64_t)c);
	vmcs_writel(HOST_TR_BASE, (uint64_t)&c->tss);
	vmcs_writel(HOST_GDTR_BASE, (uint64_t)c->gdt);
	vmcs_writel(HOST_IDTR_BASE, idt_base());
	vmcs_write32(HOST_IA32_SYSENTER_CS, 0);
	vmcs_writel(HOST_IA32_SYSENTER_ESP, 0);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, 0);
	vmcs_write64(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write64(HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	vmcs_writel(HOST_RIP, (uint64_t)vmx_exit_stub);
}

static void setup_controls(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);

	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, vmx_cfg.pin & ~PIN_BASED_VMX_PREEMPTION_TIMER);
	vmx_apicv_setup_vcpu(v); /* the processor-based controls */
	/* PAUSE-loop exiting: a spin of PAUSEs (each within PLE_GAP TSC ticks of
	 * the last) longer than PLE_WINDOW exits, and the vCPU yields the rest of
	 * its slice (SDM Vol. 3C sec. 26.1.3, 25.6.13). */
	if (vmx_cfg.proc2 & SECONDARY_EXEC_PAUSE_LOOP_EXITING) {
		vmcs_write32(PLE_GAP, VMX_PLE_GAP);
		vmcs_write32(PLE_WINDOW, VMX_PLE_WINDOW);
	}
	vmcs_write32(VM_EXIT_CONTROLS, vmx_cfg.exit);
	x->entry_ctls = vmx_cfg.entry;
	vmcs_write32(VM_ENTRY_CONTROLS, x->entry_ctls);
	vmcs_write32(EXCEPTION_BITMAP, EXCEPTIONS_INTERCEPTED);
	v->fpu.xfd.nm_on = false; /* #NM for XFD: set at entry when needed (fpu/xfd_vcpu.c) */
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write64(IO_BITMAP_A, vmx_io_bitmap_a);
	vmcs_write64(IO_BITMAP_B, vmx_io_bitmap_b);
	vmx_msr_setup_vcpu(v);
	vmcs_write64(EPT_POINTER, ept_pointer(v->vm->arch));
	vmcs_write64(VMCS_LINK_POINTER, ~0ull);
	vmcs_write64(TSC_OFFSET, x->tsc_offset);
	if (vmx_cfg.vpid)
		vmcs_write16(VIRTUAL_PROCESSOR_ID, x->vpid);
	if (vmx_cfg.xsaves)
		vmcs_write64(XSS_EXIT_BITMAP, 0);
	/* CR bits the guest may not change in hardware are owned by the hypervisor and
	 * shown to the guest as it set them (sec. 25.6.6). */
	x->cr0_shadow_mask = (vmx_cfg.cr0_fixed0 & ~(uint64_t)(CR0_PE | CR0_PG)) |
	                     (~vmx_cfg.cr0_fixed1 & 0xffffffffull);
	/* CR4.PCE too: the guest sees its own value, the hardware keeps 0, so
	 * RDPMC at CPL > 0 faults and at CPL 0 exits (RDPMC exiting). */
	x->cr4_shadow_mask = vmx_cfg.cr4_fixed0 | (~vmx_cfg.cr4_fixed1 & 0xffffffffull) | CR4_PCE;
	vmcs_writel(CR0_GUEST_HOST_MASK, x->cr0_shadow_mask);
	vmcs_writel(CR4_GUEST_HOST_MASK, x->cr4_shadow_mask);
}

static void setup_segment(uint32_t sel_f, uint32_t base_f, uint32_t limit_f, uint32_t ar_f,
                          uint16_t sel, uint32_t limit, uint32_t ar)
{
	__vmcs_write(sel_f, sel);
	__vmcs_write(base_f, 0);
	__vmcs_write(limit_f, limit);
	__vmcs_write(ar_f, ar);
}

/* Protected mode, paging off, flat 4 GiB segments, EAX/EBX from the loader (regs). */
static void setup_guest_state(struct vcpu *v)
{
	uint64_t cr0 = CR0_PE | CR0_ET, cr4 = 0;

	vmcs_writel(GUEST_CR0, cr0 | (vmx_cfg.cr0_fixed0 & ~(uint64_t)(CR0_PE | CR0_PG)));
	vmcs_writel(CR0_READ_SHADOW, cr0);
	vmcs_writel(GUEST_CR4, cr4 | vmx_cfg.cr4_fixed0);
	vmcs_writel(CR4_READ_SHADOW, cr4);
	vmcs_writel(GUEST_CR3, 0);
	vmcs_writel(GUEST_DR7, DR7_DEFAULT);
	vmcs_writel(GUEST_RSP, 0);
	vmcs_writel(GUEST_RIP, v->regs[VCPU_REGS_RIP]);
	vmcs_writel(GUEST_RFLAGS, RFLAGS_RESERVED);
	setup_segment(GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES,
	              GUEST_CS_SEL, 0xffffffff, AR_CODE32);
	setup_segment(GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES,
	              GUEST_DS_SEL, 0xffffffff, AR_DATA32);
	setup_segment(GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR_BYTES,
	              GUEST_DS_SEL, 0xffffffff, AR_DATA32);
	setup_segment(GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES,
	              GUEST_DS_SEL, 0xffffffff, AR_DATA32);
	setup_segment(GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR_BYTES,
	              GUEST_DS_SEL, 0xffffffff, AR_DATA32);
	setup_segment(GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR_BYTES,
	              GUEST_DS_SEL, 0xffffffff, AR_DATA32);
	setup_segment(GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES, 0, 0xff,
	              AR_TSS32_BUSY);
	setup_segment(GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT, GUEST_LDTR_AR_BYTES,
	              0, 0, AR_UNUSABLE);
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write64(GUEST_IA32_PAT, GUEST_PAT_DEFAULT);
	vmcs_write64(GUEST_IA32_EFER, 0);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, 0);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

int vmx_vmcs_setup(struct vcpu *v)
{
	setup_host_state();
	setup_controls(v);
	setup_guest_state(v);
	return 0;
}

static void dump_seg(const char *name, uint32_t sel_f)
{
	/* selector, limit, access rights and base fields share the low byte pattern */
	uint32_t idx = sel_f - GUEST_ES_SELECTOR;

	log_raw("  %-4s sel %04lx base %016lx limit %08lx ar %05lx\n", name, __vmcs_read(sel_f),
	        __vmcs_read(GUEST_ES_BASE + idx), __vmcs_read(GUEST_ES_LIMIT + idx),
	        __vmcs_read(GUEST_ES_AR_BYTES + idx));
}

static void dump_segments(void)
{
	static const char *const segs[] = {"ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR"};

	for (unsigned i = 0; i < ARRAY_SIZE(segs); i++)
		dump_seg(segs[i], GUEST_ES_SELECTOR + 2 * i);
	log_raw("  GDTR %016lx/%04lx IDTR %016lx/%04lx\n", vmcs_readl(GUEST_GDTR_BASE),
	        __vmcs_read(GUEST_GDTR_LIMIT), vmcs_readl(GUEST_IDTR_BASE),
	        __vmcs_read(GUEST_IDTR_LIMIT));
}

void vmx_dump_guest_regs(struct vcpu *v)
{
	log_raw("  EFER %016lx DR7 %016lx\n", vmcs_read64(GUEST_IA32_EFER), vmcs_readl(GUEST_DR7));
	dump_segments();
}

void vmx_dump_vmcs(struct vcpu *v)
{
	log_raw("  vm %s vcpu %u guest state:\n", v->vm->name, v->id);
	log_raw("  RIP %016lx RSP %016lx RFLAGS %016lx\n", vmcs_readl(GUEST_RIP),
	        vmcs_readl(GUEST_RSP), vmcs_readl(GUEST_RFLAGS));
	log_raw("  CR0 %016lx CR3 %016lx CR4 %016lx EFER %016lx\n", vmcs_readl(GUEST_CR0),
	        vmcs_readl(GUEST_CR3), vmcs_readl(GUEST_CR4), vmcs_read64(GUEST_IA32_EFER));
	log_raw("  RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", v->regs[0], v->regs[3],
	        v->regs[1], v->regs[2]);
	dump_segments();
	log_raw("  controls: pin %x proc %x proc2 %x tpr-threshold %x intr-status %x\n",
	        vmcs_read32(PIN_BASED_VM_EXEC_CONTROL), vmcs_read32(CPU_BASED_VM_EXEC_CONTROL),
	        vmcs_read32(SECONDARY_VM_EXEC_CONTROL), vmcs_read32(TPR_THRESHOLD),
	        (vmx_cfg.proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIV) ? vmcs_read16(GUEST_INTR_STATUS)
	                                                            : 0);
	log_raw("  interruptibility %x activity %x entry-ctls %x entry-intr %x\n",
	        vmcs_read32(GUEST_INTERRUPTIBILITY_INFO), vmcs_read32(GUEST_ACTIVITY_STATE),
	        vmcs_read32(VM_ENTRY_CONTROLS), vmcs_read32(VM_ENTRY_INTR_INFO_FIELD));
}
