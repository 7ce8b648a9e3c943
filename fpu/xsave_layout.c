/* XSAVE layout math and the checks of a leaf 0xD table. SDM Vol. 1 sec. 13.2
 * (CPUID leaf 0DH), 13.4.2 (XSAVE header), 13.4.3 (extended region: standard
 * offsets from CPUID, compacted offsets in component order with optional
 * 64-byte alignment). */
#include "fpu/xsave_layout.h"
#include "err.h"
#include "fpu/xcr0.h"
#include "kstring.h"

#define X87_AREA_SIZE 160u /* legacy bytes 0..159: FCW ... ST7 (MXCSR at 24 belongs to SSE) */
#define XMM_AREA_SIZE 256u /* legacy bytes 160..415: XMM0-15 */
#define LEGACY_MASK   (XFEATURE_MASK_FP | XFEATURE_MASK_SSE)
#define VALID_MASK    (BIT(XSAVE_NR_COMPONENTS) - 1)
/* No enumerated component ends beyond this (XTILEDATA's architectural maximum
 * is 64 KiB): a larger value is garbage, not a buffer size to allocate. */
#define XSAVE_AREA_MAX (256u * 1024)

/* Standard-format places of the user components, the same on every Intel CPU
 * that has them (SDM Vol. 1 sec. 13.5; XTILECFG/XTILEDATA in the Intel AMX
 * chapter of the ISA extensions reference). Used only to repair a table. */
static const struct xsave_comp_info arch_user[] = {
	[2] = {256, 576, 0}, [3] = {64, 960, 0},   [4] = {64, 1024, 0},
	[5] = {64, 1088, 0}, [6] = {512, 1152, 0}, [7] = {1024, 1664, 0},
	[9] = {8, 2688, 0},  [17] = {64, 2752, 0}, [18] = {8192, 2816, XSAVE_COMP_ALIGN64},
};

uint64_t xsave_supported_xcr0(const struct xsave_cpuid_table *t)
{
	return ((uint64_t)t->sub0.edx << 32) | t->sub0.eax;
}

uint64_t xsave_supported_xss(const struct xsave_cpuid_table *t)
{
	return ((uint64_t)t->sub1.edx << 32) | t->sub1.ecx;
}

void xsave_table_read(cpuid_host_fn cpuid, void *ctx, uint64_t xcr0, uint64_t xss,
                      struct xsave_cpuid_table *t)
{
	struct cpuid_regs r;

	*t = (struct xsave_cpuid_table){.xcr0_read = xcr0, .xss_read = xss};
	cpuid(ctx, 0xd, 0, &t->sub0);
	cpuid(ctx, 0xd, 1, &t->sub1);
	for (uint32_t i = XSAVE_FIRST_EXT; i < XSAVE_NR_COMPONENTS; i++) {
		cpuid(ctx, 0xd, i, &r);
		t->comp[i] = (struct xsave_comp_info){r.eax, r.ebx, r.ecx};
	}
}

/*
 * The one walk over the components of mask, in component order (sec. 13.4.3):
 * the end of the standard format and of the compacted format, and, when l is
 * not NULL, each component's size and offsets. Visits only the bits of mask,
 * so the sizes alone (every vCPU switch-out asks for them) cost a few steps.
 */
static int layout_walk(const struct xsave_cpuid_table *t, uint64_t mask, struct xsave_layout *l,
                       uint32_t *std_size, uint32_t *compact_size)
{
	uint64_t xss = xsave_supported_xss(t), std_end = XSAVE_EXT_OFFSET, off = XSAVE_EXT_OFFSET;

	if ((mask & ~VALID_MASK) || (mask & ~(xsave_supported_xcr0(t) | xss)))
		return -EINVAL;
	for (uint64_t m = mask & ~LEGACY_MASK; m; m &= m - 1) {
		uint32_t i = (uint32_t)__builtin_ctzll(m);
		const struct xsave_comp_info *c = &t->comp[i];

		if (!(xss & BIT(i)))
			std_end = MAX(std_end, (uint64_t)c->offset + c->size);
		if (c->flags & XSAVE_COMP_ALIGN64)
			off = ALIGN_UP(off, 64);
		if (l) {
			l->size[i] = c->size;
			l->std_offset[i] = xss & BIT(i) ? 0 : c->offset;
			l->compact_offset[i] = (uint32_t)off;
		}
		off += c->size;
		if (off > UINT32_MAX)
			return -EINVAL;
	}
	if (std_end > UINT32_MAX)
		return -EINVAL;
	*std_size = (uint32_t)std_end;
	*compact_size = (uint32_t)off;
	return 0;
}

int xsave_layout_sizes(const struct xsave_cpuid_table *t, uint64_t mask, uint32_t *std_size,
                       uint32_t *compact_size)
{
	return layout_walk(t, mask, NULL, std_size, compact_size);
}

int xsave_layout_mask(const struct xsave_cpuid_table *t, uint64_t mask, struct xsave_layout *l)
{
	*l = (struct xsave_layout){.mask = mask};
	if (mask & XFEATURE_MASK_FP)
		l->size[0] = X87_AREA_SIZE;
	if (mask & XFEATURE_MASK_SSE) {
		l->size[1] = XMM_AREA_SIZE;
		l->std_offset[1] = l->compact_offset[1] = X87_AREA_SIZE;
	}
	return layout_walk(t, mask, l, &l->std_size, &l->compact_size);
}

int xsave_layout(const struct xsave_cpuid_table *t, uint64_t xcr0, uint64_t xss,
                 struct xsave_layout *l, const char **why)
{
	const char *w = xcr0_check(xcr0, xsave_supported_xcr0(t) & ~xsave_supported_xss(t));

	if (!w && (xss & ~(xsave_supported_xss(t) & ~xsave_supported_xcr0(t))))
		w = "an IA32_XSS component that is not supported";
	if (!w && xsave_layout_mask(t, xcr0 | xss, l))
		w = "the layout does not fit in 4 GiB";
	if (why)
		*why = w;
	return w ? -EINVAL : 0;
}

/* The first problem of user component i, or NULL. */
static const char *check_user(const struct xsave_cpuid_table *t, uint32_t i)
{
	const struct xsave_comp_info *c = &t->comp[i];
	uint64_t user = xsave_supported_xcr0(t);

	if (c->size == 0)
		return "supported component with size 0";
	if (c->flags & XSAVE_COMP_XSS)
		return "XCR0 component marked as IA32_XSS state";
	if (c->offset < XSAVE_EXT_OFFSET)
		return "offset inside the legacy region or the XSAVE header";
	if ((uint64_t)c->offset + c->size > XSAVE_AREA_MAX)
		return "component ends beyond any plausible XSAVE area";
	if ((uint64_t)c->offset + c->size > t->sub0.ecx)
		return "component beyond the reported maximum size (subleaf 0 ECX)";
	for (uint32_t j = XSAVE_FIRST_EXT; j < i; j++) {
		const struct xsave_comp_info *o = &t->comp[j];

		if (!(user & BIT(j)) || !o->size)
			continue;
		if (c->offset < (uint64_t)o->offset + o->size &&
		    o->offset < (uint64_t)c->offset + c->size)
			return "overlaps an earlier component";
	}
	return NULL;
}

static const char *check_supervisor(const struct xsave_comp_info *c)
{
	if (c->size == 0)
		return "supported component with size 0";
	if (c->size > XSAVE_AREA_MAX)
		return "component larger than any plausible XSAVE area";
	if (!(c->flags & XSAVE_COMP_XSS))
		return "IA32_XSS component not marked as supervisor state";
	if (c->offset != 0)
		return "IA32_XSS component with a standard-format offset";
	return NULL;
}

/* Problems of the table as a whole, before any component is looked at. */
static const char *check_masks(uint64_t xcr0, uint64_t xss, int *comp)
{
	if ((xcr0 & LEGACY_MASK) != LEGACY_MASK)
		return "x87 and SSE not both enumerated in subleaf 0 EAX";
	if ((xcr0 | xss) & ~VALID_MASK)
		return "bit 63 enumerated";
	if (xss & LEGACY_MASK)
		return "x87 or SSE enumerated as IA32_XSS state";
	if (xcr0 & xss) {
		*comp = __builtin_ctzll(xcr0 & xss);
		return "component enumerated for both XCR0 and IA32_XSS";
	}
	return NULL;
}

/* Sizes that depend on the XCR0|XSS in force when the table was read. */
static const char *check_current(const struct xsave_cpuid_table *t)
{
	struct xsave_layout l;

	if (!t->xcr0_read)
		return NULL;
	if (xsave_layout_mask(t, t->xcr0_read | t->xss_read, &l))
		return "XCR0 or IA32_XSS in force is not enumerated";
	if (t->sub0.ebx != l.std_size)
		return "subleaf 0 EBX is not the standard size for the XCR0 in force";
	if ((t->sub1.eax & (XSAVE_1_EAX_XSAVEC | XSAVE_1_EAX_XSAVES)) &&
	    t->sub1.ebx != l.compact_size)
		return "subleaf 1 EBX is not the compacted size for the XCR0|IA32_XSS in force";
	return NULL;
}

int xsave_table_check(const struct xsave_cpuid_table *t, const char **why, int *comp)
{
	uint64_t xcr0 = xsave_supported_xcr0(t), xss = xsave_supported_xss(t),
		 end = XSAVE_EXT_OFFSET;
	const char *w;
	int c = -1;

	w = check_masks(xcr0, xss, &c);
	for (uint32_t i = XSAVE_FIRST_EXT; !w && i < XSAVE_NR_COMPONENTS; i++) {
		if (xcr0 & BIT(i)) {
			w = check_user(t, i);
			end = MAX(end, (uint64_t)t->comp[i].offset + t->comp[i].size);
		} else if (xss & BIT(i)) {
			w = check_supervisor(&t->comp[i]);
		}
		if (w)
			c = (int)i;
	}
	if (!w && t->sub0.ecx != end)
		w = "maximum size (subleaf 0 ECX) is not the end of the last component";
	if (!w)
		w = check_current(t);
	if (why)
		*why = w;
	if (comp)
		*comp = c;
	return w ? -EINVAL : 0;
}

/* Drops components whose partners or prerequisites are gone (sec. 13.3 rules). */
static uint64_t drop_broken_groups(uint64_t xcr0)
{
	if (!(xcr0 & XFEATURE_MASK_SSE))
		xcr0 &= ~XFEATURE_MASK_YMM;
	if ((xcr0 & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512 || !(xcr0 & XFEATURE_MASK_YMM))
		xcr0 &= ~XFEATURE_MASK_AVX512;
	if ((xcr0 & XFEATURE_MASK_BNDS) != XFEATURE_MASK_BNDS)
		xcr0 &= ~XFEATURE_MASK_BNDS;
	if ((xcr0 & XFEATURE_MASK_XTILE) != XFEATURE_MASK_XTILE)
		xcr0 &= ~XFEATURE_MASK_XTILE;
	return xcr0;
}

/* Repairs user component i of out, or drops it from *xcr0. */
static void repair_user(struct xsave_cpuid_table *out, uint32_t i, uint64_t *xcr0)
{
	out->sub0.eax = (uint32_t)*xcr0;
	out->sub0.edx = (uint32_t)(*xcr0 >> 32);
	out->sub0.ecx = UINT32_MAX; /* the maximum is recomputed afterwards */
	if (!check_user(out, i))
		return;
	if (i < ARRAY_SIZE(arch_user) && arch_user[i].size) {
		out->comp[i].size = arch_user[i].size;
		out->comp[i].offset = arch_user[i].offset;
		out->comp[i].flags &= ~XSAVE_COMP_XSS;
		if (!check_user(out, i))
			return;
	}
	*xcr0 &= ~BIT(i);
}

int xsave_table_repair(const struct xsave_cpuid_table *in, struct xsave_cpuid_table *out)
{
	uint64_t xcr0 = (xsave_supported_xcr0(in) & VALID_MASK) | LEGACY_MASK;
	uint64_t xss = xsave_supported_xss(in) & VALID_MASK & ~xcr0, end = XSAVE_EXT_OFFSET;
	struct xsave_layout l;
	int changes = 0;

	*out = *in;
	for (uint32_t i = XSAVE_FIRST_EXT; i < XSAVE_NR_COMPONENTS; i++) {
		if (xcr0 & BIT(i))
			repair_user(out, i, &xcr0);
		if ((xss & BIT(i)) && check_supervisor(&out->comp[i])) {
			out->comp[i].flags |= XSAVE_COMP_XSS;
			out->comp[i].offset = 0;
			if (!out->comp[i].size)
				xss &= ~BIT(i);
		}
	}
	xcr0 = drop_broken_groups(xcr0);
	for (uint32_t i = XSAVE_FIRST_EXT; i < XSAVE_NR_COMPONENTS; i++) {
		if (!((xcr0 | xss) & BIT(i)))
			out->comp[i] = (struct xsave_comp_info){0, 0, 0};
		else if (xcr0 & BIT(i))
			end = MAX(end, (uint64_t)out->comp[i].offset + out->comp[i].size);
	}
	out->sub0.eax = (uint32_t)xcr0;
	out->sub0.edx = (uint32_t)(xcr0 >> 32);
	out->sub0.ecx = (uint32_t)end;
	out->sub1.ecx = (uint32_t)xss;
	out->sub1.edx = (uint32_t)(xss >> 32);
	if (out->xcr0_read) {
		out->xcr0_read &= xcr0;
		out->xss_read &= xss;
		if (!xsave_layout_mask(out, out->xcr0_read | out->xss_read, &l)) {
			out->sub0.ebx = l.std_size;
			if (out->sub1.eax & (XSAVE_1_EAX_XSAVEC | XSAVE_1_EAX_XSAVES))
				out->sub1.ebx = l.compact_size;
		}
	}
	changes += memcmp(&out->sub0, &in->sub0, sizeof(out->sub0)) != 0;
	changes += memcmp(&out->sub1, &in->sub1, sizeof(out->sub1)) != 0;
	for (uint32_t i = XSAVE_FIRST_EXT; i < XSAVE_NR_COMPONENTS; i++)
		changes += memcmp(&out->comp[i], &in->comp[i], sizeof(out->comp[i])) != 0;
	return changes;
}
