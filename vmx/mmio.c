/* Memory-mapped registers completed by instruction decoding (see mmio.h). */
#include "vmx/mmio.h"
#include "err.h"
#include "hv/lib/insn_prefix.h"
#include "hv/vdev/ioapic.h"
#include "hv/vdev/irq_line.h"
#include "hv/vm.h"
#include "vmx/guest_mem.h"
#include "vmx/paging.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"

#define AR_DB BIT(14)

unsigned vmx_mmio_code_size(struct vcpu *v)
{
	if (vmx_guest_64bit(v))
		return 8;
	return (vmcs_read32(GUEST_CS_AR_BYTES) & AR_DB) ? 4 : 2;
}

/* Read a page at a time, so that an instruction ending before a page boundary
 * needs only its own page. */
int vmx_mmio_decode(struct vcpu *v, unsigned mode, struct insn_mov *m, uint8_t *insn, unsigned *n)
{
	unsigned access = GWALK_FETCH | (vmx_guest_cpl(v) == 3 ? GWALK_USER : 0);
	gva_t la = vcpu_read_rip(v);
	unsigned first;
	int r;

	if (mode != 8)
		la = (uint32_t)(la + vmcs_readl(GUEST_CS_BASE));
	first = (unsigned)MIN((uint64_t)INSN_MAX_LEN, PAGE_SIZE - (la & (PAGE_SIZE - 1)));
	r = vmx_read_guest(v, la, insn, first, access);
	*n = first;
	if (r < 0)
		return r;
	if (insn_mov_decode(insn, first, mode, m) == 0)
		return 0;
	if (first == INSN_MAX_LEN)
		return -EINVAL;
	r = vmx_read_guest(v, la + first, insn + first, INSN_MAX_LEN - first, access);
	if (r < 0)
		return r;
	*n = INSN_MAX_LEN;
	return insn_mov_decode(insn, INSN_MAX_LEN, mode, m);
}

enum exit_action vmx_mmio_not_emulated(struct vcpu *v, const char *what, uint32_t off,
                                       const uint8_t *insn, unsigned n)
{
	char bytes[3 * INSN_MAX_LEN + 1];
	static const char hex[] = "0123456789abcdef";

	for (unsigned i = 0; i < n && i < INSN_MAX_LEN; i++) {
		bytes[3 * i] = hex[insn[i] >> 4];
		bytes[3 * i + 1] = hex[insn[i] & 15];
		bytes[3 * i + 2] = i + 1 < n ? ' ' : '\0';
	}
	bytes[n ? 3 * MIN(n, INSN_MAX_LEN) - 1 : 0] = '\0';
	vm_stop(v->vm,
	        "vCPU %u accessed %s 0x%03x at RIP 0x%lx with an instruction Sable does "
	        "not emulate (bytes %s): only 32-bit MOV loads and stores are",
	        v->id, what, off, vcpu_read_rip(v), bytes);
	return EXIT_STOP_VM;
}

void vmx_mmio_done(struct vcpu *v, const struct insn_mov *m, unsigned mode)
{
	uint64_t next = vcpu_read_rip(v) + m->len;

	vcpu_write_rip(v, mode == 8 ? next : mode == 4 ? (uint32_t)next : (uint16_t)next);
	vmx_end_interrupt_shadow();
}

enum exit_action vmx_mmio_ioapic(struct vcpu *v, gpa_t gpa, bool write)
{
	uint32_t off = (uint32_t)(gpa & (IOAPIC_SIZE - 1)), val;
	uint8_t insn[INSN_MAX_LEN];
	unsigned mode = vmx_mmio_code_size(v), n = 0;
	struct insn_mov m;
	int r = vmx_mmio_decode(v, mode, &m, insn, &n);

	if (r == -EFAULT)
		return EXIT_RESUME; /* the fetch page-faulted: the #PF is pending */
	if (r < 0 || m.width != 4 || (m.kind == INSN_MOV_LOAD) == write || (off & 3))
		return vmx_mmio_not_emulated(v, "IOAPIC register", off, insn, n);
	if (!write) {
		vcpu_write_gpr(v, m.reg, vm_ioapic_read(v->vm, off)); /* zero-extends */
	} else {
		val = m.kind == INSN_MOV_STORE_IMM ? (uint32_t)m.imm
		                                   : (uint32_t)vcpu_read_gpr(v, m.reg);
		vm_ioapic_write(v->vm, off, val);
	}
	vmx_mmio_done(v, &m, mode);
	return EXIT_RESUME;
}
