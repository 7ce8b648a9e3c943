/*
 * The hardware side of XFD (fpu/xfd_vcpu.h): IA32_XFD and IA32_XFD_ERR, the
 * #NM bit of the exception bitmap, the vCPU's own MSR bitmap once WRMSR of
 * IA32_XFD passes through, and the calls at every entry and exit. Used only
 * where the CPU has XFD (CPUID.(0xD,1):EAX[4]); elsewhere every hook returns
 * at its first test.
 */
#include "vmx/vmx_xfd.h"
#include "err.h"
#include "fpu/fpu.h"
#include "fpu/xfd_vcpu.h"
#include "hv/percpu.h"
#include "hv/vm.h"
#include "param.h"
#include "vmx/exc_reflect.h"
#include "vmx/msr.h"
#include "vmx/vmx.h"
#include "vmx/vmx_ops.h"
#include "x86.h"

#define EXC_NM_BIT  BIT(7)
#define XFD_UNKNOWN (~0ull) /* bit 63 is reserved: never a value in force */

/* IA32_XFD in each CPU's hardware, so that an entry writes it only on change. */
static uint64_t hw_xfd[MAX_CPUS] = {[0 ... MAX_CPUS - 1] = XFD_UNKNOWN};

static uint64_t read_xfd(void)
{
	uint64_t v = rdmsr(MSR_IA32_XFD);

	hw_xfd[cpu_id()] = v;
	return v;
}

static void write_xfd(uint64_t val)
{
	uint64_t *cur = &hw_xfd[cpu_id()];

	if (*cur == val)
		return;
	wrmsr(MSR_IA32_XFD, val);
	*cur = val;
}

static uint64_t read_err(void)
{
	return rdmsr(MSR_IA32_XFD_ERR);
}

static void write_err(uint64_t val)
{
	wrmsr(MSR_IA32_XFD_ERR, val);
}

static void intercept_nm(void *vcpu, bool on)
{
	uint32_t eb = vmcs_read32(EXCEPTION_BITMAP);

	(void)vcpu;
	vmcs_write32(EXCEPTION_BITMAP, on ? eb | EXC_NM_BIT : eb & ~EXC_NM_BIT);
}

static int pass_xfd_write(void *vcpu)
{
	return vmx_msr_pass_write(vcpu, MSR_IA32_XFD);
}

static int grow(void *vcpu, uint32_t size)
{
	return fpu_guest_grow(vcpu, size);
}

static const struct xfd_hw_ops vmx_xfd_ops = {
	.read_xfd = read_xfd,
	.write_xfd = write_xfd,
	.read_err = read_err,
	.write_err = write_err,
	.intercept_nm = intercept_nm,
	.pass_xfd_write = pass_xfd_write,
	.grow = grow,
};

void vmx_xfd_init(void)
{
	xfd_host.hw = &vmx_xfd_ops;
}

void vmx_xfd_exit(struct vcpu *v, uint32_t exit_reason)
{
	bool nm = false;

	if (v->fpu.xfd.nm_on && (exit_reason & 0xffff) == EXIT_REASON_EXCEPTION_NMI) {
		uint32_t info = vmcs_read32(VM_EXIT_INTR_INFO);

		nm = (info & (INTR_INFO_VECTOR_MASK | INTR_INFO_TYPE_MASK)) ==
		     (EXC_NM | INTR_TYPE_HARD_EXCEPTION);
	}
	xfd_exit(&v->fpu, v, nm);
}

/* SDM Vol. 3C sec. 27.1: an intercepted #NM left the instruction unexecuted,
 * so re-entering without an event retries it. */
int vmx_xfd_handle_nm(struct vcpu *v)
{
	uint32_t size = 0;

	switch (xfd_handle_nm(&v->fpu, v, &size)) {
	case XFD_NM_RETRY:
		return 1;
	case XFD_NM_NOMEM:
		vm_stop(v->vm,
		        "no memory for vCPU %u's AMX tile state: its XSAVE buffer must grow to %u "
		        "bytes on its first tile instruction",
		        v->id, size);
		return -ENOMEM;
	case XFD_NM_REFLECT:
		break;
	}
	return 0;
}
