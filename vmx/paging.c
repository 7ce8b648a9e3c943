/* The hardware side of hv/lib/paging_mode.c: VMCS fields and guest memory. With EPT and
 * an IA-32e mode guest entry control of 0, VM entry takes the PAE PDPTEs from the
 * GUEST_PDPTRn fields (SDM Vol. 3C sec. 27.3.2.4), so a MOV to CR that exits and enables
 * or changes PAE paging must load them as the CPU would have. */
#include "vmx/paging.h"
#include "err.h"
#include "hv/lib/paging_mode.h"
#include "hv/vm.h"
#include "vmx/guest_mem.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"
#include "x86.h"

#define AR_L           BIT(13)
#define PDPTE_ADDR(c3) ((c3)&0xffffffe0ull) /* CR3 bits 31:5 (sec. 4.4.1) */

bool vmx_guest_64bit(struct vcpu *v)
{
	return (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) && (vmcs_read32(GUEST_CS_AR_BYTES) & AR_L);
}

static void read_state(struct vcpu *v, struct paging_state *s)
{
	s->cr0 = vcpu_read_cr0(v);
	s->cr3 = vcpu_read_cr3(v);
	s->cr4 = vcpu_read_cr4(v);
	s->efer = vmcs_read64(GUEST_IA32_EFER);
	s->cs_l = vmcs_read32(GUEST_CS_AR_BYTES) & AR_L;
}

/* Loads the four PDPTEs that cr3 points to; -EINVAL (#GP) if one is not loadable or the
 * table is not guest RAM. */
static int load_pdptes(struct vcpu *v, uint64_t cr3)
{
	static const uint32_t field[4] = {GUEST_PDPTR0, GUEST_PDPTR1, GUEST_PDPTR2, GUEST_PDPTR3};
	const uint64_t *pdpt = vm_gpa_to_hva(v->vm, PDPTE_ADDR(cr3), 32);
	uint64_t e[4];

	if (!pdpt)
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		e[i] = pdpt[i];
		if (!paging_pdpte_valid(e[i], vmx_maxphyaddr()))
			return -EINVAL;
	}
	for (int i = 0; i < 4; i++)
		__vmcs_write(field[i], e[i]);
	return 0;
}

/* Carries out a change the rules allowed: PDPTEs first (they may still fault), then EFER
 * and the IA-32e mode guest entry control, which VM entry checks against each other. */
static int apply(struct vcpu *v, const struct paging_change *c, uint64_t cr3)
{
	struct vcpu_vmx *x = to_vmx(v);

	if (c->load_pdptes && load_pdptes(v, cr3) < 0)
		return -EINVAL;
	if (c->mode_changed) {
		vmcs_write64(GUEST_IA32_EFER, c->efer);
		x->entry_ctls = vmcs_read32(VM_ENTRY_CONTROLS) & ~VM_ENTRY_IA32E_MODE;
		if (c->efer & EFER_LMA)
			x->entry_ctls |= VM_ENTRY_IA32E_MODE;
		vmcs_write32(VM_ENTRY_CONTROLS, x->entry_ctls);
	}
	return 0;
}

/* CR bits whose change invalidates the guest's cached translations (SDM Vol. 3A
 * sec. 4.10.4.1). VM entry flushes nothing while VPID is on (Vol. 3C
 * sec. 29.4.3), so an emulated write that changes one asks for a flush. */
#define CR0_TLB_BITS (CR0_PG | CR0_WP | CR0_PE)
#define CR4_TLB_BITS                                                                               \
	(CR4_PGE | CR4_PAE | CR4_PSE | CR4_SMEP | CR4_SMAP | CR4_PCIDE | CR4_PKE | CR4_LA57)

static void request_tlb_flush(struct vcpu *v)
{
	__atomic_fetch_or(&v->requests, VCPU_REQ_TLB_FLUSH, __ATOMIC_RELAXED);
}

int vmx_set_cr0(struct vcpu *v, uint64_t val)
{
	struct paging_state s;
	struct paging_change c;

	read_state(v, &s);
	if (paging_write_cr0(&s, val, &c) < 0 || apply(v, &c, s.cr3) < 0)
		return -EINVAL;
	if ((val ^ s.cr0) & CR0_TLB_BITS)
		request_tlb_flush(v);
	vcpu_write_cr0(v, val);
	return 0;
}

int vmx_set_cr4(struct vcpu *v, uint64_t val)
{
	struct paging_state s;
	struct paging_change c;

	read_state(v, &s);
	if (paging_write_cr4(&s, val, &c) < 0 || apply(v, &c, s.cr3) < 0)
		return -EINVAL;
	if ((val ^ s.cr4) & CR4_TLB_BITS)
		request_tlb_flush(v);
	vcpu_write_cr4(v, val);
	return 0;
}

int vmx_set_cr3(struct vcpu *v, uint64_t val)
{
	struct paging_state s;
	struct paging_change c;

	read_state(v, &s);
	if (paging_write_cr3(&s, val, &c) < 0 || apply(v, &c, val) < 0)
		return -EINVAL;
	request_tlb_flush(v); /* a CR3 load flushes non-global translations */
	vcpu_write_cr3(v, val);
	return 0;
}
