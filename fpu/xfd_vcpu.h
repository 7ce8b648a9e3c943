/*
 * XFD for a vCPU: acts on the decisions of fpu/xfd.c through one table of
 * hardware operations (DESIGN.md mechanism 4). The hypervisor's table
 * (vmx/vmx_xfd.c) executes RDMSR/WRMSR and edits the VMCS; the host CPU-model
 * test (tests/test_xfd_model.c) plugs a software CPU into the same table, so
 * both run this same object code. Every entry point does nothing without XFD.
 */
#ifndef SABLE_FPU_XFD_VCPU_H
#define SABLE_FPU_XFD_VCPU_H

#include "fpu/guest_fpu.h"
#include "fpu/xsave_selftest.h"

struct xfd_hw_ops {
	uint64_t (*read_xfd)(void);
	void (*write_xfd)(uint64_t val); /* may skip a write of the value in force */
	uint64_t (*read_err)(void);
	void (*write_err)(uint64_t val);
	/* exception bitmap bit 7 of vcpu's VMCS (current on this CPU) */
	void (*intercept_nm)(void *vcpu, bool on);
	/* stop intercepting WRMSR of IA32_XFD for vcpu: 0, or -ENOMEM (it stays
	 * intercepted, which is correct, only slower) */
	int (*pass_xfd_write)(void *vcpu);
	/* gives vcpu's save buffer at least size bytes (live state: nothing to
	 * copy); 0 or -ENOMEM */
	int (*grow)(void *vcpu, uint32_t size);
};

/* What the XFD code needs of the host, set up once before any vCPU runs. */
struct xfd_host {
	struct xfd_caps caps;
	const struct xsave_cpuid_table *table; /* host leaf 0xD, repaired */
	enum xsave_format format;              /* how vCPU states are saved */
	uint64_t pkru_bit;                     /* XFEATURE_MASK_PKRU if switched */
	const struct xfd_hw_ops *hw;
};

extern struct xfd_host xfd_host;

enum xfd_nm_result {
	XFD_NM_RETRY,   /* room allocated: re-enter, the instruction retries */
	XFD_NM_REFLECT, /* inject #NM into the guest (its IA32_XFD_ERR is set) */
	XFD_NM_NOMEM,   /* no memory for the larger buffer: stop the VM */
};

/* Save-buffer bytes for g's XCR0 with the components of unbuffered left out. */
uint32_t xfd_area_size(const struct guest_fpu *g, uint64_t unbuffered);

/* Before every entry: hardware IA32_XFD = hv | guest and the intercepts. */
void xfd_enter(struct guest_fpu *g, void *vcpu);
/* Right after every exit, before anything that may fault: the guest's
 * IA32_XFD_ERR out of the hardware (cleared), and IA32_XFD re-read while its
 * writes pass through. nm_exit: the exit is an intercepted #NM. */
void xfd_exit(struct guest_fpu *g, void *vcpu, bool nm_exit);
/* An intercepted #NM (after xfd_exit(.., true)); *size: the buffer size asked
 * for on XFD_NM_NOMEM. */
enum xfd_nm_result xfd_handle_nm(struct guest_fpu *g, void *vcpu, uint32_t *size);
/* Guest RDMSR/WRMSR of IA32_XFD or IA32_XFD_ERR: 0 or -EINVAL (#GP). */
int xfd_rdmsr(struct guest_fpu *g, uint32_t msr, uint64_t *val);
int xfd_wrmsr(struct guest_fpu *g, uint32_t msr, uint64_t val);
/* vCPU switch: before next's image is restored, the hardware gets next's
 * IA32_XFD; after prev's is saved, its image names no armed component. */
void xfd_switch_in(const struct guest_fpu *next);
void xfd_saved(struct guest_fpu *prev);

#endif
