/* The XFD state machine (pure; see xfd.h). SDM Vol. 1 sec. 13.14. */
#include "fpu/xfd.h"
#include "err.h"
#include "kstring.h"

void xfd_caps_init(struct xfd_caps *c, const struct xsave_cpuid_table *t, uint64_t xcr0_allowed)
{
	uint64_t sup;

	*c = (struct xfd_caps){0};
	if (!t || !(t->sub1.eax & XSAVE_1_EAX_XFD))
		return;
	sup = xsave_supported_xcr0(t) & xcr0_allowed;
	for (unsigned i = XSAVE_FIRST_EXT; i < XSAVE_NR_COMPONENTS; i++)
		if ((sup & BIT(i)) && (t->comp[i].flags & XSAVE_COMP_XFD))
			c->capable |= BIT(i);
	/* guests see XFD (guest CPUID leaf 0xD) only with a component it can disable */
	c->present = c->capable != 0;
}

void xfd_vcpu_init(struct xfd_state *s, const struct xfd_caps *c)
{
	*s = (struct xfd_state){.hv = c->capable, .wr_on = true};
}

uint64_t xfd_hw_value(const struct xfd_state *s)
{
	return s->hv | s->guest;
}

bool xfd_nm_intercepted(const struct xfd_state *s, uint64_t xcr0)
{
	return (s->hv & ~s->guest & xcr0) != 0;
}

bool xfd_wrmsr_intercepted(const struct xfd_state *s)
{
	return s->hv != 0;
}

/* XSAVE* write a component armed in IA32_XFD as init, and XRSTOR* of one with
 * its XSTATE_BV bit set raises #NM (sec. 13.14): no image may name it. */
uint64_t xfd_image_init_mask(const struct xfd_state *s)
{
	return xfd_hw_value(s);
}

static int check(const struct xfd_caps *c, uint64_t val)
{
	return c->present && !(val & ~c->capable) ? 0 : -EINVAL;
}

int xfd_write_xfd(struct xfd_state *s, const struct xfd_caps *c, uint64_t val)
{
	if (check(c, val))
		return -EINVAL;
	s->guest = val;
	return 0;
}

int xfd_write_err(struct xfd_state *s, const struct xfd_caps *c, uint64_t val)
{
	if (check(c, val))
		return -EINVAL;
	s->err = val;
	return 0;
}

int xfd_read_xfd(const struct xfd_state *s, const struct xfd_caps *c, uint64_t *val)
{
	if (!c->present)
		return -EINVAL;
	*val = s->guest;
	return 0;
}

int xfd_read_err(const struct xfd_state *s, const struct xfd_caps *c, uint64_t *val)
{
	if (!c->present)
		return -EINVAL;
	*val = s->err;
	return 0;
}

/* The CPU writes IA32_XFD_ERR only for an #NM caused by XFD, so with IA32_XFD
 * 0 for the whole run it stayed 0; with WRMSR passing through the guest may
 * have armed it itself. */
bool xfd_exit_reads_err(const struct xfd_state *s)
{
	return s->entered != 0 || !s->wr_on;
}

bool xfd_exit_err(struct xfd_state *s, uint64_t hw_err, bool nm_exit)
{
	if (nm_exit)
		s->nm_err = hw_err;
	else if (hw_err)
		s->err = hw_err; /* an #NM the guest took itself (not intercepted) */
	return hw_err != 0;
}

void xfd_exit_xfd(struct xfd_state *s, uint64_t hw_xfd)
{
	s->guest = hw_xfd & ~s->hv;
}

void xfd_on_nm(const struct xfd_state *s, struct xfd_nm_decision *d)
{
	uint64_t reported = s->nm_err;

	*d = (struct xfd_nm_decision){.alloc = reported & s->hv & ~s->guest, .err = s->err};
	if (!reported) {
		d->reflect = true; /* CR0.TS, or XFD_ERR left as it was */
		return;
	}
	if (reported & s->guest) {
		d->reflect = true;
		d->err = reported & s->guest;
	}
	/* nothing of the hypervisor's in the report: not ours to retry */
	if (!d->alloc)
		d->reflect = true;
}

void xfd_allocated(struct xfd_state *s, uint64_t mask)
{
	s->hv &= ~mask;
}

void xfd_clean_image(void *image, uint64_t armed)
{
	uint8_t *p = image;
	uint64_t bv;

	memcpy(&bv, p + XSAVE_XSTATE_BV_OFFSET, sizeof(bv));
	if (!(bv & armed))
		return;
	bv &= ~armed;
	memcpy(p + XSAVE_XSTATE_BV_OFFSET, &bv, sizeof(bv));
}
