/* The VMX side of hv/lib/task_switch.c: the old task's state from the VMCS and the
 * register cache, the event from the IDT-vectoring information (a task gate in the IDT),
 * guest memory through vmx/guest_mem.c, and the new task's state written back. */
#include "vmx/task_switch.h"
#include "err.h"
#include "hv/lib/task_switch.h"
#include "hv/vm.h"
#include "vmx/guest_mem.h"
#include "vmx/paging.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"
#include "x86.h"

#define QUAL_SEL(q)             ((uint16_t)(q))
#define QUAL_SOURCE(q)          (((q) >> 30) & 3)
#define INTR_TYPE_SOFT_INTR     (4u << 8)
#define INTR_TYPE_PRIV_SOFT_EXC (5u << 8)
#define VEC_DB                  1
#define VEC_DF                  8
#define DR6_BT                  BIT(15)
#define DR7_LOCAL_ENABLES       0x55ull /* L0-L3 */
#define VEC_PF                  14
#define SEG_FIELD(f, i)         ((f) + 2 * (i)) /* ES..GS, LDTR, TR in order */
#define SEG_LDTR                6
#define SEG_TR                  7

static void read_seg(unsigned i, struct task_seg *s)
{
	s->sel = (uint16_t)__vmcs_read(SEG_FIELD(GUEST_ES_SELECTOR, i));
	s->base = __vmcs_read(SEG_FIELD(GUEST_ES_BASE, i));
	s->limit = (uint32_t)__vmcs_read(SEG_FIELD(GUEST_ES_LIMIT, i));
	s->ar = (uint32_t)__vmcs_read(SEG_FIELD(GUEST_ES_AR_BYTES, i));
}

static void write_seg(unsigned i, const struct task_seg *s)
{
	__vmcs_write(SEG_FIELD(GUEST_ES_SELECTOR, i), s->sel);
	__vmcs_write(SEG_FIELD(GUEST_ES_BASE, i), s->base);
	__vmcs_write(SEG_FIELD(GUEST_ES_LIMIT, i), s->limit);
	__vmcs_write(SEG_FIELD(GUEST_ES_AR_BYTES, i), s->ar);
}

static int mem_result(int r)
{
	return r == -EFAULT ? TASK_PAGE_FAULT : r < 0 ? TASK_MEM_ERROR : TASK_OK;
}

static int mem_read(void *ctx, uint64_t la, void *buf, uint32_t len)
{
	return mem_result(vmx_read_guest(ctx, la, buf, len, GWALK_IMPLICIT));
}

static int mem_write(void *ctx, uint64_t la, const void *buf, uint32_t len)
{
	return mem_result(vmx_write_guest(ctx, la, buf, len, GWALK_IMPLICIT));
}

static int mem_load_cr3(void *ctx, uint32_t cr3)
{
	return vmx_set_cr3(ctx, cr3) < 0 ? TASK_FAULT : TASK_OK;
}

static void read_cpu(struct vcpu *v, struct task_cpu *c)
{
	for (unsigned i = 0; i < 8; i++)
		c->gpr[i] = (uint32_t)vcpu_read_gpr(v, i);
	c->eip = (uint32_t)vcpu_read_rip(v);
	c->eflags = (uint32_t)vcpu_read_rflags(v);
	c->cr0 = (uint32_t)vcpu_read_cr0(v);
	c->cr3 = (uint32_t)vcpu_read_cr3(v);
	for (unsigned i = 0; i < 6; i++)
		read_seg(i, &c->seg[i]);
	read_seg(SEG_LDTR, &c->ldtr);
	read_seg(SEG_TR, &c->tr);
	c->gdt_base = vmcs_readl(GUEST_GDTR_BASE);
	c->gdt_limit = vmcs_read32(GUEST_GDTR_LIMIT);
}

static void write_cpu(struct vcpu *v, const struct task_cpu *c)
{
	for (unsigned i = 0; i < 8; i++)
		vcpu_write_gpr(v, i, c->gpr[i]);
	vcpu_write_rip(v, c->eip);
	vcpu_write_rflags(v, c->eflags);
	vcpu_write_cr0(v, c->cr0);
	for (unsigned i = 0; i < 6; i++)
		write_seg(i, &c->seg[i]);
	write_seg(SEG_LDTR, &c->ldtr);
	write_seg(SEG_TR, &c->tr);
}

static bool contributory(unsigned vec)
{
	return vec == 0 || (vec >= 10 && vec <= 13);
}

/* A fault while delivering an event through a task gate, in the old task: the rules of
 * SDM Vol. 3A sec. 6.15 table 6-5 (interrupt 8) for which pairs become #DF. */
static enum exit_action deliver_fault(struct vcpu *v, uint32_t idt_info, const struct task_fault *f)
{
	bool during_event = idt_info & INTR_INFO_VALID;
	unsigned first = idt_info & INTR_INFO_VECTOR_MASK;
	bool first_exc = (idt_info & INTR_INFO_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION;

	if (during_event && first_exc && first == VEC_DF) {
		vm_stop(v->vm, "triple fault: the #DF task switch raised vector %u (error 0x%x)",
		        f->vector, f->error);
		return EXIT_STOP_VM;
	}
	if (during_event && first_exc && contributory(f->vector) &&
	    (contributory(first) || first == VEC_PF))
		vmx_inject_exception(v, VEC_DF, true, 0);
	else
		vmx_inject_exception(v, f->vector, true, f->error);
	return EXIT_RESUME;
}

/* Every task switch clears the local breakpoint enables L0-L3 of DR7 (SDM Vol. 3B
 * sec. 18.2.4); a new TSS with its T flag set raises a #DB with DR6.BT once the
 * switch is done (Vol. 3A sec. 8.2.1, 8.3). */
static void after_switch(struct vcpu *v, bool debug_trap)
{
	vmcs_writel(GUEST_DR7, vmcs_readl(GUEST_DR7) & ~DR7_LOCAL_ENABLES);
	if (debug_trap) {
		write_dr6(read_dr6() | DR6_BT);
		vmx_inject_exception(v, VEC_DB, false, 0);
	}
}

/* A #PF on the TSS while delivering an event through a task gate, before the
 * switch took effect (the #PF is already queued, with CR2): after a #PF it
 * becomes #DF, after a #DF a shutdown (SDM Vol. 3A sec. 6.15, table 6-5). */
static enum exit_action page_fault_before_commit(struct vcpu *v, uint32_t idt_info)
{
	bool first_exc = (idt_info & INTR_INFO_VALID) &&
	                 (idt_info & INTR_INFO_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION;
	unsigned first = idt_info & INTR_INFO_VECTOR_MASK;

	if (first_exc && first == VEC_DF) {
		vm_stop(v->vm, "triple fault: the #DF task switch raised a page fault");
		return EXIT_STOP_VM;
	}
	if (first_exc && first == VEC_PF)
		vmx_inject_exception(v, VEC_DF, true, 0);
	return EXIT_RESUME;
}

enum exit_action vmx_task_switch(struct vcpu *v, uint64_t q)
{
	uint32_t idt_info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	uint32_t type = idt_info & INTR_INFO_TYPE_MASK;
	struct task_req req = {.sel = QUAL_SEL(q), .src = (enum task_source)QUAL_SOURCE(q)};
	struct task_mem mem = {mem_read, mem_write, mem_load_cr3, v};
	struct task_fault f;
	struct task_cpu c;
	bool via_idt = req.src == TASK_IDT_GATE && (idt_info & INTR_INFO_VALID);
	enum task_result r;

	if (!via_idt)
		idt_info = 0;
	if (vmx_guest_64bit(v) || (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA)) {
		vm_stop(v->vm, "task switch in IA-32e mode");
		return EXIT_STOP_VM;
	}
	read_cpu(v, &c);
	/* the old task resumes after the instruction, or after INT n/INT3/INTO (sec. 28.2.4) */
	if (req.src != TASK_IDT_GATE || type == INTR_TYPE_SOFT_INTR ||
	    type == INTR_TYPE_PRIV_SOFT_EXC || type == INTR_TYPE_SOFT_EXCEPTION)
		c.eip += vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	if (via_idt) {
		req.ext = type == INTR_TYPE_EXT_INTR || type == INTR_TYPE_NMI_INTR ||
		          type == INTR_TYPE_HARD_EXCEPTION;
		req.has_error = idt_info & INTR_INFO_DELIVER_CODE;
		req.error = vmcs_read32(IDT_VECTORING_ERROR_CODE);
		if (type == INTR_TYPE_NMI_INTR)
			vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			             vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) |
			                     INTERRUPTIBILITY_NMI);
	}
	r = task_switch(&c, &req, &mem, &f);
	if (r == TASK_MEM_ERROR) {
		vm_stop(v->vm, "task switch to TSS 0x%x: a TSS or descriptor is not in guest RAM",
		        req.sel);
		return EXIT_STOP_VM;
	}
	if (r == TASK_OK || f.committed)
		write_cpu(v, &c);
	if (r == TASK_OK)
		after_switch(v, f.debug_trap);
	if (r == TASK_FAULT)
		return f.committed ? (vmx_inject_exception(v, f.vector, true, f.error), EXIT_RESUME)
		                   : deliver_fault(v, idt_info, &f);
	if (r == TASK_PAGE_FAULT && !f.committed)
		return page_fault_before_commit(v, idt_info);
	return EXIT_RESUME; /* done, or a #PF pending in the task the fault belongs to */
}
