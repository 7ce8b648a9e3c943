/* Guest memory by linear address, through the guest's page tables (hv/lib/guest_walk.c)
 * and the VM's memslots; faults become the guest's #PF. */
#ifndef SABLE_VMX_GUEST_MEM_H
#define SABLE_VMX_GUEST_MEM_H

#include "hv/lib/guest_walk.h"
#include "types.h"

struct vcpu;

/* [la, la+len) as at most two host pieces (it may cross one page boundary). */
struct guest_span {
	uint8_t *p[2];
	uint32_t len[2];
};

/* MAXPHYADDR of this CPU (CPUID 0x80000008). */
unsigned vmx_maxphyaddr(void);
/* The guest's current privilege level (SS.DPL). */
unsigned vmx_guest_cpl(struct vcpu *v);

/* Maps [la, la+len), len <= 4096, for an access of kind access (GWALK_*). 0; -EFAULT:
 * the access page-faults and the #PF (CR2, error code) is now pending for the guest;
 * -EIO: the address or a paging structure is not guest RAM. */
int vmx_guest_map(struct vcpu *v, gva_t la, uint32_t len, unsigned access, struct guest_span *s);
/* Copies between guest linear memory and buf; results as for vmx_guest_map. */
int vmx_read_guest(struct vcpu *v, gva_t la, void *buf, uint32_t len, unsigned access);
int vmx_write_guest(struct vcpu *v, gva_t la, const void *buf, uint32_t len, unsigned access);
/* The debugger's access (GDB stub): [la, la+len) of any length through the
 * guest's tables whatever the page rights, never a fault for the guest.
 * 0; -EFAULT if a page is not mapped or not RAM. */
int vmx_debug_access(struct vcpu *v, gva_t la, void *buf, uint32_t len, bool write);
void guest_span_copy_in(const struct guest_span *s, const void *buf);
void guest_span_copy_out(const struct guest_span *s, void *buf);

#endif
