/*
 * Switching vCPU FPU states on a CPU (DESIGN.md mechanisms 2, 3, 5).
 *
 * Eager, always: every vCPU switch saves the outgoing state and restores (or
 * initializes) the incoming one. CR0.TS is never used to defer the switch:
 * deferred switching lets a guest read another's registers speculatively
 * (LazyFP, CVE-2018-3665).
 *
 * XCR0 and PKRU belong to the vCPU whose state is live on the CPU, not to
 * the VM entry: the hardware XCR0 is the guest's from its switch-in to the
 * next switch, including while the hypervisor handles its exits, so an exit
 * writes no FPU control register. That holds because between an exit and the
 * next entry of the same vCPU the hypervisor runs nothing that depends on
 * them: it is built -mgeneral-regs-only (no SSE/AVX code, whose #UD depends
 * on XCR0), the only XSAVE-family instructions are here, and its CR4.PKE is
 * 0 (HOST_CR4 is the boot CR4; vmx/vmcs.c), so PKRU restricts none of its
 * accesses. PKRU travels in the XSAVE image, never by WRPKRU/WRMSR. The
 * guest's IA32_XSS (when guests have XSAVES, fpu.c) follows the XCR0 rule: in
 * force from switch-in to the next switch, the supervisor components guests
 * may enable (switch_xss) while images are saved and restored; a guest's
 * XSAVES/XRSTORS run without exits on the live values. The host's XRSTORS of
 * the next state at every switch-in also resets the tracking of XSAVES's
 * modified optimization (sec. 13.6), so no guest's XSAVES skips a component
 * another vCPU changed.
 */
#include "err.h"
#include "fpu/fpstate.h"
#include "fpu/fpu.h"
#include "fpu/fpu_host.h"
#include "fpu/xcr0.h"
#include "fpu/xfd_vcpu.h"
#include "hv/log.h"
#include "kstring.h"
#include "hv/percpu.h"
#include "hv/vcpu.h"
#include "hv/vm.h"
#include "mm/mm.h"
#include "param.h"
#include "x86.h"

/* XCR0 and IA32_XSS in the hardware of each CPU (written only by set_xcr0 and
 * set_xss; fpu_init_cpu() sets IA32_XSS to 0). */
static uint64_t hw_xcr0[MAX_CPUS], hw_xss[MAX_CPUS];

static void set_xcr0(struct vcpu *v, uint64_t val)
{
	uint64_t *cur = &hw_xcr0[cpu_id()];

	if (*cur == val)
		return;
	xsetbv(0, val);
	*cur = val;
	v->stats.xsetbv++;
}

static void set_xss(struct vcpu *v, uint64_t val)
{
	uint64_t *cur = &hw_xss[cpu_id()];

	if (*cur == val)
		return;
	wrmsr(MSR_IA32_XSS, val);
	*cur = val;
	v->stats.fpu_wrmsr++;
}

static void area_free(struct guest_fpu *g)
{
	if (g->area)
		kfree(g->area);
	g->area = NULL;
	g->area_size = 0;
	g->saved = false;
}

/* A fresh zeroed buffer of size bytes (XSAVE leaves header bytes it does not
 * own as they are). The new one is taken before the old one is freed, so it
 * is never at the address the state was last restored from: XSAVES's modified
 * optimization (SDM Vol. 1 sec. 13.11) must not skip a write to it. */
static int area_grow(struct guest_fpu *g, uint32_t size)
{
	void *p = kmalloc_aligned(size, FPSTATE_ALIGN);

	if (!p)
		return -ENOMEM;
	memset(p, 0, size);
	area_free(g);
	g->area = p;
	g->area_size = size;
	g->peak_size = MAX(g->peak_size, size);
	return 0;
}

static void save(void *area, uint64_t mask)
{
	switch (fpu_host.format) {
	case XSAVE_FMT_XSAVES:
		xsaves(area, mask);
		break;
	case XSAVE_FMT_XSAVEC:
		xsavec(area, mask);
		break;
	case XSAVE_FMT_STANDARD:
		xsave(area, mask);
		break;
	case XSAVE_FMT_FXSR:
		fxsave(area);
		break;
	}
}

/* RFBM = every switched component: those outside the image are initialized,
 * so nothing of the previous state survives in registers the next vCPU may
 * enable later (SDM Vol. 1 sec. 13.8). */
static void restore(const struct guest_fpu *g)
{
	const void *img = g->saved ? g->area : fpu_init_image;

	if (fpu_host.format == XSAVE_FMT_FXSR)
		fxrstor(img);
	else if (fpu_host.format == XSAVE_FMT_XSAVES && g->saved)
		xrstors(img, fpu_host.switch_mask | fpu_host.switch_xss);
	else
		xrstor(img, fpu_host.switch_mask);
}

/* Saves prev's live state, allocating its buffer on first use. */
static void switch_out(struct vcpu *prev)
{
	struct guest_fpu *g = &prev->fpu;
	bool xs = fpu_host.format != XSAVE_FMT_FXSR;
	struct fpstate_out s = {
		.has_area = g->area != NULL,
		.area_size = g->area_size,
		.xcr0 = g->xcr0 | g->xss, /* XSS is non-zero only with XSAVES */
		.pkru_bit = fpu_host.pkru_bit,
		.xinuse_known = xs && fpu_host.xgetbv1,
		.xinuse = xs && fpu_host.xgetbv1 ? xgetbv(1) : ~0ull,
		.mxcsr = fpu_host.format == XSAVE_FMT_FXSR ? 0 : read_mxcsr(),
		.unbuffered = g->xfd.hv,
	};
	uint32_t size;

	switch (fpstate_switch_out(fpu_xsave_table(), fpu_host.format, &s, &size)) {
	case FPSTATE_NONE:
		g->saved = false;
		return;
	case FPSTATE_ALLOC:
		if (area_grow(g, size) < 0) {
			vm_stop(prev->vm, "no memory for vCPU %u's FPU state (%u bytes)", prev->id,
			        size);
			g->saved = false;
			return;
		}
		break;
	case FPSTATE_SAVE:
		break;
	}
	save(g->area, fpstate_save_mask(&s));
	g->saved = true;
	xfd_saved(g);
}

/* Runs with XCR0 = switch_mask, as XSAVE and XRSTOR act on XCR0 & mask
 * (SDM Vol. 1 sec. 13.7, 13.8), and XSAVES/XRSTORS on XCR0 | IA32_XSS
 * (sec. 13.11, 13.12); XSAVE of PKRU needs XCR0[9], not CR4.PKE (sec.
 * 13.5.7). Ends with next's XCR0 and IA32_XSS in force. */
void fpu_switch_to(struct vcpu *prev, struct vcpu *next)
{
	if (fpu_host.format != XSAVE_FMT_FXSR)
		set_xcr0(next, fpu_host.switch_mask);
	if (fpu_host.guest_xsaves)
		set_xss(next, fpu_host.switch_xss);
	if (prev)
		switch_out(prev);
	xfd_switch_in(&next->fpu); /* XRSTOR under next's IA32_XFD (fpu/xfd.h) */
	restore(&next->fpu);
	if (fpu_host.format != XSAVE_FMT_FXSR)
		set_xcr0(next, next->fpu.xcr0);
	if (fpu_host.guest_xsaves)
		set_xss(next, next->fpu.xss);
}

int fpu_guest_init(struct vcpu *v)
{
	v->fpu = (struct guest_fpu){.xcr0 = XFEATURE_MASK_FP};
	xfd_vcpu_init(&v->fpu.xfd, &xfd_host.caps);
	return 0;
}

size_t fpu_guest_free(struct vcpu *v)
{
	if (!v->fpu.xcr0)
		return 0; /* freed and reported already */
	vm_log(v->vm,
	       "vCPU %u: FPU memory %u bytes (at most %u); XSETBV %lu, WRMSR XSS/PKRU %lu, exits "
	       "%lu",
	       v->id, v->fpu.area_size, v->fpu.peak_size, (unsigned long)v->stats.xsetbv,
	       (unsigned long)v->stats.fpu_wrmsr, (unsigned long)v->stats.exits);
	if (xfd_host.caps.present)
		vm_log(v->vm,
		       "vCPU %u: XFD: %u #NM exits (%u to the guest), %u buffer growths, %u WRMSR "
		       "IA32_XFD exits; IA32_XFD 0x%lx, still unallocated 0x%lx",
		       v->id, v->fpu.xfd.nm_exits, v->fpu.xfd.nm_reflected, v->fpu.xfd.allocs,
		       v->fpu.xfd.wrmsr_exits, (unsigned long)v->fpu.xfd.guest,
		       (unsigned long)v->fpu.xfd.hv);
	area_free(&v->fpu);
	v->fpu.xcr0 = 0;
	return 0;
}

/* On an #NM exit (fpu/xfd_vcpu.c): room for a component XFD kept out of the
 * buffer. The state is live, so a new buffer needs no copy. */
int fpu_guest_grow(struct vcpu *v, uint32_t size)
{
	struct guest_fpu *g = &v->fpu;

	if (g->area && g->area_size >= size)
		return 0;
	return area_grow(g, size);
}

/* A buffer too small for the components of xcr0 | xss is replaced now (the
 * live state goes into the new one at switch-out); failure: -ENOMEM. PKRU,
 * if in use, is added at switch-out, when XINUSE tells. */
static int fit_area(struct guest_fpu *g, uint64_t xcr0, uint64_t xss)
{
	uint32_t size = fpstate_image_size(fpu_xsave_table(), fpu_host.format,
	                                   (xcr0 | xss | XFEATURE_MASK_FP | XFEATURE_MASK_SSE) &
	                                           ~g->xfd.hv);

	if (g->area && g->area_size < size && area_grow(g, size) < 0)
		return -ENOMEM;
	return 0;
}

/* v's state live on this CPU: the new XCR0 goes into the hardware at once.
 * The value is checked by the callers only, once (vmx/exit.c, vmx/vmx_init.c). */
int fpu_set_xcr0(struct vcpu *v, uint64_t val)
{
	if (fit_area(&v->fpu, val, v->fpu.xss) < 0)
		return -ENOMEM;
	v->fpu.xcr0 = val;
	set_xcr0(v, val);
	return 0;
}

int fpu_set_xss(struct vcpu *v, uint64_t val)
{
	if (!fpu_host.guest_xsaves || xss_check(val, fpu_guest_xss_allowed()))
		return -EINVAL;
	if (fit_area(&v->fpu, v->fpu.xcr0, val) < 0)
		return -ENOMEM;
	v->fpu.xss = val;
	set_xss(v, val);
	return 0;
}

uint64_t fpu_guest_xss(const struct vcpu *v)
{
	return v->fpu.xss;
}

uint64_t fpu_guest_xcr0(const struct vcpu *v)
{
	return v->fpu.xcr0;
}
