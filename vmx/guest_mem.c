/* Hardware side of the guest page walk: CR0/CR3/CR4/EFER and the PAE PDPTEs come from
 * the VMCS (with EPT a VM exit saves the PDPTEs, SDM Vol. 3C sec. 28.3.4), memory from the
 * VM's memslots. */
#include "vmx/guest_mem.h"
#include "err.h"
#include "hv/vm.h"
#include "kstring.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"
#include "x86.h"

#define VEC_PF    14
#define RFLAGS_AC BIT(18)

unsigned vmx_maxphyaddr(void)
{
	static unsigned bits;

	if (!bits)
		bits = cpuid(0x80000000).eax >= 0x80000008 ? cpuid(0x80000008).eax & 0xff : 36;
	return bits;
}

unsigned vmx_guest_cpl(struct vcpu *v)
{
	return (vmcs_read32(GUEST_SS_AR_BYTES) >> 5) & 3;
}

static void *map_gpa(void *ctx, gpa_t gpa, uint64_t len)
{
	return vm_gpa_to_hva(ctx, gpa, len);
}

/* The walk of the guest's own tables; a fault is the guest's #PF when inject,
 * else only reported. debugger: SMAP ignored (EFLAGS.AC taken as set). */
static int walk(struct vcpu *v, gva_t la, unsigned access, gpa_t *gpa, bool inject, bool debugger)
{
	uint64_t pdptes[4] = {vmcs_read64(GUEST_PDPTR0), vmcs_read64(GUEST_PDPTR1),
	                      vmcs_read64(GUEST_PDPTR2), vmcs_read64(GUEST_PDPTR3)};
	struct gwalk_env e = {
		.cr0 = vcpu_read_cr0(v),
		.cr3 = vcpu_read_cr3(v),
		.cr4 = vcpu_read_cr4(v),
		.efer = vmcs_read64(GUEST_IA32_EFER),
		.ac = debugger || (vcpu_read_rflags(v) & RFLAGS_AC),
		.pdptes = pdptes,
		.maxphyaddr = vmx_maxphyaddr(),
		.map = map_gpa,
		.ctx = v->vm,
	};
	uint32_t err;
	int r = gwalk_translate(&e, la, access, gpa, &err);

	if (r == -EFAULT && inject) {
		v->cr2 = la;
		vmx_inject_exception(v, VEC_PF, true, err);
	}
	return r;
}

static int translate(struct vcpu *v, gva_t la, unsigned access, gpa_t *gpa)
{
	return walk(v, la, access, gpa, true, false);
}

int vmx_debug_access(struct vcpu *v, gva_t la, void *buf, uint32_t len, bool write)
{
	uint8_t *b = buf;

	while (len) {
		uint32_t part = (uint32_t)MIN((uint64_t)len, PAGE_SIZE - (la & (PAGE_SIZE - 1)));
		gpa_t gpa;
		uint8_t *p;

		if (walk(v, la, 0, &gpa, false, true) < 0)
			return -EFAULT;
		p = vm_gpa_to_hva(v->vm, gpa, part);
		if (!p)
			return -EFAULT;
		if (write)
			memcpy(p, b, part);
		else
			memcpy(b, p, part);
		la += part, b += part, len -= part;
	}
	return 0;
}

int vmx_guest_map(struct vcpu *v, gva_t la, uint32_t len, unsigned access, struct guest_span *s)
{
	uint32_t first = (uint32_t)MIN((uint64_t)len, PAGE_SIZE - (la & (PAGE_SIZE - 1)));
	gva_t part[2] = {la, la + first};
	int r;

	s->len[0] = first;
	s->len[1] = len - first;
	s->p[1] = NULL;
	for (int i = 0; i < 2 && s->len[i]; i++) {
		gpa_t gpa;

		r = translate(v, part[i], access, &gpa);
		if (r < 0)
			return r;
		s->p[i] = vm_gpa_to_hva(v->vm, gpa, s->len[i]);
		if (!s->p[i])
			return -EIO;
	}
	return 0;
}

void guest_span_copy_in(const struct guest_span *s, const void *buf)
{
	memcpy(s->p[0], buf, s->len[0]);
	if (s->len[1])
		memcpy(s->p[1], (const uint8_t *)buf + s->len[0], s->len[1]);
}

void guest_span_copy_out(const struct guest_span *s, void *buf)
{
	memcpy(buf, s->p[0], s->len[0]);
	if (s->len[1])
		memcpy((uint8_t *)buf + s->len[0], s->p[1], s->len[1]);
}

int vmx_read_guest(struct vcpu *v, gva_t la, void *buf, uint32_t len, unsigned access)
{
	struct guest_span s;
	int r = vmx_guest_map(v, la, len, access, &s);

	if (r == 0)
		guest_span_copy_out(&s, buf);
	return r;
}

int vmx_write_guest(struct vcpu *v, gva_t la, const void *buf, uint32_t len, unsigned access)
{
	struct guest_span s;
	int r = vmx_guest_map(v, la, len, access | GWALK_WRITE, &s);

	if (r == 0)
		guest_span_copy_in(&s, buf);
	return r;
}
