/* The xAPIC page of each vCPU through the CPU's APIC virtualization (SDM Vol. 3C
 * ch. 30): the APIC-access page mapped at the APIC base, the TPR shadow on the
 * vLAPIC's register page, and where the CPU has them (and apicv= is on),
 * APIC-register virtualization and virtual-interrupt delivery. */
#ifndef SABLE_VMX_APICV_H
#define SABLE_VMX_APICV_H

#include "hv/vmm_ops.h"
#include "types.h"

struct vcpu;

#define APIC_DEFAULT_GPA 0xfee00000ull

/* Allocates the machine's APIC-access page (once). 0 or -ENOMEM. */
int vmx_apicv_init(void);
/* Maps the APIC-access page at the default APIC base in v's VM (once per VM). */
int vmx_apicv_map(struct vcpu *v);
/* The VMCS fields and controls of v's APIC virtualization; its VMCS is current. */
void vmx_apicv_setup_vcpu(struct vcpu *v);
/* Before an entry, with virtual-interrupt delivery: brings the CPU's view of
 * pending interrupts (RVI/SVI, EOI-exit bitmap) up to date with the register page. */
void vmx_apicv_sync(struct vcpu *v);
/* An EPT violation at gpa: if it is the page v moved its xAPIC to (only the default
 * base is mapped), stops the VM saying so and returns true. */
bool vmx_apicv_moved_xapic(struct vcpu *v, gpa_t gpa);
/* Without virtual-interrupt delivery: the TPR threshold for the highest pending
 * vector that the TPR masks, so lowering the TPR exits (sec. 30.1.2). */
void vmx_apicv_tpr_threshold(struct vcpu *v);

/* Exits (sec. 28.2.1 table 28-6, 30.4.3, 30.1.2). */
enum exit_action vmx_handle_apic_access(struct vcpu *v);
enum exit_action vmx_handle_apic_write(struct vcpu *v);
enum exit_action vmx_handle_eoi_induced(struct vcpu *v);
enum exit_action vmx_handle_tpr_below_threshold(struct vcpu *v);

#endif
