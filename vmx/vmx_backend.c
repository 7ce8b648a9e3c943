/* The VMX implementation of struct vmm_ops. */
#include "err.h"
#include "fpu/fpu.h"
#include "fpu/xfd_vcpu.h"
#include "hv/log.h"
#include "hv/config/options.h"
#include "hv/panic.h"
#include "hv/slice.h"
#include "hv/vm.h"
#include "kstring.h"
#include "mm/mm.h"
#include "vmx/apicv.h"
#include "vmx/ept.h"
#include "vmx/msr.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"
#include "vmx/vmx_xfd.h"
#include "vmx/vpid.h"
#include "x86.h"

#define DR6_INIT 0xffff0ff0ull /* reset value (SDM Vol. 3B sec. 18.2.3) */
#define DR7_INIT 0x400ull      /* no breakpoint enabled (sec. 18.2.4) */

hpa_t vmx_io_bitmap_a, vmx_io_bitmap_b;
static struct vpid_pool vpids;
static struct spinlock vpids_lock = SPINLOCK_INIT;
static bool vpids_ready;

/* I/O always exits; the MSR bitmap comes from the policy in vmx/msr.c. */
static int setup_bitmaps(void)
{
	/* The APIC-access page first: Bochs reads two bytes of I/O bitmap B for an
	 * access at port 0xFFF8-0xFFFF, one past its end, and a read of the
	 * APIC-access page there turns into an APIC-access exit. */
	if (vmx_apicv_init() < 0)
		return -ENOMEM;
	vmx_io_bitmap_a = mm_alloc_frames(1, PAGE_SIZE);
	vmx_io_bitmap_b = mm_alloc_frames(1, PAGE_SIZE);
	if (vmx_io_bitmap_a == INVALID_HPA || vmx_io_bitmap_b == INVALID_HPA)
		return -ENOMEM;
	memset(phys_to_virt(vmx_io_bitmap_a), 0xff, PAGE_SIZE);
	memset(phys_to_virt(vmx_io_bitmap_b), 0xff, PAGE_SIZE);
	return vmx_msr_setup_bitmap();
}

/* The hypervisor's own debug state: no breakpoint enabled, so guest values in
 * DR0-DR3 cannot fire in root operation. Every VM exit sets DR7 to 400H and
 * clears IA32_DEBUGCTL again (SDM Vol. 3C sec. 28.5.1). */
static void host_debug_init(void)
{
	write_dr7(DR7_INIT);
	write_dr0(0);
	write_dr1(0);
	write_dr2(0);
	write_dr3(0);
	write_dr6(DR6_INIT);
}

static int vmx_cpu_enable_op(void)
{
	static bool bitmaps_ready;

	if (!bitmaps_ready) {
		vmx_setup_xsaves(); /* before the MSR policy reads the guest CPUID */
		if (setup_bitmaps() < 0)
			return -ENOMEM;
		bitmaps_ready = true;
	}
	host_debug_init();
	return vmx_cpu_enable();
}

static hpa_t ept_alloc_table(void *ctx)
{
	return mm_alloc_frames(1, PAGE_SIZE);
}

static uint64_t *ept_table_va(void *ctx, hpa_t pa)
{
	return phys_to_virt(pa);
}

static int vmx_vm_init(struct vm *vm)
{
	static const struct pt_ops ops = {.alloc_table = ept_alloc_table, .table_va = ept_table_va};
	struct ept *e = kzalloc(sizeof(*e));

	if (!e || ept_init(e, &ops, vmx_cfg.ept.pages_2m, vmx_cfg.ept.pages_1g) < 0) {
		kfree(e);
		return -ENOMEM;
	}
	vm->arch = e;
	for (size_t i = 0; i < vm->mem.n; i++) {
		const struct memslot *s = &vm->mem.slot[i];
		int r = ept_map_ram(e, s->gpa, s->hpa, s->size, EPT_RWX);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Frees the EPT tables below t by walking them (4 levels, leaves are not
 * tables); returns how many. */
static uint64_t free_tables(uint64_t *t, int level)
{
	uint64_t n = 0;

	for (int i = 0; level > 1 && i < PT_ENTRIES; i++)
		if ((t[i] & EPT_RWX) && !(t[i] & PTE_PS)) {
			n += free_tables(phys_to_virt(t[i] & PTE_ADDR_MASK), level - 1);
			mm_free_frames(t[i] & PTE_ADDR_MASK, 1);
			n++;
		}
	return n;
}

/* Frees the EPT; every vCPU of vm has been freed (and its CPU's translations
 * dropped) before. */
static void vmx_vm_destroy(struct vm *vm)
{
	struct ept *e = vm->arch;
	uint64_t n = free_tables(phys_to_virt(e->pt.root), PT_LEVELS);

	mm_free_frames(e->pt.root, 1);
	__atomic_fetch_add(&vm->frames_freed, n + 1, __ATOMIC_RELAXED);
	kfree(e);
	vm->arch = NULL;
}

/* A nonzero VPID for a new vCPU (SDM Vol. 3C sec. 26.2.1.1), or -ENOSPC. */
static int vpid_get(void)
{
	int vpid;

	spin_lock(&vpids_lock);
	if (!vpids_ready) {
		vpid_pool_init(&vpids, hv_options.selftest == SELFTEST_VPIDS ? SELFTEST_VPID_POOL
		                                                             : VPID_MAX);
		vpids_ready = true;
	}
	vpid = vpid_alloc(&vpids);
	spin_unlock(&vpids_lock);
	return vpid;
}

static void vpid_put(uint16_t vpid)
{
	int r;

	spin_lock(&vpids_lock);
	r = vpid_free(&vpids, vpid);
	spin_unlock(&vpids_lock);
	if (r < 0)
		panic("VPID %u freed but not allocated", vpid);
}

static int vmx_vcpu_create(struct vcpu *v)
{
	struct vcpu_vmx *x = kzalloc(sizeof(*x));
	int vpid = 0;

	vmx_exit_unusual = xfd_host.caps.present || hv_options.selftest;
	if (!x)
		return -ENOMEM;
	if (vmx_cfg.vpid) {
		vpid = vpid_get();
		if (vpid < 0) {
			log_err("vm %s vcpu %u: all %u VPIDs are in use", v->vm->name, v->id,
			        vpids.last);
			kfree(x);
			return -ENOSPC;
		}
	}
	x->vmcs = mm_alloc_frames(1, PAGE_SIZE);
	if (x->vmcs == INVALID_HPA) {
		if (vpid)
			vpid_put((uint16_t)vpid);
		kfree(x);
		return -ENOMEM;
	}
	*(uint32_t *)phys_to_virt(x->vmcs) = vmx_cfg.basic.revision;
	if (v->lapic && vmx_apicv_map(v) < 0) {
		if (vpid)
			vpid_put((uint16_t)vpid);
		mm_free_frames(x->vmcs, 1);
		kfree(x);
		return -ENOMEM;
	}
	x->vpid = (uint16_t)vpid;
	x->dr6 = DR6_INIT;
	v->arch = x;
	return 0;
}

/*
 * Runs on the CPU where v's VMCS was last current (any CPU if it never was):
 * VMCLEAR writes the VMCS back and makes it inactive, so its frame may be
 * reused (SDM Vol. 3C sec. 25.1, 25.11). The translations tagged with its VPID
 * and derived from its VM's EPT are dropped on this CPU before the VPID and the
 * EPT tables are handed out again (sec. 29.4.3).
 */
static void vmx_vcpu_free(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);

	if (!x)
		return;
	if (!vmclear(x->vmcs))
		panic("VMCLEAR of vm %s vcpu %u failed", v->vm->name, v->id);
	if (x->vpid) {
		invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, x->vpid, 0);
		vpid_put(x->vpid);
	}
	if (v->vm->arch && vmx_cfg.ept.invept_single)
		invept(VMX_EPT_EXTENT_CONTEXT, ept_pointer(v->vm->arch));
	else if (v->vm->arch && vmx_cfg.ept.invept_all)
		invept(VMX_EPT_EXTENT_GLOBAL, 0);
	mm_free_frames(x->vmcs, 1);
	__atomic_fetch_add(&v->vm->frames_freed, 1, __ATOMIC_RELAXED);
	if (x->msr_bitmap)
		kfree(x->msr_bitmap);
	kfree(x);
	v->arch = NULL;
}

/* Makes v's VMCS current; the first time on its CPU, fills it in. */
static void vmx_vcpu_load(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);
	bool fresh = !x->launched && !x->exit_reason;

	if (fresh && !vmclear(x->vmcs))
		panic("VMCLEAR of vm %s vcpu %u failed", v->vm->name, v->id);
	if (!vmptrld(x->vmcs))
		panic("VMPTRLD of vm %s vcpu %u failed", v->vm->name, v->id);
	if (fresh) {
		vmx_vmcs_setup(v);
		if (v->state == VCPU_WAIT_SIPI) /* an AP: RESET state until its SIPI */
			vmx_reset_guest(v, true);
		/* RFLAGS bit 1 clear is invalid guest state (SDM sec. 27.3.1.4). */
		if (hv_options.selftest == SELFTEST_VMENTRY && v->vm->id == nr_vms - 1)
			vmcs_writel(GUEST_RFLAGS, 0);
	}
	v->events_idle = false;
	/* DR0-DR3 and DR6 are no VMCS state: switched eagerly with the vCPU. */
	write_dr0(x->dr[0]);
	write_dr1(x->dr[1]);
	write_dr2(x->dr[2]);
	write_dr3(x->dr[3]);
	write_dr6(x->dr6);
	vmx_msr_load_guest(v);
}

static void vmx_vcpu_put(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);

	x->dr[0] = read_dr0();
	x->dr[1] = read_dr1();
	x->dr[2] = read_dr2();
	x->dr[3] = read_dr3();
	x->dr6 = read_dr6();
	vmx_msr_save_guest(v);
}

static const uint32_t reg_field[NR_VCPU_REGS] = {
	[VCPU_REGS_RSP] = GUEST_RSP, [VCPU_REGS_RIP] = GUEST_RIP, [VCPU_REGS_RFLAGS] = GUEST_RFLAGS,
	[VCPU_REGS_CR0] = GUEST_CR0, [VCPU_REGS_CR3] = GUEST_CR3, [VCPU_REGS_CR4] = GUEST_CR4,
};

static void vmx_cache_reg(struct vcpu *v, enum vcpu_reg r)
{
	struct vcpu_vmx *x = to_vmx(v);

	if (r == VCPU_REGS_CR0)
		v->regs[r] = (vmcs_readl(GUEST_CR0) & ~x->cr0_shadow_mask) |
		             (vmcs_readl(CR0_READ_SHADOW) & x->cr0_shadow_mask);
	else if (r == VCPU_REGS_CR4)
		v->regs[r] = (vmcs_readl(GUEST_CR4) & ~x->cr4_shadow_mask) |
		             (vmcs_readl(CR4_READ_SHADOW) & x->cr4_shadow_mask);
	else if (reg_field[r])
		v->regs[r] = __vmcs_read(reg_field[r]);
}

/* Writes dirty cached registers back; CR0/CR4 keep the owned bits in hardware
 * and the guest's view in the read shadow. */
static __attribute__((noinline)) void flush_dirty(struct vcpu *v, uint32_t dirty)
{
	while (dirty) {
		enum vcpu_reg r = (enum vcpu_reg)__builtin_ctz(dirty);
		uint64_t val = v->regs[r];

		dirty &= dirty - 1;
		if (r == VCPU_REGS_CR0) {
			vmcs_writel(CR0_READ_SHADOW, val);
			vmcs_writel(GUEST_CR0, vmx_apply_fixed(val,
			                                       vmx_cfg.cr0_fixed0 &
			                                               ~(uint64_t)(CR0_PE | CR0_PG),
			                                       vmx_cfg.cr0_fixed1));
		} else if (r == VCPU_REGS_CR4) {
			vmcs_writel(CR4_READ_SHADOW, val);
			vmcs_writel(GUEST_CR4,
			            vmx_apply_fixed(val, vmx_cfg.cr4_fixed0, vmx_cfg.cr4_fixed1) &
			                    ~(uint64_t)CR4_PCE); /* owned: see vmx/vmcs.c */
		} else {
			__vmcs_write(reg_field[r], val);
		}
	}
}

static inline __attribute__((always_inline)) void flush_regs(struct vcpu *v)
{
	uint32_t dirty = v->regs_dirty & ~VCPU_REGS_GPR_MASK;

	/* the common case, without the loop's frame: an exit handler skipped the
	 * instruction and wrote nothing else */
	if (likely(dirty == 1u << VCPU_REGS_RIP))
		vmcs_writel(GUEST_RIP, v->regs[VCPU_REGS_RIP]);
	else if (dirty)
		flush_dirty(v, dirty);
	v->regs_dirty = 0;
}

static void report_entry_failure(struct vcpu *v)
{
	uint32_t err = vmcs_read32(VM_INSTRUCTION_ERROR);

	log_err("vm %s vcpu %u: VM entry failed: VM-instruction error %u (%s)", v->vm->name, v->id,
	        err, vmx_insn_error_name(err));
	vmx_dump_vmcs(v);
	vm_stop(v->vm, "VM entry failed (error %u)", err);
}

/* Arms the VMX-preemption timer with the time left in v's slice, so that a
 * guest that never exits still gives up the CPU at the slice's deadline
 * (SDM Vol. 3C sec. 26.5.1); the run loop enforces the deadline across exits. */
static void program_slice(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);
	bool want = v->slice_end != SLICE_NONE; /* the timer is a required control */
	uint32_t pin = vmx_cfg.pin & ~PIN_BASED_VMX_PREEMPTION_TIMER;
	uint32_t value;

	/* no deadline as at the last entry: nothing to write */
	if (likely(!slice_timer_rewrite(x->timer_deadline, v->slice_end, false)))
		return;
	if (want != x->preemption_timer) {
		vmcs_write32(PIN_BASED_VM_EXEC_CONTROL,
		             want ? pin | PIN_BASED_VMX_PREEMPTION_TIMER : pin);
		x->preemption_timer = want;
	}
	/* a slow entry with a deadline arms the timer with the time left */
	x->timer_deadline = v->slice_end;
	if (!want)
		return;
	/* an expired slice gives 0: the exit comes before any guest instruction */
	slice_timer_value(v->slice_end, rdtsc(), vmx_cfg.preemption_timer_shift, &value);
	vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, value);
}

/* The contract of vmm_ops->run: enters until an exit the fast path does not
 * resume at once (vmx_exit_fast). */
static int vmx_run(struct vcpu *v, enum exit_action *a)
{
	struct vcpu_vmx *x = to_vmx(v);

	flush_regs(v);
	program_slice(v);
	if (xfd_host.caps.present) /* no call on the hot path of a CPU without XFD */
		xfd_enter(&v->fpu, v);
	if (vmx_vcpu_enter(v, x->launched)) {
		report_entry_failure(v);
		return -EIO;
	}
	x->launched = true;
	if (!x->fast_handled)
		return 0;
	*a = x->fast_action;
	return 1;
}

/* Queues the event info (VM-entry interruption-information format) for the
 * next entry. A guest in real mode (CR0.PE = 0, possible with unrestricted
 * guest) takes it without an error code: VM entry refuses one (SDM Vol. 3C
 * sec. 26.2.1.3). */
void vmx_inject_event(struct vcpu *v, uint32_t info, uint32_t error)
{
	if (!(vcpu_read_cr0(v) & CR0_PE))
		info &= ~INTR_INFO_DELIVER_CODE;
	if (info & INTR_INFO_DELIVER_CODE)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
}

void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	vmx_inject_event(v,
	                 vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID |
	                         (has_error ? INTR_INFO_DELIVER_CODE : 0),
	                 error);
}

static void vmx_flush_tlb(struct vcpu *v)
{
	if (vmx_cfg.vpid)
		invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, to_vmx(v)->vpid, 0);
	if (vmx_cfg.ept.invept_single)
		invept(VMX_EPT_EXTENT_CONTEXT, ept_pointer(v->vm->arch));
}

static void vmx_dump(struct vcpu *v)
{
	vmx_dump_vmcs(v);
}

static void vmx_gpa_walk(struct vm *vm, gpa_t gpa, struct pt_walk *w)
{
	pt_walk(&((struct ept *)vm->arch)->pt, gpa, w);
}

static const struct vmm_ops vmx_ops = {
	.name = "vmx",
	.cpu_enable = vmx_cpu_enable_op,
	.cpu_disable = vmx_cpu_disable,
	.vm_init = vmx_vm_init,
	.vm_destroy = vmx_vm_destroy,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_free = vmx_vcpu_free,
	.vcpu_load = vmx_vcpu_load,
	.vcpu_put = vmx_vcpu_put,
	.cache_reg = vmx_cache_reg,
	.regs_at_exit = VMX_REGS_AT_EXIT,
	.run = vmx_run,
	.handle_exit = vmx_handle_exit,
	.inject_exception = vmx_inject_exception,
	.skip_instruction = vmx_skip_instruction,
	.flush_tlb = vmx_flush_tlb,
	.dump = vmx_dump,
	.dump_regs = vmx_dump_guest_regs,
	.gpa_walk = vmx_gpa_walk,
	.inject_events = vmx_inject_events,
	.vcpu_reset = vmx_vcpu_reset,
	.vcpu_start_at = vmx_vcpu_start_at,
	.exit_name = vmx_exit_reason_name,
	.gdb = &vmx_gdb_backend,
};

const struct vmm_ops *vmm_ops = &vmx_ops;
