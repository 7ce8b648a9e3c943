/* The hardware-facing FPU switching: XSAVE/XRSTOR and XSETBV. */
#include "fpu/fpu.h"
#include "err.h"
#include "fpu/xcr0.h"
#include "fpu/xsave_layout.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/vcpu.h"
#include "mm/mm.h"
#include "x86.h"
#include "cpuid_bits.h"

/* PKRU stays out of the host XCR0: XCR0[9] is set only to switch images. */
#define GUEST_XCR0_CANDIDATES                                                                      \
	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512)

static uint64_t host_xcr0;
static uint64_t switch_mask; /* components in a vCPU's image: host_xcr0, and PKRU */
static uint32_t area_size;
static bool fxsr_only;                      /* no XSAVE: x87/SSE switched with FXSAVE/FXRSTOR */
static struct xsave_cpuid_table host_table; /* leaf 0xD, repaired; read once, on CPU 0 */
static bool host_table_ready;

static bool cpu_has_pku(void)
{
	struct cpuid_regs r;

	if (cpuid(0).eax < 7)
		return false;
	cpuid_count(7, 0, &r);
	return r.ecx & CPUID_7_ECX_PKU;
}

static void run_cpuid(void *ctx, uint32_t leaf, uint32_t sub, struct cpuid_regs *out)
{
	(void)ctx;
	cpuid_count(leaf, sub, out);
}

/* Reads the host's leaf 0xD with host_xcr0 in force, checks it and keeps a
 * consistent copy for the guests' CPUID (Bochs 2.7's needs repair). */
static void read_host_table(void)
{
	struct xsave_cpuid_table raw;
	struct xsave_layout l;
	const char *why;
	int comp;

	xsave_table_read(run_cpuid, NULL, host_xcr0, 0, &raw);
	if (xsave_table_check(&raw, &why, &comp))
		log_warn("XSAVE: host CPUID leaf 0xD is inconsistent: %s (component %d); "
		         "guests see a repaired leaf",
		         why, comp);
	xsave_table_repair(&raw, &host_table);
	host_table_ready = true;
	if (xsave_layout_mask(&host_table, xsave_supported_xcr0(&host_table), &l) == 0)
		log_info("XSAVE: XCR0 0x%lx IA32_XSS 0x%lx, all components %u bytes standard, "
		         "%u compacted",
		         (unsigned long)xsave_supported_xcr0(&host_table),
		         (unsigned long)xsave_supported_xss(&host_table), l.std_size,
		         l.compact_size);
}

const struct xsave_cpuid_table *fpu_xsave_table(void)
{
	return host_table_ready ? &host_table : NULL;
}

void fpu_init_cpu(void)
{
	struct cpuid_regs d;
	uint64_t offered;

	if (!(cpuid(1).ecx & CPUID_1_ECX_XSAVE)) {
		/* FXSAVE saves the XMM registers only with CR4.OSFXSR (SDM Vol. 2A
		 * FXSAVE); the hypervisor itself never uses them. */
		fxsr_only = cpuid(1).edx & CPUID_1_EDX_FXSR;
		if (fxsr_only)
			write_cr4(read_cr4() | CR4_OSFXSR);
		return;
	}
	write_cr4(read_cr4() | CR4_OSXSAVE);
	cpuid_count(0xd, 0, &d);
	offered = ((uint64_t)d.edx << 32) | d.eax;
	host_xcr0 = offered & GUEST_XCR0_CANDIDATES;
	if (!xcr0_valid(host_xcr0, host_xcr0))
		host_xcr0 &= XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM;
	switch_mask = host_xcr0;
	/* RDPKRU/WRPKRU work in any guest that sets its CR4.PKE, so PKRU is guest
	 * state whenever the CPU has protection keys. */
	if (cpu_has_pku() && (offered & XFEATURE_MASK_PKRU))
		switch_mask |= XFEATURE_MASK_PKRU;
	xsetbv(0, host_xcr0);
	if (cpu_id() == 0 && !host_table_ready)
		read_host_table();
	/* ECX: the size for every component the CPU supports, PKRU included */
	area_size = MAX(d.ebx, d.ecx);
}

uint64_t fpu_host_xcr0(void)
{
	return host_xcr0;
}

uint64_t fpu_guest_xcr0_allowed(void)
{
	return host_xcr0;
}

static size_t area_frames(void)
{
	return ALIGN_UP((uint64_t)(area_size ? area_size : XSAVE_LEGACY_SIZE), PAGE_SIZE) /
	       PAGE_SIZE;
}

int fpu_guest_init(struct vcpu *v)
{
	struct guest_fpu *g = &v->fpu;

	g->xcr0 = XFEATURE_MASK_FP;
	g->area = mm_alloc_frames(area_frames(), PAGE_SIZE);
	if (g->area == INVALID_HPA)
		return -ENOMEM;
	/* XSTATE_BV = 0: every component in its init state, except MXCSR which
	 * XRSTOR takes from the image (SDM Vol. 1 sec. 13.8.1). FXRSTOR takes the
	 * whole legacy area, so the x87 control word gets its FNINIT value too
	 * (an all-zero tag byte is an empty x87 stack). */
	*(uint32_t *)((uint8_t *)phys_to_virt(g->area) + XSAVE_MXCSR_OFFSET) = XSAVE_MXCSR_INIT;
	*(uint16_t *)((uint8_t *)phys_to_virt(g->area) + XSAVE_FCW_OFFSET) = XSAVE_FCW_INIT;
	return 0;
}

size_t fpu_guest_free(struct vcpu *v)
{
	size_t frames = 0;

	if (v->fpu.area && v->fpu.area != INVALID_HPA) {
		frames = area_frames();
		mm_free_frames(v->fpu.area, frames);
	}
	v->fpu.area = INVALID_HPA;
	return frames;
}

/* Runs with the host XCR0; XSAVE and XRSTOR act on RFBM = XCR0 & mask (SDM Vol. 1
 * sec. 13.7, 13.8), so XCR0 takes PKRU for the switch. XSAVE of PKRU needs only
 * XCR0[9], not CR4.PKE (sec. 13.5.7). */
void fpu_switch_to(struct vcpu *prev, struct vcpu *next)
{
	bool with_pkru = switch_mask != host_xcr0;

	if (!host_xcr0) {
		if (fxsr_only && prev)
			fxsave(phys_to_virt(prev->fpu.area));
		if (fxsr_only && next)
			fxrstor(phys_to_virt(next->fpu.area));
		return;
	}
	if (with_pkru)
		xsetbv(0, switch_mask);
	if (prev)
		xsave(phys_to_virt(prev->fpu.area), switch_mask);
	if (next)
		xrstor(phys_to_virt(next->fpu.area), switch_mask);
	if (with_pkru)
		xsetbv(0, host_xcr0);
}

void fpu_guest_enter(struct vcpu *v)
{
	struct guest_fpu *g = &v->fpu;

	if (host_xcr0 && g->xcr0 != host_xcr0)
		xsetbv(0, g->xcr0);
}

void fpu_guest_exit(struct vcpu *v)
{
	struct guest_fpu *g = &v->fpu;

	if (host_xcr0 && g->xcr0 != host_xcr0)
		xsetbv(0, host_xcr0);
}

int fpu_set_xcr0(struct vcpu *v, uint64_t val)
{
	if (!xcr0_valid(val, fpu_guest_xcr0_allowed()))
		return -EINVAL;
	v->fpu.xcr0 = val;
	return 0;
}

uint64_t fpu_guest_xcr0(const struct vcpu *v)
{
	return v->fpu.xcr0;
}
