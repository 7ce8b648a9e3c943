/* The VMX implementation of struct vmm_ops. */
#include "err.h"
#include "fpu/fpu.h"
#include "hv/log.h"
#include "hv/config/options.h"
#include "hv/panic.h"
#include "hv/vm.h"
#include "kstring.h"
#include "mm/mm.h"
#include "vmx/ept.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"
#include "x86.h"

#define MSR_STAR              0xc0000081
#define MSR_LSTAR             0xc0000082
#define MSR_CSTAR             0xc0000083
#define MSR_SYSCALL_MASK      0xc0000084
#define MSR_TSC_AUX           0xc0000103
#define MSR_IA32_SYSENTER_CS  0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_TSC          0x10
#define DR6_INIT              0xffff0ff0ull /* power-up value (SDM Vol. 3B 18.2.3) */

hpa_t vmx_io_bitmap_a, vmx_io_bitmap_b, vmx_msr_bitmap;
static uint16_t next_vpid = 1;

/* Bitmap layout: read low, read high, write low, write high (SDM sec. 25.6.9). */
static void msr_passthrough(uint8_t *bm, uint32_t msr, bool read, bool write)
{
	uint32_t base = msr >= 0xc0000000 ? 1024 : 0, bit = msr & 0x1fff;

	if (read)
		bm[base + bit / 8] &= (uint8_t) ~(1u << (bit % 8));
	if (write)
		bm[2048 + base + bit / 8] &= (uint8_t) ~(1u << (bit % 8));
}

/* Everything exits except MSRs the CPU context-switches (VMCS guest state) or
 * that Sable loads while the vCPU is current. I/O always exits. */
static int setup_bitmaps(void)
{
	uint8_t *msr;

	vmx_io_bitmap_a = mm_alloc_frames(1, PAGE_SIZE);
	vmx_io_bitmap_b = mm_alloc_frames(1, PAGE_SIZE);
	vmx_msr_bitmap = mm_alloc_frames(1, PAGE_SIZE);
	if (vmx_io_bitmap_a == INVALID_HPA || vmx_io_bitmap_b == INVALID_HPA ||
	    vmx_msr_bitmap == INVALID_HPA)
		return -ENOMEM;
	memset(phys_to_virt(vmx_io_bitmap_a), 0xff, PAGE_SIZE);
	memset(phys_to_virt(vmx_io_bitmap_b), 0xff, PAGE_SIZE);
	msr = phys_to_virt(vmx_msr_bitmap);
	memset(msr, 0xff, PAGE_SIZE);
	msr_passthrough(msr, MSR_IA32_SYSENTER_CS, true, true);
	msr_passthrough(msr, MSR_IA32_SYSENTER_ESP, true, true);
	msr_passthrough(msr, MSR_IA32_SYSENTER_EIP, true, true);
	msr_passthrough(msr, MSR_IA32_PAT, true, true);
	msr_passthrough(msr, MSR_FS_BASE, true, true);
	msr_passthrough(msr, MSR_GS_BASE, true, true);
	msr_passthrough(msr, MSR_KERNEL_GS_BASE, true, true);
	msr_passthrough(msr, MSR_STAR, true, true);
	msr_passthrough(msr, MSR_LSTAR, true, true);
	msr_passthrough(msr, MSR_CSTAR, true, true);
	msr_passthrough(msr, MSR_SYSCALL_MASK, true, true);
	msr_passthrough(msr, MSR_IA32_TSC, true, false);
	if (vmx_cfg.rdtscp)
		msr_passthrough(msr, MSR_TSC_AUX, true, true);
	return 0;
}

static int vmx_cpu_enable_op(void)
{
	static bool bitmaps_ready;

	if (!bitmaps_ready) {
		if (setup_bitmaps() < 0)
			return -ENOMEM;
		bitmaps_ready = true;
	}
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

/* Frees the EPT tables by walking them (4 levels, leaves are not tables). */
static void free_tables(uint64_t *t, int level)
{
	for (int i = 0; level > 1 && i < PT_ENTRIES; i++)
		if ((t[i] & EPT_RWX) && !(t[i] & PTE_PS)) {
			free_tables(phys_to_virt(t[i] & PTE_ADDR_MASK), level - 1);
			mm_free_frames(t[i] & PTE_ADDR_MASK, 1);
		}
}

static void vmx_vm_destroy(struct vm *vm)
{
	struct ept *e = vm->arch;

	free_tables(phys_to_virt(e->pt.root), PT_LEVELS);
	mm_free_frames(e->pt.root, 1);
	kfree(e);
	vm->arch = NULL;
}

static int vmx_vcpu_create(struct vcpu *v)
{
	struct vcpu_vmx *x = kzalloc(sizeof(*x));

	if (!x)
		return -ENOMEM;
	x->vmcs = mm_alloc_frames(1, PAGE_SIZE);
	if (x->vmcs == INVALID_HPA) {
		kfree(x);
		return -ENOMEM;
	}
	*(uint32_t *)phys_to_virt(x->vmcs) = vmx_cfg.basic.revision;
	x->vpid = vmx_cfg.vpid ? __atomic_fetch_add(&next_vpid, 1, __ATOMIC_RELAXED) : 0;
	x->xcr0 = 1; /* x87 */
	x->dr6 = DR6_INIT;
	v->arch = x;
	return 0;
}

static void vmx_vcpu_free(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);

	if (!x)
		return;
	mm_free_frames(x->vmcs, 1);
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
		/* RFLAGS bit 1 clear is invalid guest state (SDM sec. 27.3.1.4). */
		if (hv_options.selftest == SELFTEST_VMENTRY && v->vm->id == nr_vms - 1)
			vmcs_writel(GUEST_RFLAGS, 0);
	}
	wrmsr(MSR_KERNEL_GS_BASE, x->kernel_gs_base);
	wrmsr(MSR_STAR, x->star);
	wrmsr(MSR_LSTAR, x->lstar);
	wrmsr(MSR_CSTAR, x->cstar);
	wrmsr(MSR_SYSCALL_MASK, x->fmask);
	if (vmx_cfg.rdtscp)
		wrmsr(MSR_TSC_AUX, x->tsc_aux);
	write_dr0(x->dr[0]);
	write_dr1(x->dr[1]);
	write_dr2(x->dr[2]);
	write_dr3(x->dr[3]);
	write_dr6(x->dr6);
	if (fpu_pkru_switched())
		fpu_swap_pkru(x->pkru);
}

static void vmx_vcpu_put(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);

	x->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	x->star = rdmsr(MSR_STAR);
	x->lstar = rdmsr(MSR_LSTAR);
	x->cstar = rdmsr(MSR_CSTAR);
	x->fmask = rdmsr(MSR_SYSCALL_MASK);
	if (vmx_cfg.rdtscp)
		x->tsc_aux = rdmsr(MSR_TSC_AUX);
	x->dr[0] = read_dr0();
	x->dr[1] = read_dr1();
	x->dr[2] = read_dr2();
	x->dr[3] = read_dr3();
	x->dr6 = read_dr6();
	if (fpu_pkru_switched())
		x->pkru = fpu_swap_pkru(0);
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
static void vmx_flush_regs(struct vcpu *v)
{
	uint32_t dirty = v->regs_dirty & ~VCPU_REGS_GPR_MASK;

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
			            vmx_apply_fixed(val, vmx_cfg.cr4_fixed0, vmx_cfg.cr4_fixed1));
		} else {
			__vmcs_write(reg_field[r], val);
		}
	}
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

static int vmx_run(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);
	uint64_t host_xcr0 = fpu_host_xcr0();
	bool switch_xcr0 = x->xcr0 != host_xcr0;

	if (switch_xcr0)
		xsetbv(0, x->xcr0);
	if (x->time_slice)
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE,
		             (uint32_t)MIN(x->time_slice >> vmx_cfg.preemption_timer_shift,
		                           0xffffffffull));
	if (vmx_vcpu_enter(v, x->launched)) {
		if (switch_xcr0)
			xsetbv(0, host_xcr0);
		report_entry_failure(v);
		return -EIO;
	}
	if (switch_xcr0)
		xsetbv(0, host_xcr0);
	x->launched = true;
	x->exit_reason = vmcs_read32(VM_EXIT_REASON);
	x->exit_qual = vmcs_readl(EXIT_QUALIFICATION);
	return 0;
}

void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	uint32_t info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID;

	if (has_error) {
		info |= INTR_INFO_DELIVER_CODE;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
}

void vmx_skip_instruction(struct vcpu *v)
{
	vcpu_write_rip(v, vcpu_read_rip(v) + vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

static void vmx_flush_tlb(struct vcpu *v)
{
	if (vmx_cfg.vpid)
		invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, to_vmx(v)->vpid, 0);
	if (vmx_cfg.ept.invept_single)
		invept(VMX_EPT_EXTENT_CONTEXT, ept_pointer(v->vm->arch));
}

static void vmx_set_time_slice(struct vcpu *v, uint64_t ticks)
{
	struct vcpu_vmx *x = to_vmx(v);
	uint32_t pin = vmx_cfg.pin & ~PIN_BASED_VMX_PREEMPTION_TIMER;
	bool want = ticks && (vmx_cfg.pin & PIN_BASED_VMX_PREEMPTION_TIMER);

	if (want == (x->time_slice != 0))
		return;
	x->time_slice = want ? ticks : 0;
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, want ? pin | PIN_BASED_VMX_PREEMPTION_TIMER : pin);
}

static void vmx_dump(struct vcpu *v)
{
	vmx_dump_vmcs(v);
}

static const struct vmm_ops vmx_ops = {
	.name = "vmx",
	.cpu_enable = vmx_cpu_enable_op,
	.vm_init = vmx_vm_init,
	.vm_destroy = vmx_vm_destroy,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_free = vmx_vcpu_free,
	.vcpu_load = vmx_vcpu_load,
	.vcpu_put = vmx_vcpu_put,
	.cache_reg = vmx_cache_reg,
	.flush_regs = vmx_flush_regs,
	.run = vmx_run,
	.fastpath = vmx_fastpath,
	.handle_exit = vmx_handle_exit,
	.inject_exception = vmx_inject_exception,
	.skip_instruction = vmx_skip_instruction,
	.flush_tlb = vmx_flush_tlb,
	.set_time_slice = vmx_set_time_slice,
	.dump = vmx_dump,
};

const struct vmm_ops *vmm_ops = &vmx_ops;
