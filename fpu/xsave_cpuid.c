/* Guest CPUID leaf 0xD from the layout math (SDM Vol. 1 sec. 13.2). */
#include "fpu/xsave_cpuid.h"
#include "fpu/xcr0.h"

/* Layout of mask, or an empty one (legacy region and header only) if it cannot be had. */
static void layout_or_minimal(const struct xsave_cpuid_table *t, uint64_t mask,
                              struct xsave_layout *l)
{
	if (xsave_layout_mask(t, mask, l))
		*l = (struct xsave_layout){.std_size = XSAVE_EXT_OFFSET,
		                           .compact_size = XSAVE_EXT_OFFSET};
}

void xsave_guest_cpuid(const struct xsave_cpuid_table *t, const struct xsave_guest_view *g,
                       uint32_t subleaf, struct cpuid_regs *out)
{
	uint64_t xss_sup = xsave_supported_xss(t);
	uint64_t xcr0_off = xsave_supported_xcr0(t) & ~xss_sup & g->xcr0_allowed;
	uint64_t xss_off = xss_sup & g->xss_allowed;
	uint64_t cur = (g->xcr0 & xcr0_off) | XFEATURE_MASK_FP;
	uint32_t sub1 = t->sub1.eax & g->sub1_eax_allowed,
		 keep = XSAVE_COMP_XSS | XSAVE_COMP_ALIGN64;
	struct xsave_layout l;

	*out = (struct cpuid_regs){0, 0, 0, 0};
	switch (subleaf) {
	case 0:
		layout_or_minimal(t, cur, &l);
		out->eax = (uint32_t)xcr0_off;
		out->edx = (uint32_t)(xcr0_off >> 32);
		out->ebx = l.std_size;
		layout_or_minimal(t, xcr0_off, &l);
		out->ecx = l.std_size;
		return;
	case 1:
		out->eax = sub1;
		if (sub1 & (XSAVE_1_EAX_XSAVEC | XSAVE_1_EAX_XSAVES)) {
			layout_or_minimal(t, cur | (g->xss & xss_off), &l);
			out->ebx = l.compact_size;
		}
		out->ecx = (uint32_t)xss_off;
		out->edx = (uint32_t)(xss_off >> 32);
		return;
	}
	if (subleaf >= XSAVE_NR_COMPONENTS || !((xcr0_off | xss_off) & BIT(subleaf)))
		return;
	if (sub1 & XSAVE_1_EAX_XFD)
		keep |= XSAVE_COMP_XFD;
	out->eax = t->comp[subleaf].size;
	out->ebx = t->comp[subleaf].offset;
	out->ecx = t->comp[subleaf].flags & keep;
}
