/* Memory-mapped registers a guest reaches through exits (the APIC-access page,
 * EPT violations at the IOAPIC): the faulting MOV is fetched, decoded
 * (hv/lib/insn_mov.c) and completed here. */
#ifndef SABLE_VMX_MMIO_H
#define SABLE_VMX_MMIO_H

#include "hv/lib/insn_mov.h"
#include "hv/vmm_ops.h"
#include "types.h"

struct vcpu;

/* Default operand and address size of the guest's code: 8 in 64-bit mode, else
 * 4 or 2 by CS.D. */
unsigned vmx_mmio_code_size(struct vcpu *v);
/* Fetches the instruction at CS:RIP (up to INSN_MAX_LEN bytes into insn, *n
 * read) and decodes it: 0, -EFAULT if the fetch faulted (the #PF is pending
 * for the guest), -EINVAL if it is not a MOV insn_mov_decode knows. */
int vmx_mmio_decode(struct vcpu *v, unsigned mode, struct insn_mov *m, uint8_t *insn, unsigned *n);
/* Stops the VM: what (e.g. "APIC register") at offset off was accessed by an
 * instruction Sable does not emulate, whose bytes are shown. */
enum exit_action vmx_mmio_not_emulated(struct vcpu *v, const char *what, uint32_t off,
                                       const uint8_t *insn, unsigned n);
/* The access is complete: RIP past the instruction, interrupt shadow over. */
void vmx_mmio_done(struct vcpu *v, const struct insn_mov *m, unsigned mode);
/* An EPT violation at gpa inside the IOAPIC's page: the 32-bit MOV completed
 * through the VM's IOAPIC (hv/vdev/irq_line.h). */
enum exit_action vmx_mmio_ioapic(struct vcpu *v, gpa_t gpa, bool write);

#endif
