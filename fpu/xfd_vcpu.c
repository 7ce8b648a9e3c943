/* XFD for a vCPU through the hardware table (see xfd_vcpu.h). */
#include "fpu/xfd_vcpu.h"
#include "err.h"
#include "fpu/fpstate.h"
#include "fpu/xcr0.h"

struct xfd_host xfd_host;

uint32_t xfd_area_size(const struct guest_fpu *g, uint64_t unbuffered)
{
	struct fpstate_out s = {.xcr0 = g->xcr0 | g->xss, /* as fpu_switch.c saves */
	                        .pkru_bit = xfd_host.pkru_bit,
	                        .unbuffered = unbuffered};

	return fpstate_image_size(xfd_host.table, xfd_host.format, fpstate_save_mask(&s));
}

void xfd_enter(struct guest_fpu *g, void *vcpu)
{
	struct xfd_state *s = &g->xfd;
	bool nm;

	if (!xfd_host.caps.present)
		return;
	s->entered = xfd_hw_value(s);
	xfd_host.hw->write_xfd(s->entered);
	nm = xfd_nm_intercepted(s, g->xcr0);
	if (nm != s->nm_on) {
		xfd_host.hw->intercept_nm(vcpu, nm);
		s->nm_on = nm;
	}
	if (s->wr_on && !xfd_wrmsr_intercepted(s) && xfd_host.hw->pass_xfd_write(vcpu) == 0)
		s->wr_on = false;
}

void xfd_exit(struct guest_fpu *g, void *vcpu, bool nm_exit)
{
	struct xfd_state *s = &g->xfd;
	uint64_t err = 0;

	(void)vcpu;
	if (!xfd_host.caps.present)
		return;
	if (xfd_exit_reads_err(s))
		err = xfd_host.hw->read_err();
	if (xfd_exit_err(s, err, nm_exit))
		xfd_host.hw->write_err(0);
	if (!s->wr_on)
		xfd_exit_xfd(s, xfd_host.hw->read_xfd());
}

enum xfd_nm_result xfd_handle_nm(struct guest_fpu *g, void *vcpu, uint32_t *size)
{
	struct xfd_state *s = &g->xfd;
	struct xfd_nm_decision d;

	s->nm_exits++;
	xfd_on_nm(s, &d);
	if (d.alloc) {
		*size = xfd_area_size(g, s->hv & ~d.alloc);
		if (xfd_host.hw->grow(vcpu, *size) < 0)
			return XFD_NM_NOMEM;
		xfd_allocated(s, d.alloc);
		s->allocs++;
	}
	s->err = d.err;
	s->nm_err = 0;
	if (!d.reflect)
		return XFD_NM_RETRY;
	s->nm_reflected++;
	return XFD_NM_REFLECT;
}

int xfd_rdmsr(struct guest_fpu *g, uint32_t msr, uint64_t *val)
{
	if (msr == MSR_IA32_XFD)
		return xfd_read_xfd(&g->xfd, &xfd_host.caps, val);
	return xfd_read_err(&g->xfd, &xfd_host.caps, val);
}

/* A new IA32_XFD takes effect at once: the state is live, and a switch-out
 * before the next entry saves it under the value the guest asked for. */
int xfd_wrmsr(struct guest_fpu *g, uint32_t msr, uint64_t val)
{
	struct xfd_state *s = &g->xfd;

	if (msr == MSR_IA32_XFD_ERR)
		return xfd_write_err(s, &xfd_host.caps, val);
	if (xfd_write_xfd(s, &xfd_host.caps, val) < 0)
		return -EINVAL;
	s->wrmsr_exits++;
	s->entered = xfd_hw_value(s);
	xfd_host.hw->write_xfd(s->entered);
	return 0;
}

void xfd_switch_in(const struct guest_fpu *next)
{
	if (xfd_host.caps.present)
		xfd_host.hw->write_xfd(xfd_hw_value(&next->xfd));
}

void xfd_saved(struct guest_fpu *prev)
{
	if (xfd_host.caps.present && prev->area && prev->saved)
		xfd_clean_image(prev->area, xfd_image_init_mask(&prev->xfd));
}
