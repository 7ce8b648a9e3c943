/* APIC virtualization (SDM Vol. 3C ch. 30) on the vLAPIC's register page, which is
 * the virtual-APIC page: the CPU and the model (hv/vdev/vlapic.c) read and write
 * the same bytes. Accesses the CPU does not virtualize exit as APIC accesses and
 * are completed here with the MOV decoder (hv/lib/insn_mov.c). */
#include "vmx/apicv.h"
#include "drivers/tsc.h"
#include "err.h"
#include "hv/lib/insn_mov.h"
#include "hv/lib/insn_prefix.h"
#include "hv/sched.h"
#include "hv/vdev/vlapic.h"
#include "hv/virq.h"
#include "hv/vm.h"
#include "kstring.h"
#include "mm/mm.h"
#include "vmx/ept.h"
#include "vmx/event_decide.h"
#include "vmx/guest_mem.h"
#include "vmx/mmio.h"
#include "vmx/paging.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

#define QUAL_OFFSET(q)    ((uint32_t)(q)&0xfff)
#define QUAL_TYPE(q)      (((uint32_t)(q) >> 12) & 0xf)
#define ACCESS_READ       0 /* linear access for a data read during instruction execution */
#define ACCESS_WRITE      1
#define APICV_CTLS2       (SECONDARY_EXEC_APIC_REGISTER_VIRT | SECONDARY_EXEC_VIRTUAL_INTR_DELIV)
#define APIC_REG_ALIGN    16
#define APIC_VECTOR_WORDS 8

static hpa_t apic_access_page = INVALID_HPA;

int vmx_apicv_init(void)
{
	apic_access_page = mm_alloc_frames(1, PAGE_SIZE);
	if (apic_access_page == INVALID_HPA)
		return -ENOMEM;
	memset(phys_to_virt(apic_access_page), 0, PAGE_SIZE);
	return 0;
}

/* Every access to the page exits or is virtualized (sec. 30.4): its contents are
 * never seen by a guest, so one page serves every VM. */
int vmx_apicv_map(struct vcpu *v)
{
	struct ept *e = v->vm->arch;

	if (ept_translate(e, APIC_DEFAULT_GPA, NULL, NULL) == apic_access_page)
		return 0;
	return ept_map_ram(e, APIC_DEFAULT_GPA, apic_access_page, PAGE_SIZE, EPT_READ | EPT_WRITE);
}

void vmx_apicv_setup_vcpu(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);
	uint32_t proc = vmx_cfg.proc, proc2 = vmx_cfg.proc2;

	x->apicv = vmx_cfg.apicv && v->lapic;
	if (!v->lapic) {
		proc &= ~CPU_BASED_TPR_SHADOW;
		proc2 &= ~(SECONDARY_EXEC_VIRTUALIZE_APIC | APICV_CTLS2);
	} else {
		vmcs_write64(VIRTUAL_APIC_PAGE_ADDR, virq_apic_page_hpa(v));
		vmcs_write64(APIC_ACCESS_ADDR, apic_access_page);
	}
	vmcs_write32(TPR_THRESHOLD, 0);
	x->tpr_threshold = 0;
	if (x->apicv) {
		vmcs_write16(GUEST_INTR_STATUS, 0);
		vmcs_write64(EOI_EXIT_BITMAP0, 0);
		vmcs_write64(EOI_EXIT_BITMAP1, 0);
		vmcs_write64(EOI_EXIT_BITMAP2, 0);
		vmcs_write64(EOI_EXIT_BITMAP3, 0);
		memset(x->eoi_exit, 0, sizeof(x->eoi_exit));
	}
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, proc2);
	x->proc = proc;
}

/* Highest vector set in the 256-bit register at base (IRR, ISR), or 0. */
static unsigned highest_vector(const struct vlapic *l, uint32_t base)
{
	for (int i = APIC_VECTOR_WORDS - 1; i >= 0; i--) {
		uint32_t w = l->regs[(base + APIC_REG_ALIGN * (uint32_t)i) / 4];
		if (w)
			return 32 * (unsigned)i + 31 - (unsigned)__builtin_clz(w);
	}
	return 0;
}

/* The EOI-exit bitmap follows TMR: a level-triggered vector's EOI exits (sec. 30.1.4). */
static void sync_eoi_exit(struct vcpu *v)
{
	static const uint32_t field[4] = {EOI_EXIT_BITMAP0, EOI_EXIT_BITMAP1, EOI_EXIT_BITMAP2,
	                                  EOI_EXIT_BITMAP3};
	struct vcpu_vmx *x = to_vmx(v);

	for (unsigned i = 0; i < 4; i++) {
		uint32_t lo = v->lapic->regs[(APIC_TMR + 32 * i) / 4];
		uint32_t hi = v->lapic->regs[(APIC_TMR + 32 * i + APIC_REG_ALIGN) / 4];

		if (lo == x->eoi_exit[2 * i] && hi == x->eoi_exit[2 * i + 1])
			continue;
		x->eoi_exit[2 * i] = lo;
		x->eoi_exit[2 * i + 1] = hi;
		__vmcs_write(field[i], (uint64_t)hi << 32 | lo);
	}
}

bool vmx_apicv_moved_xapic(struct vcpu *v, gpa_t gpa)
{
	uint64_t base = v->lapic ? v->lapic->base : 0;

	if (!(base & APIC_BASE_EN) || (base & APIC_BASE_EXTD) ||
	    (base & APIC_BASE_ADDR) == APIC_DEFAULT_GPA ||
	    (gpa & PAGE_MASK) != (base & APIC_BASE_ADDR))
		return false;
	vm_stop(v->vm, "vCPU %u moved its xAPIC to 0x%lx: only the default base 0x%lx is supported",
	        v->id, (uint64_t)(base & APIC_BASE_ADDR), (uint64_t)APIC_DEFAULT_GPA);
	return true;
}

/* RVI is the highest requested vector, SVI the highest in service (sec. 30.1.1);
 * the CPU evaluates them at entry and keeps both up to date while the guest runs. */
void vmx_apicv_sync(struct vcpu *v)
{
	unsigned rvi, status;

	if (!to_vmx(v)->apicv)
		return;
	rvi = highest_vector(v->lapic, APIC_IRR);
	status = highest_vector(v->lapic, APIC_ISR) << 8 | rvi;
	if (vmcs_read16(GUEST_INTR_STATUS) != status)
		vmcs_write16(GUEST_INTR_STATUS, (uint16_t)status);
	if (rvi)
		sync_eoi_exit(v);
}

/* TPR virtualization exits when VTPR[7:4] drops below the threshold (sec. 30.1.2); VM
 * entry requires the threshold not above VTPR[7:4] (sec. 26.2.1.1). */
void vmx_apicv_tpr_threshold(struct vcpu *v)
{
	struct vcpu_vmx *x = to_vmx(v);
	unsigned irr = highest_vector(v->lapic, APIC_IRR) >> 4;
	unsigned tpr = (v->lapic->regs[APIC_TASKPRI / 4] >> 4) & 0xf;
	uint32_t threshold = event_tpr_threshold(irr, tpr);

	if (threshold != x->tpr_threshold) {
		vmcs_write32(TPR_THRESHOLD, threshold);
		x->tpr_threshold = threshold;
	}
}

/*
 * An access to the APIC-access page that the CPU did not virtualize (sec. 30.4):
 * every access without APIC-register virtualization except the TPR, and with it
 * the registers it leaves out (the current count, reserved offsets). The
 * instruction is decoded and completed through the model; anything but a 32-bit
 * MOV stops the VM. Offsets inside a register (not 16-byte aligned) read 0 and
 * ignore writes, as do accesses while the xAPIC is off or in x2APIC mode.
 */
enum exit_action vmx_handle_apic_access(struct vcpu *v)
{
	uint64_t q = to_vmx(v)->exit_qual;
	uint32_t off = QUAL_OFFSET(q), type = QUAL_TYPE(q), val = 0;
	uint8_t insn[INSN_MAX_LEN];
	unsigned mode = vmx_mmio_code_size(v), n = 0;
	struct insn_mov m;
	int r;

	if (type != ACCESS_READ && type != ACCESS_WRITE) {
		vm_stop(v->vm,
		        "vCPU %u: APIC access of type %u at offset 0x%03x (RIP 0x%lx): only data "
		        "reads and writes by instructions are emulated",
		        v->id, type, off, vcpu_read_rip(v));
		return EXIT_STOP_VM;
	}
	r = vmx_mmio_decode(v, mode, &m, insn, &n);
	if (r == -EFAULT)
		return EXIT_RESUME; /* the fetch page-faulted: the #PF is pending */
	if (r < 0 || m.width != 4 || (m.kind == INSN_MOV_LOAD) != (type == ACCESS_READ))
		return vmx_mmio_not_emulated(v, "APIC register", off, insn, n);
	if (type == ACCESS_READ) {
		if (off % APIC_REG_ALIGN == 0 &&
		    vlapic_mmio_read(v->lapic, off, &val, tsc_now()) < 0)
			val = 0;
		vcpu_write_gpr(v, m.reg, val); /* a 32-bit load zero-extends */
	} else {
		val = m.kind == INSN_MOV_STORE_IMM ? (uint32_t)m.imm
		                                   : (uint32_t)vcpu_read_gpr(v, m.reg);
		if (off % APIC_REG_ALIGN == 0)
			vlapic_mmio_write(v->lapic, off, val, tsc_now());
		sched_timer_armed(v, virq_next_deadline(v)); /* it may have armed the timer */
	}
	vmx_mmio_done(v, &m, mode);
	return EXIT_RESUME;
}

/* Trap-like: the CPU wrote the register on the page and the guest is past the
 * instruction (sec. 30.4.3.3); the model applies the write's effects. */
enum exit_action vmx_handle_apic_write(struct vcpu *v)
{
	vlapic_write_done(v->lapic, QUAL_OFFSET(to_vmx(v)->exit_qual) & ~(APIC_REG_ALIGN - 1u),
	                  tsc_now());
	sched_timer_armed(v, virq_next_deadline(v)); /* it may have armed the timer */
	return EXIT_RESUME;
}

/* The CPU already did the EOI (ISR, SVI, PPR: sec. 30.1.4); the exit qualification
 * holds the vector, level-triggered (the EOI-exit bitmap follows TMR), which the
 * I/O APIC hears of. */
enum exit_action vmx_handle_eoi_induced(struct vcpu *v)
{
	virq_level_eoi(v, (uint8_t)(to_vmx(v)->exit_qual & 0xff));
	return EXIT_RESUME;
}

/* The guest lowered its TPR below a pending vector's class: the next entry injects it. */
enum exit_action vmx_handle_tpr_below_threshold(struct vcpu *v)
{
	return EXIT_RESUME;
}
